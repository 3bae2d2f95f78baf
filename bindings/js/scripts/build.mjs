// Builds the npm package: two flavours of the WebAssembly module, each with the JavaScript
// glue of every entry point that loads it, under dist/.
//
//   node scripts/build.mjs            (npm run build)
//
//   dist/web/    the browser flavour, built for size (it is downloaded):
//     onething_wasm_bg.wasm          the one module of every browser entry point
//     onething_wasm.js, .d.ts        `wasm-bindgen --target web`: ESM, `await init()` once; what
//                                    `import 'onething'` gives a bundler (no `node` condition)
//     bundler.js, bundler.d.ts,      `wasm-bindgen --target bundler`: ESM importing the .wasm as
//     onething_wasm_bg.js            a module (webpack's asyncWebAssembly, vite-plugin-wasm):
//                                    `onething/bundler`
//   dist/node/   the Node flavour, built for speed (a server does not download it):
//     onething_wasm_bg.wasm          the one module of both Node entry points
//     onething_wasm.js, .d.ts        `--target experimental-nodejs-module`: ESM, reads the module
//                                    from disk when imported (no init)
//     onething_wasm.cjs, .d.cts      `--target nodejs`: the same for `require`
//   dist/size.json                   the browser module's sizes and its ceiling
//
// Steps:
//   1. cargo builds the facade crate `onething-wasm` for wasm32-unknown-unknown twice: with
//      the profile `wasm-release` (opt-level "z") for browsers and `wasm-node` (opt-level 3)
//      for Node (CARGO_TARGET_DIR is honoured);
//   2. wasm-bindgen (exactly the version wasm/Cargo.toml pins) generates the glue; every
//      target of one flavour gets the same module bytes (checked), so each flavour ships one;
//   3. wasm-opt (npm `binaryen`) optimises each flavour's module once, both in parallel:
//      `-O3 --low-memory-unused`; for browsers without inlining functions into their only
//      caller (BENCHMARKS.md, "WebAssembly", has the options measured);
//   4. the declarations import the types generated from schemas/ (types/onething.d.ts);
//   5. the browser module's gzip and brotli sizes are printed and written to size.json; over
//      the gzip ceiling the build fails.
// Everything is built in a scratch directory beside dist/, which replaces dist/ only when the
// build has passed: a failed build leaves the previous dist/ as it was.
//
// Needs: rustup target wasm32-unknown-unknown, wasm-bindgen-cli of the pinned version on
// PATH (`cargo install wasm-bindgen-cli --version <pin>`), `npm ci` done here.

import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const root = join(pkg, '..', '..');
const dist = join(pkg, 'dist');
const NAME = 'onething_wasm';

/** The ceiling of the gzipped browser module, in KiB: what CI enforces, issue 24's 1,250 KiB.
 * After lists (issue 20) the module was 1,334 KiB; Rhai without its integer types other than
 * i64 (`only_i64`) and without its script optimiser (`no_optimize`), and the regex crates
 * without their `perf` features in this flavour (vendor/README.md), brought it to about
 * 1,243 KiB (BENCHMARKS.md, "Size budget"). Lower it whenever the module shrinks, so that
 * growth is caught. */
export const CEILING_GZ_KIB = 1250;

/** wasm-opt flags per flavour (BENCHMARKS.md has the alternatives measured). The module's
 * stack lies below its data from address 1 MiB down, so its low 1 KiB is never used:
 * `--low-memory-unused` lets binaryen fold small constant offsets into loads and stores
 * (10 KiB less gzipped; it changes nothing for a program that does not overflow its stack,
 * which would corrupt memory either way). `--converge` (repeat the passes until the module
 * stops shrinking) gave 4-9 KiB less gzipped for about two more minutes; on the module with
 * lists (issue 20) one browser build ran it for over 30 minutes of CPU without ending, which
 * CI's 90 minutes cannot afford, so it is off. For browsers, `-ocimfs 0` keeps
 * binaryen from inlining a function into its only caller and `-fimfs 0` from inlining small
 * call-free ones everywhere: the file grows, but it compresses so much better that it is
 * about 110 KiB smaller gzipped, for evaluations 10-20 % slower (the Node flavour, built for
 * speed, keeps its inlining). */
