// A keystroke in `<onething-wizard>` (issue #23, point 6; BENCHMARKS.md, "Wizard element"):
// headless Chromium (as test/wizard-element.mjs drives it) shows the element on the
// generated form of about 300 fields (`generated(4, 90, 0.3)`, the wizard benchmark's form),
// on its largest step, driven on the main thread; in the page, each sample types one
// character into a text field (its `input` event), waits until the change has reached the
// wizard and the view (`settled`), and forces style and layout (`getBoundingClientRect`),
// so that the time covers the set, the whole `state()`, the element's update of the fields
// that changed, and the browser's layout. Printed: median, p95 and max of SAMPLES keystrokes
// (default 300) after WARMUP (50), and how many fields' DOM changed per keystroke (only the
// one typed in should: the frame's progress is not a field). Budget: median ≤ 16 ms.
//
//   node bench/wizard-element.mjs             (npm run bench:wizard)
//   WORKER=1 node bench/wizard-element.mjs    the wizard in a Web Worker (`worker` attribute)
//
// CHROMIUM overrides the browser's path, as for the tests.

import { join } from 'node:path';

import { launch, serve } from '../test/serve.mjs';
import { generated } from './generated.mjs';

const PKG = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const SAMPLES = Number(process.env.SAMPLES ?? 300);
const WARMUP = Number(process.env.WARMUP ?? 50);

const PAGE = `<!doctype html>
<html lang="en"><meta charset="utf-8"><title>wizard element benchmark</title>
<onething-wizard lang="en" date="2026-06-01" src="/generated.json"${process.env.WORKER ? ' worker' : ''}></onething-wizard>
<script type="module">
  import '/wizard/index.js';
  const host = document.querySelector('onething-wizard');
  await new Promise((resolve) => host.addEventListener('ready', resolve, { once: true }));
  const root = host.shadowRoot;
  // The largest step.
  const steps = host.state.steps.map((s, i) => [s.fields.filter((f) => f.visible).length, i]).sort((a, b) => b[0] - a[0]);
  const biggest = host.state.steps[steps[0][1]];
  [...root.querySelectorAll('.steps button')].find((b) => b.textContent.endsWith(biggest.title.en)).click();
  await host.settled;
  const fields = root.querySelectorAll('[data-field]').length;
  const input = root.querySelector('input[data-kind="text"]');
  input.focus();
  // Counts the field views redrawn: each redraw rewrites its error element's text.
  let redrawn = 0;
  new MutationObserver((list) => { redrawn += new Set(list.map((m) => m.target.closest?.('[data-field]') ?? m.target.parentElement?.closest('[data-field]')).filter(Boolean)).size; })
    .observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
  const times = [];
  const counts = [];
  for (let i = 0; i < ${WARMUP} + ${SAMPLES}; i++) {
    const text = input.value.length > 60 ? '' : input.value + 'abcdefghij'[i % 10];
    redrawn = 0;
    const t0 = performance.now();
    input.value = text;
    input.dispatchEvent(new InputEvent('input', { data: text.slice(-1), inputType: 'insertText', bubbles: true, composed: true }));
    await host.settled;
    root.querySelector('.wizard').getBoundingClientRect();
    const ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 0));   // let the observer report this keystroke
    if (i >= ${WARMUP}) { times.push(ms); counts.push(redrawn); }
  }
  times.sort((a, b) => a - b);
  counts.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  window.__result = { fields, total: host.state.steps.reduce((n, s) => n + s.fields.length, 0),
    median: at(0.5), p95: at(0.95), max: times[times.length - 1], redrawnMedian: counts[counts.length >> 1] };
</script>`;

const server = await serve(
  { '/': ['text/html', PAGE], '/generated.json': ['application/json', JSON.stringify(generated(4, 90, 0.3))] },
  { '/dist/': join(PKG, 'dist'), '/wizard/': join(PKG, 'wizard') },
);
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => { console.error(String(e)); process.exitCode = 1; });
  await page.goto(`${server.origin}/`);
  await page.waitForFunction(() => window.__result, null, { timeout: 600_000 });
  const r = await page.evaluate(() => window.__result);
  console.log(`${process.env.WORKER ? 'in a Web Worker' : 'on the main thread'}; form: ${r.total} fields, ${r.fields} on the step typed in; ${SAMPLES} keystrokes after ${WARMUP}`);
  console.log(`keystroke to updated view: median ${r.median.toFixed(2)} ms, p95 ${r.p95.toFixed(2)} ms, max ${r.max.toFixed(2)} ms (budget: median ≤ 16 ms: ${r.median <= 16 ? 'met' : 'NOT met'})`);
  console.log(`fields whose DOM changed per keystroke (median): ${r.redrawnMedian}`);
} finally {
  await browser.close();
  await server.close();
}
