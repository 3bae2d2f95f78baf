// Timing shared by the scripts of bench/, and criterion's native medians beside them.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

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

/** criterion's results, as `cargo bench` left them in `<target>/criterion` (CARGO_TARGET_DIR,
 * else the workspace's `target`). They stay there from whatever run wrote them, so `note`
 * says when that was and warns when it was before the module measured beside them. */
export class Criterion {
  constructor(root) {
    this.dir = join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'criterion');
    /** When the oldest of the results read was written (ms since the epoch). */
    this.written = Infinity;
  }

  /** The median (ns) of `group/function`, if there is one; criterion writes a `/` within
   * the function's name as `_`. */
  median(id) {
    const [group, ...fn] = id.split('/');
    const file = join(this.dir, group, fn.join('_'), 'new', 'estimates.json');
    if (!existsSync(file)) return undefined;
    this.written = Math.min(this.written, statSync(file).mtimeMs);
    return JSON.parse(readFileSync(file, 'utf8')).median.point_estimate;
  }

  /** Prints where the medians read came from and when they were written; warns when that
   * was before `module` (a .wasm file) was built: native and the module were then not
   * measured in one sitting, and the ratios may compare different code. */
  note(module) {
    if (!Number.isFinite(this.written)) return;
    console.log(`native = criterion's medians in ${this.dir}, written ${new Date(this.written).toISOString()} or later`);
    if (existsSync(module) && this.written < statSync(module).mtimeMs) {
      console.warn(
        `warning: criterion's results are older than ${module}: run \`cargo bench -p onething --bench bundle\` ` +
          'again before quoting the ratios against native',
      );
    }
  }
}
