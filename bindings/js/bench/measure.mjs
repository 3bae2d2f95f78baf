// Timing shared by bench/run.mjs and bench/compare.mjs.

/** The median of numbers. */
export function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median time of one call of `f`, in nanoseconds: `samples` samples, each the mean of a
 * batch sized to take about `batchNs`, after `warmupNs` of calls (which let the engine compile
 * the hot WebAssembly functions with its optimising tier). */
export function measure(f, { samples, batchNs, warmupNs = 0 }) {
  const warm = process.hrtime.bigint();
  while (Number(process.hrtime.bigint() - warm) < warmupNs) f();
  let batch = 1;
  for (;;) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) f();
    if (Number(process.hrtime.bigint() - t) > batchNs) break;
    batch *= 2;
  }
  const times = [];
  for (let s = 0; s < samples; s++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) f();
    times.push(Number(process.hrtime.bigint() - t) / batch);
  }
  return median(times);
}
