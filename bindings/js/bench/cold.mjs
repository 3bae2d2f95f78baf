// Time to the first form in a browser (issue 24, point 4; BENCHMARKS.md, "Cold start"):
// headless Chromium (as test/browser.mjs drives it) opens a page that imports the browser
// build, and times, on the business start-up fixture (packed as the tests pack it):
//
//   cold   from the start of `init()` (which fetches, compiles and instantiates the module)
//          to the first `Wizard.state()` returned: `init()`, the first `new Bundle(packed)`,
//          `new Wizard(bundle, date)` and its first `state()`, on a fresh browser (its own
//          process, HTTP cache and compiled-code caches: nothing is left from an earlier
//          sample; the server also says `no-store`);
//   warm   a compile after the first: `new Bundle(packed)` again, WARM times on that page,
//          the page's median.
//
// The packed bundle is fetched before the clock starts (a page would fetch it while the
// module compiles). Printed: medians over PAGES fresh browsers (default 9) of every part.
//
//   node bench/cold.mjs                     the package's dist/web
//   node bench/cold.mjs dirA dirB …         several builds of dist/web, measured in turns
//                                           (round r opens one fresh browser per build)
//   PROFILE=out.cpuprofile node bench/cold.mjs [dir]
//                                           also one cold page under the DevTools CPU
//                                           profiler (sampling every 100 µs), written to
//                                           `out.cpuprofile` (Chrome DevTools opens it) and
//                                           summarised by self time; for function names,
//                                           give a build whose module keeps its name
//                                           section (`wasm-opt … -g`).
//   FRESH=context node bench/cold.mjs …     a fresh page in a browser started once (each page
//                                           in a new browser context: its own renderer
//                                           process and in-memory caches), as a visitor's
//                                           running browser opens it; the default starts a
//                                           fresh browser per page, so its start-up work
//                                           may overlap the page's.
//   TRACE=out.json node bench/cold.mjs [dir]
//                                           also one cold page under Chromium's tracing,
//                                           written to `out.json` (chrome://tracing or
//                                           Perfetto open it) and summarised: V8's
//                                           WebAssembly events by thread, how many and how
//                                           long (lazy compilation of first calls on the
//                                           page's main thread, tier-up in the background).
//                                           Tracing slows the page; its times are not the
//                                           benchmark's.
//
// CHROMIUM overrides the browser's path, as for the tests.

import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { meta, packedText } from '../test/helpers.mjs';
import { launch, serve } from '../test/serve.mjs';
import { median } from './measure.mjs';

const PKG = join(import.meta.dirname, '..');
const NAME = 'business-startup';
const PAGES = Number(process.env.PAGES ?? 9);
const WARM = Number(process.env.WARM ?? 9);
const dirs = process.argv.length > 2 ? process.argv.slice(2).map((d) => resolve(d)) : [join(PKG, 'dist', 'web')];
const { date } = meta(NAME);

const page = (n) => `<!doctype html>
<meta charset="utf-8">
<title>cold start</title>
<script type="module">
  import init, { Bundle, Wizard } from '/dist/${n}/onething_wasm.js';
  try {
    const packed = await (await fetch('/fixture/bundle.json')).text();
    const t0 = performance.now();
    await init();
    const t1 = performance.now();
    const bundle = new Bundle(packed);
    const t2 = performance.now();
    const wizard = new Wizard(bundle, ${JSON.stringify(date)});
    const state = wizard.state();
    const t3 = performance.now();
    const warm = [];
    for (let i = 0; i < ${WARM}; i++) {
      const s = performance.now();
      new Bundle(packed).free();
      warm.push(performance.now() - s);
    }
    window.__result = {
      init: t1 - t0, compile: t2 - t1, wizard: t3 - t2, cold: t3 - t0, warm,
      steps: state.steps.length,
    };
  } catch (e) {
    window.__result = { failed: String(e && e.stack || e) };
  }
</script>`;

const routes = { '/fixture/bundle.json': ['application/json', packedText(NAME)] };
dirs.forEach((_, n) => (routes[`/${n}`] = ['text/html', page(n)]));
const server = await serve(routes, Object.fromEntries(dirs.map((d, n) => [`/dist/${n}/`, d])), {
  'cache-control': 'no-store',
});

/** Trace categories for `TRACE`: V8's WebAssembly compilation and the page's main events. */
const TRACE_CATEGORIES = ['v8.wasm', 'v8', 'devtools.timeline', 'loading'];

/** With `FRESH=context`, the one browser every page opens in (started on first use). */
let running;

/** One cold page in a fresh browser (`FRESH=context`: a fresh context of the running one);
 * with `profile`, under the DevTools CPU profiler; with `trace`, under Chromium's tracing,
 * written to that path. */
