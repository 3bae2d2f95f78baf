// Type-checked by test/types.test.mjs (tsc --noEmit, with the DOM's types): the declarations
// of `onething/wizard` describe how a page uses `<onething-wizard>`. Never run.

import { OnethingWizard, RADIO_MAX, define } from 'onething/wizard';
import type { Decision, Draft, Submission, WizardState } from 'onething';

export async function use(packed: string, saved: Submission): Promise<string> {
  const el = document.createElement('onething-wizard');
  const typed: OnethingWizard = el;
  typed.bundle = packed;
  typed.date = '2026-04-02';
  typed.initial = saved;
  typed.worker = true;
  el.addEventListener('change', (e) => { const filled: number = e.detail.state.progress.filled; console.log(e.detail.key, filled); });
  el.addEventListener('step', (e) => console.log(e.detail.page, e.detail.step, e.detail.index));
  el.addEventListener('submit', (e) => { const d: Decision = e.detail.decision; const s: Submission = e.detail.submission; console.log(d.outcome, s.values); });
  el.addEventListener('error', (e) => console.error(e.detail.error.kind, e.detail.error.message));
  document.body.append(el);
  await typed.settled;
  const state: WizardState | null = typed.state;
  const draft: Draft = await typed.save();
  const now: Submission = await typed.submission();
  const refused: string[] = typed.refused.map((r) => r.key);
  const Named = define('gov-wizard');
  console.log(state?.progress, draft.answers, now.values, refused, RADIO_MAX, Named.name, typed.result?.decision.outcome);
  typed.close();
  return typed.lang;
}
