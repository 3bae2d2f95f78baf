// The module under test, by ONETHING_FLAVOUR: `node` (the default: what `import 'onething'`
// gives Node, built for speed) or `web` (the browser build, built for size, instantiated here
// with initSync). Both flavours are the same crate, so every test must pass on both
// (scripts/test.mjs runs the suite once per flavour).

import { readFileSync } from 'node:fs';

export const FLAVOUR = process.env.ONETHING_FLAVOUR ?? 'node';

async function load() {
  switch (FLAVOUR) {
    case 'node':
      return import('onething');
    case 'web': {
      const web = await import('onething/web');
      web.initSync({ module: readFileSync(new URL('../dist/web/onething_wasm_bg.wasm', import.meta.url)) });
      return web;
    }
    default:
      throw new Error(`ONETHING_FLAVOUR is \`${FLAVOUR}\`: it is \`node\` or \`web\``);
  }
}

export const { Bundle, Wizard, merge, diff } = await load();