async function sample(n, profile, trace) {
  if (process.env.FRESH === 'context') running ??= await launch();
  const browser = running ?? (await launch());
  const context = await browser.newContext();
  try {
    const p = await context.newPage();
    const errors = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    let cdp;
    if (profile) {
      cdp = await p.context().newCDPSession(p);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
    }
    if (trace) await browser.startTracing(p, { path: trace, categories: TRACE_CATEGORIES });
    await p.goto(`${server.origin}/${n}`);
    await p.waitForFunction(() => window.__result !== undefined, null, { timeout: 120_000 });
    const result = await p.evaluate(() => window.__result);
    if (trace) await browser.stopTracing();
    if (result.failed || errors.length > 0) throw new Error(result.failed ?? errors.join('\n'));
    if (cdp) result.profile = (await cdp.send('Profiler.stop')).profile;
    return result;
  } finally {
    await (running ? context.close() : browser.close());
  }
}

/** Self time by function of a DevTools CPU profile, the largest first. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const f = byId.get(id).callFrame;
    const name = f.functionName || `(${f.url.split('/').pop() || 'anonymous'})`;
    self.set(name, (self.get(name) ?? 0) + (deltas[i + 1] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return { total, rows: [...self].sort((a, b) => b[1] - a[1]) };
}

/** V8's WebAssembly events of a trace, summed by thread and name, the longest first. */
function wasmEvents(trace) {
  const events = JSON.parse(readFileSync(trace, 'utf8')).traceEvents;
  const threads = new Map();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args.name);
  }
  const sums = new Map();
  for (const e of events) {
    if (e.ph !== 'X' || !e.name.startsWith('wasm.')) continue;
    const key = `${threads.get(`${e.pid}:${e.tid}`) ?? e.tid}\t${e.name}`;
    const [count, us] = sums.get(key) ?? [0, 0];
    sums.set(key, [count + 1, us + (e.dur ?? 0)]);
  }
  return [...sums].sort((a, b) => b[1][1] - a[1][1]);
}

try {
  if (process.env.TRACE) {
    const times = await sample(0, false, process.env.TRACE);
    console.log(`one traced cold page (${dirs[0]}): ${JSON.stringify({ ...times, warm: undefined })}`);
    console.table(
      wasmEvents(process.env.TRACE)
        .slice(0, 15)
        .map(([key, [count, us]]) => {
          const [thread, event] = key.split('\t');
          return { thread, event, count, ms: (us / 1e3).toFixed(1) };
        }),
    );
  } else if (process.env.PROFILE) {
    const { profile, ...times } = await sample(0, true);
    writeFileSync(process.env.PROFILE, JSON.stringify(profile));
    console.log(`one profiled cold page (${dirs[0]}): ${JSON.stringify(times)}`);
    const { total, rows } = selfTimes(profile);
    const table = (entries) =>
      console.table(
        entries.map(([name, us]) => ({
          [name.includes('::') ? 'function' : 'crate']: name.slice(0, 110),
          'self ms': (us / 1e3).toFixed(1),
          share: `${((100 * us) / total).toFixed(1)} %`,
        })),
      );
    table(rows.slice(0, 40));
    // By the crate that names the function (a generic's crate is its outermost path).
    const crates = new Map();
    for (const [name, us] of rows) {
      const m = name.replace(/^<+/, '').match(/^([A-Za-z_][A-Za-z0-9_]*)(\[[0-9a-f]+\])?::/);
      const crate = m ? m[1] : name.startsWith('(') ? name : '(JavaScript and glue)';
      crates.set(crate, (crates.get(crate) ?? 0) + us);
    }
    table([...crates].sort((a, b) => b[1] - a[1]).slice(0, 20));
  } else {
    const results = dirs.map(() => []);
    for (let r = 0; r < PAGES; r++) {
      for (let n = 0; n < dirs.length; n++) results[n].push(await sample(n, false));
    }
    const ms = (x) => `${x.toFixed(1)} ms`;
    console.table(
      Object.fromEntries(
        dirs.map((d, n) => {
          const rs = results[n];
          const med = (k) => ms(median(rs.map((x) => x[k])));
          return [
            d,
            {
              'init()': med('init'),
              'first new Bundle': med('compile'),
              'Wizard + state()': med('wizard'),
              'cold (init → state)': med('cold'),
              'cold min–max': `${ms(Math.min(...rs.map((x) => x.cold)))}–${ms(Math.max(...rs.map((x) => x.cold)))}`,
              'warm new Bundle': ms(median(rs.map((x) => median(x.warm)))),
            },
          ];
        }),
      ),
    );
    const fresh = running ? 'fresh pages (each in a new context of one browser)' : 'fresh browsers';
    console.log(`medians over ${PAGES} ${fresh} per build (warm: each page's median of ${WARM}); ${NAME}`);
  }
} finally {
  await running?.close();
  await server.close();
}
