// Types of `onething/wizard`: the `<onething-wizard>` element (issue #23), its properties,
// attributes and events. Hand-written; the data types come from the package.

import type { Decision, Draft, PackedBundle, Submission, WizardState } from '../types/onething.js';
import type { PrefillSources } from '../dist/web/onething_wasm.js';

/** `detail` of the `change` event: what changed (a field's `key` and `value`, a list's
 * `row`/`column`, a `material` and its `status`, an optional `item` and `chosen`, a
 * `commitment` and `signed`) and the wizard's state after it. */
export interface WizardChangeDetail {
  state: WizardState;
  key?: string;
  value?: unknown;
  row?: number | 'added';
  column?: string;
  material?: string;
  status?: string;
  item?: string;
  chosen?: boolean;
  commitment?: string;
  signed?: boolean;
}

/** `detail` of the `step` event: the page shown (`optional`, `step:<id>`, `materials`,
 * `decision`), the step's id when it is a step, and its position among the pages. */
export interface WizardStepDetail {
  page: string;
  step: string | null;
  index: number;
}

/** `detail` of the `submit` event. */
export interface WizardSubmitDetail {
  submission: Submission;
  decision: Decision;
}

/** `detail` of the `error` event: a failure of the package (`kind`, `path`, `details`
 * as documented in the package's README) or of fetching `src`. */
export interface WizardErrorDetail {
  error: Error & { kind?: string; path?: string; details?: unknown };
}

export interface OnethingWizardEventMap {
  ready: CustomEvent<{ state: WizardState }>;
  change: CustomEvent<WizardChangeDetail>;
  step: CustomEvent<WizardStepDetail>;
  submit: CustomEvent<WizardSubmitDetail>;
  error: CustomEvent<WizardErrorDetail>;
}

/**
 * `<onething-wizard src="bundle.json" date="2026-04-02" lang="zh">`: the whole application
 * form of a bundle, step by step, with materials and the decision. Attributes: `src` (the
 * packed bundle's URL, when the `bundle` property is not set), `date` (the evaluation date,
 * `YYYY-MM-DD`; a new one keeps the answers), `lang` (`zh` or `en`, switchable live),
 * `worker` (drive the wizard in a Web Worker), `wasm` (the module's URL, when it is not
 * beside the package's entry).
 */
export declare class OnethingWizard extends HTMLElement {
  /** The packed bundle, as text or object; takes precedence over `src`. */
  bundle: PackedBundle | string | null;
  /** Starts the wizard prefilled from these sources (`Wizard.prefilled`). */
  prefill: PrefillSources | null;
  /** Resumes this draft (`Wizard.resume`). */
  draft: Draft | null;
  /** A submission to start from: its choices, values, material statuses and commitments
   * are given to the wizard one by one; what it refuses is listed in `refused`. */
  initial: Submission | null;
  /** What the wizard refused of `initial` (an unknown or locked key, an unknown material). */
  readonly refused: { key: string; kind?: string; message: string }[];
  date: string;
  src: string;
  worker: boolean;
  wasm: string;
  /** The latest state, or null before the bundle is loaded. */
  readonly state: WizardState | null;
  /** The submission, decision and notice (HTML) after submitting, else null. */
  readonly result: { submission: Submission; decision: Decision; notice: string } | null;
  /** Resolves when every change so far has reached the wizard and the view. */
  readonly settled: Promise<void>;
  /** The answers as a draft. */
  save(): Promise<Draft>;
  /** The submission the answers make now, without deciding on it. */
  submission(): Promise<Submission>;
  /** Frees the wizard (and terminates its worker). */
  close(): void;
  addEventListener<K extends keyof OnethingWizardEventMap>(type: K, listener: (this: OnethingWizard, ev: OnethingWizardEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof OnethingWizardEventMap>(type: K, listener: (this: OnethingWizard, ev: OnethingWizardEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

/** Enumerations with at most this many options are radio buttons, longer ones a select. */
export declare const RADIO_MAX: number;

/** Registers the element under `name` (default `onething-wizard`, done on import). */
export declare function define(name?: string): typeof OnethingWizard;

declare global {
  interface HTMLElementTagNameMap {
    'onething-wizard': OnethingWizard;
  }
}