const WASM_OPT = {
  web: ['-O3', '-ocimfs', '0', '-fimfs', '0', '--low-memory-unused'],
  node: ['-O3', '--low-memory-unused'],
};

/** The flavours: cargo profile and features, and the wasm-bindgen targets sharing its module.
 * The browser module leaves out the crate's default features: the authoring tools of issue
 * 21 (`Bundle.test` about 19 KiB gzipped, `diff` about 9 KiB: features `test-cases` and
 * `diff`) and the regex crates' speed features (`fast-regex`, about 48 KiB). Node has them. */
const FLAVOURS = [
  {
    dir: 'web',
    profile: 'wasm-release',
    features: ['--no-default-features'],
    glue: [
      { target: 'web', rename: {} },
      { target: 'bundler', rename: { [`${NAME}.js`]: 'bundler.js', [`${NAME}.d.ts`]: 'bundler.d.ts' } },
    ],
  },
  {
    dir: 'node',
    profile: 'wasm-node',
    features: [],
    glue: [
      { target: 'experimental-nodejs-module', rename: {} },
      { target: 'nodejs', rename: { [`${NAME}.js`]: `${NAME}.cjs`, [`${NAME}.d.ts`]: `${NAME}.d.cts` } },
    ],
  },
];

function run(cmd, args, opts = {}) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  return execFileSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
}

function pinnedBindgen() {
  const toml = readFileSync(join(root, 'wasm', 'Cargo.toml'), 'utf8');
  const m = toml.match(/^wasm-bindgen = "=([0-9.]+)"/m);
  if (!m) throw new Error('wasm/Cargo.toml does not pin wasm-bindgen as "=x.y.z"');
  return m[1];
}

function checkBindgen(version) {
  let out = '';
  try {
    out = execFileSync('wasm-bindgen', ['--version'], { encoding: 'utf8' });
  } catch {
    throw new Error(`wasm-bindgen is not installed: cargo install wasm-bindgen-cli --version ${version}`);
  }
  if (out.trim() !== `wasm-bindgen ${version}`) {
    throw new Error(
      `${out.trim()} is installed, the crate pins ${version}: cargo install wasm-bindgen-cli --version ${version}`,
    );
  }
}

