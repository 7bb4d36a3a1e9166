// Real browsers for `npm run test:browsers`: a static server on 127.0.0.1
// (an ephemeral port) that serves skein's browser build and the test pages,
// with or without the cross-origin isolation headers; Debian's Chromium and
// Firefox ESR driven by puppeteer-core (no browser download); and a page
// run that resolves with what the page reports — tests synchronise on that
// result, never on time, and every wait is bounded. A browser can also be
// opened with no automation attached: such a page reports by POSTing to
// `/report`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { within } from '../helpers/bounded.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const roots: Record<string, string> = {
  '/skein/': join(repoRoot, 'dist/browser'),
  '/pages/': join(repoRoot, 'test/browser/pages'),
};
const types: Record<string, string> = {
  '.js': 'text/javascript',
  '.map': 'application/json',
  '.css': 'text/css',
  '.html': 'text/html',
};

/** A page of the suite: `/run/NAME` loads `pages/NAME.js` as a module, with an import map for `skein`. */
function runnerHtml(name: string): string {
  // The classic script runs first: the page's module settles `pageResult` through `finish`/`fail`.
  return `<!doctype html><meta charset="utf-8"><title>${name}</title>
<script>globalThis.pageResult = new Promise((resolve, reject) => { globalThis.finish = resolve; globalThis.fail = (e) => reject(String(e && e.stack || e)); });
addEventListener('error', (e) => globalThis.fail(e.error ?? e.message));</script>
<script type="importmap">{ "imports": { "skein": "/skein/index.js" } }</script>
<script type="module" src="/pages/${name}.js" onerror="fail('the module /pages/${name}.js (or one it imports) did not load')"></script>
<pre id="out"></pre>`;
}

