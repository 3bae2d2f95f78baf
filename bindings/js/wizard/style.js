// The default theme: a sober, high-contrast government service page (WCAG 2.1 AA: text
// contrast ≥ 4.5:1, a 3 px focus ring, touch targets ≥ 44 px), one column from 360 px up.
// Everything stays inside the shadow root; hosts restyle through the custom properties
// below (set them on `onething-wizard`) and the `::part()` names listed in README.md.

export const CSS = `
:host {
  --ot-font: system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
  --ot-font-size: 1rem;
  --ot-text: #1b1b1b;
  --ot-muted: #4a4a4a;
  --ot-background: #ffffff;
  --ot-surface: #f3f5f8;
  --ot-border: #6b6b6b;
  --ot-primary: #0b4a8b;
  --ot-primary-text: #ffffff;
  --ot-error: #b3261e;
  --ot-success: #1d6b2f;
  --ot-warning-bg: #fff4ce;
  --ot-focus: #ffbf47;
  --ot-radius: 4px;
  --ot-gap: 1rem;
  --ot-target: 44px;
  --ot-max-width: 46rem;
  display: block;
  color: var(--ot-text);
  background: var(--ot-background);
  font-family: var(--ot-font);
  font-size: var(--ot-font-size);
  line-height: 1.5;
}
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
.wizard { position: relative; max-width: var(--ot-max-width); margin: 0 auto; padding: var(--ot-gap); }
h2 { font-size: 1.5rem; margin: 0 0 .5rem; }
h3 { font-size: 1.25rem; margin: 1rem 0 .5rem; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.steps { position: relative; list-style: none; margin: 0 0 .75rem; padding: 0 0 .25rem; display: flex; gap: .25rem; overflow-x: auto; }
.steps li { flex: none; }
@media (min-width: 48rem) { .steps { flex-wrap: wrap; overflow: visible; } }
.steps button { min-height: var(--ot-target); padding: .25rem .75rem; border: 1px solid var(--ot-border); border-radius: var(--ot-radius);
  background: var(--ot-background); color: var(--ot-text); font: inherit; cursor: pointer; }
.steps button[aria-current="step"] { background: var(--ot-primary); border-color: var(--ot-primary); color: var(--ot-primary-text); font-weight: 600; }
.steps button.done::after { content: " ✓"; }
.progress { margin: 0 0 1rem; }
.progress progress { width: 100%; height: .75rem; accent-color: var(--ot-primary); }
.progress .hint { font-size: .9rem; }
.field { margin: 0 0 1.25rem; padding: 0; border: 0; min-width: 0; }
.field > label, .field > legend, .label { display: block; font-weight: 600; margin-bottom: .25rem; padding: 0; }
.req { color: var(--ot-error); }
.hint { color: var(--ot-muted); font-size: .95rem; margin: .25rem 0; }
input[type="text"], input[type="date"], input:not([type]), select, textarea {
  width: 100%; min-height: var(--ot-target); padding: .5rem; font: inherit; color: var(--ot-text);
  background: var(--ot-background); border: 2px solid var(--ot-border); border-radius: var(--ot-radius); }
textarea { min-height: 6rem; }
input[disabled], select[disabled], textarea[disabled] { background: var(--ot-surface); color: var(--ot-text); border-style: dashed; }
[aria-invalid="true"] { border-color: var(--ot-error) !important; border-width: 3px !important; }
.choices { display: flex; flex-direction: column; gap: .25rem; }
.choice { display: flex; align-items: center; gap: .5rem; min-height: var(--ot-target); padding: 0 .25rem; font-weight: normal; }
.choice input { width: 1.4rem; height: 1.4rem; margin: 0; accent-color: var(--ot-primary); flex: none; }
button.action { min-height: var(--ot-target); min-width: var(--ot-target); padding: .5rem 1rem; font: inherit; font-weight: 600;
  border: 2px solid var(--ot-primary); border-radius: var(--ot-radius); background: var(--ot-background); color: var(--ot-primary); cursor: pointer; }
button.action.primary { background: var(--ot-primary); color: var(--ot-primary-text); }
button.action[disabled] { opacity: .6; cursor: not-allowed; }
:focus-visible, button:focus, input:focus, select:focus, textarea:focus, summary:focus {
  outline: 3px solid var(--ot-focus); outline-offset: 0; box-shadow: 0 0 0 5px var(--ot-text); }
.error { color: var(--ot-error); font-weight: 600; margin: .25rem 0; }
.error:empty { display: none; }
.id-info { font-size: .95rem; margin: .25rem 0; }
.id-info.valid { color: var(--ot-success); }
.id-info.invalid { color: var(--ot-error); }
.source { font-size: .95rem; margin: .25rem 0; padding: .25rem .5rem; background: var(--ot-surface); border-left: 4px solid var(--ot-primary); }
details.departments { font-size: .95rem; margin: .25rem 0; }
details.departments summary { min-height: var(--ot-target); display: flex; align-items: center; cursor: pointer; color: var(--ot-primary); }
details.departments ul { margin: 0; padding-left: 1.25rem; }
.list { overflow-x: auto; }
.row { border: 1px solid var(--ot-border); border-radius: var(--ot-radius); padding: .75rem; margin: 0 0 .75rem; }
.row legend { font-weight: 600; padding: 0 .25rem; }
.row .cell { margin: 0 0 .75rem; }
.row .cell label { display: block; margin-bottom: .25rem; }
.row-actions { display: flex; gap: .5rem; flex-wrap: wrap; }
.nav { display: flex; gap: .75rem; justify-content: space-between; flex-wrap: wrap; margin-top: 1.5rem; }
.summary { border: 3px solid var(--ot-error); padding: .75rem; margin: 0 0 1rem; }
.summary:empty { display: none; }
.warnings { background: var(--ot-warning-bg); border-left: 6px solid #7a5a00; padding: .5rem .75rem; margin: 0 0 1rem; }
.material { border: 1px solid var(--ot-border); border-radius: var(--ot-radius); padding: .75rem; margin: 0 0 1rem; }
.material legend { font-weight: 600; padding: 0 .25rem; }
.outcome { font-size: 1.35rem; font-weight: 700; padding: .75rem; border-left: 8px solid var(--ot-primary); background: var(--ot-surface); }
.outcome.o-accepted, .outcome.o-accepted_with_tolerance, .outcome.o-accepted_on_commitment { border-color: var(--ot-success); }
.outcome.o-rejected, .outcome.o-correction_required { border-color: var(--ot-error); }
.decision li { margin: .25rem 0; }
iframe.notice { width: 100%; min-height: 24rem; border: 1px solid var(--ot-border); background: #fff; }
@media (min-width: 48rem) {
  .choices.inline { flex-direction: row; flex-wrap: wrap; gap: .25rem 1.25rem; }
}
@media (prefers-reduced-motion: no-preference) { button { transition: background-color .1s; } }
`;