/** The sizes of a file as served: raw, gzip -9, brotli at its highest quality. */
export function sizes(bytes) {
  return {
    bytes: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

const kib = (n) => `${Math.ceil(n / 1024).toLocaleString('en')} KiB`;

async function build(out) {
  const version = pinnedBindgen();
  checkBindgen(version);
  const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, 'target');

  // 1. The modules.
  for (const f of FLAVOURS) {
    run('cargo', ['build', '--locked', '-p', 'onething-wasm', '--target', 'wasm32-unknown-unknown', '--profile', f.profile, ...f.features]);
  }

  // 2. The glue; one module per flavour.
  const modules = [];
  for (const f of FLAVOURS) {
    const raw = join(targetDir, 'wasm32-unknown-unknown', f.profile, `${NAME}.wasm`);
    const dir = join(out, f.dir);
    mkdirSync(dir, { recursive: true });
    let module;
    for (const { target, rename } of f.glue) {
      const tmp = join(out, `.${target}`);
      run('wasm-bindgen', ['--target', target, '--out-dir', tmp, '--remove-producers-section', raw]);
      const bytes = readFileSync(join(tmp, `${NAME}_bg.wasm`));
      if (module === undefined) module = bytes;
      else if (!bytes.equals(module)) throw new Error(`wasm-bindgen made another ${f.dir} module for --target ${target}`);
      for (const [from, to] of Object.entries(rename)) {
        let text = readFileSync(join(tmp, from), 'utf8');
        // The glue names its own declarations (`@ts-self-types`); follow the rename.
        text = text.replace(`@ts-self-types="./${NAME}.d.ts"`, `@ts-self-types="./${rename[`${NAME}.d.ts`]}"`);
        writeFileSync(join(tmp, to), text);
        rmSync(join(tmp, from));
      }
      for (const file of [`${NAME}.js`, `${NAME}.d.ts`, `${NAME}_bg.js`, ...Object.values(rename)]) {
        try {
          copyFileSync(join(tmp, file), join(dir, file));
        } catch (e) {
          if (e.code !== 'ENOENT') throw e;
        }
      }
      rmSync(tmp, { recursive: true });
    }
    const unoptimised = join(out, `${f.dir}.wasm`);
    writeFileSync(unoptimised, module);
    modules.push({ f, unoptimised, wasm: join(dir, `${NAME}_bg.wasm`) });
  }

  // 3. wasm-opt, both flavours at once (each is single-threaded most of the time).
  const wasmOpt = join(pkg, 'node_modules', '.bin', 'wasm-opt');
  await Promise.all(
    modules.map(({ f, unoptimised, wasm }) => {
      const args = [...WASM_OPT[f.dir], '--strip-debug', '--strip-producers', unoptimised, '-o', wasm];
      console.log(`$ wasm-opt ${args.join(' ')}`);
      return promisify(execFile)(wasmOpt, args, { cwd: root, maxBuffer: 64 << 20 }).then(() => rmSync(unoptimised));
    }),
  );

  // 4. Declarations: the generated types of inputs and outputs.
  const TYPES = readFileSync(join(pkg, 'types', 'onething.d.ts'), 'utf8');
  const exported = [...TYPES.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]);
  for (const file of [
    join(out, 'web', `${NAME}.d.ts`),
    join(out, 'web', 'bundler.d.ts'),
    join(out, 'node', `${NAME}.d.ts`),
    join(out, 'node', `${NAME}.d.cts`),
  ]) {
    const dts = readFileSync(file, 'utf8');
    const used = exported.filter((t) => new RegExp(`\\b${t}\\b`).test(dts));
    const header =
      `import type { ${used.join(', ')} } from '../../types/onething.js';\n` +
      `export type * from '../../types/onething.js';\n`;
    writeFileSync(file, header + dts);
  }

  // 5. Sizes.
  const web = sizes(readFileSync(join(out, 'web', `${NAME}_bg.wasm`)));
  const node = sizes(readFileSync(join(out, 'node', `${NAME}_bg.wasm`)));
  const ceiling = CEILING_GZ_KIB * 1024;
  writeFileSync(join(out, 'size.json'), JSON.stringify({ web: { ...web, ceiling_gzip: ceiling }, node }, null, 2) + '\n');
  console.log(
    `\ndist/web/${NAME}_bg.wasm (browsers): ${kib(web.bytes)}, ${kib(web.gzip)} gzipped (ceiling ${kib(ceiling)}), ${kib(web.brotli)} brotli` +
      `\ndist/node/${NAME}_bg.wasm (Node):    ${kib(node.bytes)}, ${kib(node.gzip)} gzipped, ${kib(node.brotli)} brotli`,
  );
  if (web.gzip > ceiling) {
    throw new Error(
      `the gzipped browser module is over its ceiling by ${kib(web.gzip - ceiling)} (scripts/build.mjs, CEILING_GZ_KIB); dist/ is unchanged`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const out = mkdtempSync(join(pkg, '.dist-'));
  chmodSync(out, 0o755); // as dist/ would be, not a temporary directory's 0700
  try {
    await build(out);
    rmSync(dist, { recursive: true, force: true });
    renameSync(out, dist);
    console.log(`built dist/ in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } catch (e) {
    rmSync(out, { recursive: true, force: true });
    console.error(`error: ${e.message}`);
    process.exit(1);
  }
}
