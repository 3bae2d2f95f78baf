// Type-checked by test/types.test.mjs (tsc --noEmit): the declarations of the package, with
// the types generated from schemas/, describe how it is used. Never run.

import { Bundle, Wizard, diff, merge } from 'onething';
import type {
  BundleDiff, CompileError, Decision, Draft, MergeResult, Notice, PackedBundle, Plan, Submission, TestReport, Validation,
  Warning, WizardState,
} from 'onething';

export function use(packed: string, submission: Submission): string[] {
  const bundle = new Bundle(packed);
  const validation: Validation = bundle.validate(submission);
  const decision: Decision = bundle.evaluate(submission, '2026-04-02');
  const untraced: Decision = bundle.evaluate(submission, '2026-04-02', { trace: false });
  const notice: Notice = bundle.noticeFor(submission, '2026-04-02');
  const plan: Plan = bundle.plan();
  const warnings: Warning[] = bundle.warnings();
  const packedAgain: PackedBundle = Bundle.fromFiles({ 'bundle.json': packed }).packed();
  const html: string = bundle.renderNotice('html', 'en');
  const wizard = new Wizard(bundle);
  wizard.set('baby.name', '陈沐阳');
  wizard.setMaterial('birth-record', 'provided');
  const state: WizardState = wizard.state();
  const draft: Draft = wizard.save();
  const again = Wizard.resume(bundle, draft, '2026-04-02');
  const merged: MergeResult = merge([{ type: 'string' }, { maxLength: 3 }]);
  const outcome: 'accepted' | string = decision.outcome;
  return [
    String(validation.valid), outcome, notice.title.en, String(plan.stages.length), html,
    String(state.progress.filled), String(again.current), String(Object.keys(merged.schema).length),
    ...warnings.map((w) => `${w.at}: ${w.message}`), packedAgain.id, String(untraced.trace.length),
  ];
}

/** Where each problem of a bundle directory is: a compile error's `details` are a `CompileError`. */
export function problems(files: Record<string, string>): string[] {
  try {
    Bundle.fromFiles(files).free();
    return [];
  } catch (e) {
    const details = (e as { kind?: string; details?: CompileError }).details;
    return (details?.problems ?? []).map((p) => (p.kind === 'script' ? `${p.file ?? p.at}:${p.line}:${p.column}` : p.kind));
  }
}

/** A bundle's own cases, with coverage, and what a new version changes. */
export function authoring(old: Bundle, next: Bundle, cases: Record<string, string>): string[] {
  const report: TestReport = old.test(cases, { coverage: true, date: '2026-06-15' });
  const changes: BundleDiff = diff(old, next);
  const covered: number = report.coverage?.percent ?? 0;
  return [
    ...report.cases.map((c) => `${c.passed ? 'pass' : 'FAIL'} ${c.name} ${c.mismatches?.length ?? 0}`),
    String(covered), changes.new_version, String(changes.departments.length),
  ];
}