/** The static server, and the base of its URLs (`http://127.0.0.1:PORT`). */
export interface Served {
  readonly origin: string;
  /** The body of the next POST to `/report` (one already received, if any, oldest first). */
  nextReport(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Serve the suite on 127.0.0.1. With `isolated` (the default) every
 * response carries `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`; without, none does.
 * `site`, if given, is a directory served at `/` (its `index.html` for `/`).
 */
export async function serve({ isolated = true, site }: { isolated?: boolean; site?: string } = {}): Promise<Served> {
  const dirs = site === undefined ? roots : { ...roots, '/': site };
  const reports: string[] = [];
  const awaitingReport: ((report: string) => void)[] = [];
  const server: Server = createServer((request, response) => {
    let path = new URL(request.url ?? '/', 'http://x').pathname;
    if (request.method === 'POST' && path === '/report') {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => {
        body += chunk;
      });
      request.on('end', () => {
        response.end();
        const waiter = awaitingReport.shift();
        if (waiter === undefined) reports.push(body);
        else waiter(body);
      });
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    if (isolated) {
      response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    response.setHeader('Cache-Control', 'no-store');
    if (path.startsWith('/run/')) {
      response.setHeader('Content-Type', 'text/html; charset=utf-8');
      response.end(runnerHtml(path.slice('/run/'.length).replace(/[^\w-]/g, '')));
      return;
    }
    for (const [prefix, dir] of Object.entries(dirs)) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, decodeURIComponent(path.slice(prefix.length))));
      if (!file.startsWith(dir + sep)) break;
      try {
        const body = readFileSync(file);
        response.setHeader('Content-Type', types[extname(file)] ?? 'application/octet-stream');
        response.end(body);
      } catch {
        break;
      }
      return;
    }
    response.statusCode = 404;
    response.end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    nextReport: () => {
      const report = reports.shift();
      return report === undefined ? new Promise((resolve) => awaitingReport.push(resolve)) : Promise.resolve(report);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A browser the suite runs in, as Debian installs it. */
export interface BrowserKind {
  readonly name: 'chromium' | 'firefox';
  readonly executablePath: string;
  launch(): Promise<Launched>;
}

/** A running browser; `close()` ends it and removes what it left on disk. */
export interface Launched {
  readonly browser: Browser;
  close(): Promise<void>;
}

export const browserKinds: readonly BrowserKind[] = [
  {
    name: 'chromium',
    executablePath: '/usr/bin/chromium',
    async launch() {
      // A fresh profile each launch; without the background-networking flags
      // Chromium's own connections are refused by a closed network.
      const profile = mkdtempSync(join(tmpdir(), 'skein-chromium-'));
      const browser = await puppeteer.launch({
        executablePath: this.executablePath,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          `--user-data-dir=${profile}`,
        ],
      });
      return {
        browser,
        async close() {
          await browser.close();
          rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
        },
      };
    },
  },
  {
    name: 'firefox',
    executablePath: '/usr/bin/firefox-esr',
    async launch() {
      // puppeteer-core drives Firefox over WebDriver BiDi, in a profile of its own (removed on close).
      const browser = await puppeteer.launch({
        browser: 'firefox',
        executablePath: this.executablePath,
        headless: true,
      });
      return { browser, close: () => browser.close() };
    },
  },
];

/** A browser opened by {@link openWithoutAutomation}; `close()` ends it and removes its profile. */
export interface Opened {
  close(): Promise<void>;
}

/**
 * Open `url` in `kind`, headless, as a person's browser would run it: a
 * process of its own with a fresh profile and no remote agent (puppeteer
 * cannot see it: the page reports to the server, see {@link Served.nextReport}).
 * For what automation itself disturbs: Firefox's remote agent (WebDriver
 * BiDi, which puppeteer drives it with) sometimes blocks a worker forever in
 * `new Worker()` when the worker makes a worker of its own.
 */
export async function openWithoutAutomation(kind: BrowserKind, url: string): Promise<Opened> {
  const profile = mkdtempSync(join(tmpdir(), `skein-${kind.name}-plain-`));
  const args =
    kind.name === 'firefox'
      ? ['--headless', '--no-remote', '--profile', profile, url]
      : ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`, url];
  // In this process's group (whatever ends the test run ends it too); asked
  // to end, the browser ends its own child processes.
  const browser = spawn(kind.executablePath, args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => browser.once('exit', () => resolve()));
  // Should this process end first (a test timing out), the browser ends with it.
  const endWithUs = () => browser.kill('SIGKILL');
  process.once('exit', endWithUs);
  try {
    await once(browser, 'spawn');
  } catch (error) {
    process.off('exit', endWithUs);
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`could not start ${kind.name} (${kind.executablePath})`, { cause: error });
  }
  return {
    async close() {
      process.off('exit', endWithUs);
      if (browser.exitCode === null && browser.signalCode === null) {
        browser.kill('SIGTERM');
        await within(exited, 20_000, `end ${kind.name} (pid ${browser.pid})`).catch(() => {
          browser.kill('SIGKILL');
          return exited;
        });
      }
      rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/** What a page reported, and what it printed on its console. */
export interface PageRun<T> {
  readonly result: T;
  readonly console: string[];
}

/**
 * Open `/run/NAME` (or the full `url`) in a new tab of `browser` and
 * resolve with what its module passed to `finish()`; reject with what it
 * passed to `fail()` (or an uncaught error), or after `timeoutMs`.
 */
export async function runPage<T>(browser: Browser, url: string, timeoutMs = 60_000): Promise<PageRun<T>> {
  const page = await browser.newPage();
  const console: string[] = [];
  page.on('console', (message) => console.push(message.text()));
  try {
    const run = (async () => {
      await page.goto(url);
      return (await page.evaluate(() => (globalThis as { pageResult?: Promise<unknown> }).pageResult)) as T;
    })();
    return { result: await within(run, timeoutMs, `run the page ${url}`), console };
  } finally {
    await page.close();
  }
}

/**
 * Launch `kind` before the tests of the calling suite and close it after
 * them (the launch bounded); returns a getter for the browser.
 */
export function launchFor(kind: BrowserKind): () => Browser {
  let launched: Launched | undefined;
  before(async () => {
    launched = await within(kind.launch(), 60_000, `launch ${kind.name} (${kind.executablePath})`);
  });
  after(async () => {
    await launched?.close();
  });
  return () => launched!.browser;
}

/** A refusal as a page reports what a call threw (see pages/common.js). */
export interface Refusal {
  name: string;
  code: string;
  message: string;
}
