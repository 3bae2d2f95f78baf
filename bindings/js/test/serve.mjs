// Shared by the browser tests: a static server on 127.0.0.1 and headless Chromium (Debian's
// /usr/bin/chromium, or CHROMIUM=…, driven by playwright-core).

import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

import { chromium } from 'playwright-core';

const TYPES = {
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.html': 'text/html',
  '.json': 'application/json',
  '.css': 'text/css',
};

/** Starts a server: `routes` maps a path to `[content type, body]`; `dirs` maps a URL prefix
 * (`/dist/web/`) to a directory whose files it serves; `headers` go with every response.
 * Nothing else is reachable. Resolves to `{ origin, close }`. */
export async function serve(routes, dirs = {}, headers = {}) {
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://127.0.0.1').pathname;
    if (routes[path]) {
      res.writeHead(200, { ...headers, 'content-type': routes[path][0] });
      res.end(routes[path][1]);
      return;
    }
    for (const [prefix, dir] of Object.entries(dirs)) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length)));
      if ((file + sep).startsWith(dir + sep) && existsSync(file) && statSync(file).isFile()) {
        res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(readFileSync(file));
        return;
      }
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Headless Chromium, without network services of its own. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** Opens `url` in a new page of `browser` and waits for the page to set `window.__result`;
 * the result, with the page's uncaught errors. */
export async function resultOf(browser, url) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000 });
    return { result: await page.evaluate(() => window.__result), errors };
  } finally {
    await page.close();
  }
}
