// examples/browser/vite-app, built by Vite here (into a temporary project
// whose node_modules/skein is this package, so Vite resolves `skein` as a
// user's app would: through the package's `browser` export condition) and
// run in Chromium and Firefox: a skein Thread and a worker of the app's own,
// each stopped on demand, print the seed's lines in order on the page, and
// a ThreadPoolExecutor (inline and module targets), then a pool run inside a
// thread, show their results.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { within } from '../helpers/bounded.js';
import type { Page } from 'puppeteer-core';
import { browserKinds, type Launched, type Served, serve } from './harness.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const kBoundMs = 30_000;

let project: string;
let site: Served;
before(async () => {
  project = mkdtempSync(join(tmpdir(), 'skein-vite-'));
  cpSync(join(repoRoot, 'examples/browser/vite-app'), project, { recursive: true });
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(repoRoot, join(project, 'node_modules/skein'), 'dir');
  await within(
    build({ root: project, logLevel: 'warn', build: { outDir: join(project, 'dist') } }),
    120_000,
    'build the Vite app',
  );
  site = await serve({ site: join(project, 'dist') });
});
after(async () => {
  await site?.close();
  if (project !== undefined) rmSync(project, { recursive: true, force: true });
});

/**
 * Press `button` once the <pre> `out` shows two steps, as the seed stops
 * its thread (the app steps until stopped), and return the lines `out`
 * shows once the task has closed down.
 */
async function stopAfterTwoSteps(page: Page, out: string, button: string): Promise<string[]> {
  // (Run in the page: strings, since this file is not compiled with the DOM's types.)
  const printedSoFar = `(document.querySelector('${out}').textContent ?? '')`;
  await page.waitForFunction(`${printedSoFar}.split('Worker thread running...').length > 2`, { timeout: kBoundMs });
  await page.click(button);
  await page.waitForFunction(`${printedSoFar}.includes('Worker closing down')`, { timeout: kBoundMs });
  return ((await page.evaluate(printedSoFar)) as string).split('\n').filter((line) => line !== '');
}

/** Two steps at least (more may come before the click lands), then the stop, in order. */
function assertSeedOrder(printed: string[]): void {
  const stopAt = printed.indexOf('Main stopping thread');
  assert.ok(stopAt >= 2, printed.join('\n'));
  assert.deepEqual(printed.slice(0, stopAt), Array(stopAt).fill('Worker thread running...'));
  assert.deepEqual(printed.slice(stopAt), ['Main stopping thread', 'Worker closing down']);
}

describe('the Vite example app', () => {
  it("bundles skein's browser build, with no node: import, for the page, skein's workers and the app's worker", () => {
    const assets = readdirSync(join(project, 'dist/assets')).filter((file) => file.endsWith('.js'));
    assert.ok(
      assets.some((file) => file.startsWith('worker')),
      `the app's worker bundle among ${assets.join(', ')}`,
    );
    // skein's worker entry, bundled as a worker of the app (it keeps its start data under this symbol).
    assert.ok(
      assets.some((file) => readFileSync(join(project, 'dist/assets', file), 'utf8').includes('skein.workerStart')),
      `skein's worker entry among ${assets.join(', ')}`,
    );
    for (const file of assets) {
      const code = readFileSync(join(project, 'dist/assets', file), 'utf8');
      const nodeImport = /(?:from|import)\s*\(?\s*["']node:[^"']*["']/.exec(code);
      assert.equal(nodeImport, null, `${file} imports no node: module, found ${nodeImport?.[0]}`);
    }
  });

  for (const kind of browserKinds) {
    it(`runs a skein Thread, a pool and the app's own worker in ${kind.name}: the seed's lines in order, the results`, async () => {
      const launched: Launched = await within(kind.launch(), 60_000, `launch ${kind.name}`);
      try {
        const page = await launched.browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(String(error)));
        await page.goto(`${site.origin}/`);
        assertSeedOrder(await stopAfterTwoSteps(page, '#thread-out', '#stop-thread'));
        await page.waitForFunction("document.body.dataset.threadJoined === 'true'", { timeout: kBoundMs });
        const poolOut = "(document.querySelector('#pool-out').textContent ?? '')";
        await page.waitForFunction(`${poolOut}.includes("a thread's own pool")`, { timeout: kBoundMs });
        assert.equal(
          await page.evaluate(poolOut),
          [
            'inline: 1 4 9 16 25',
            'module: 1 8 27',
            'pool shut down',
            // A pool in a thread: its workers start from the bundled entry too.
            "a thread's own pool: 10 20 30",
            '',
          ].join('\n'),
        );
        assertSeedOrder(await stopAfterTwoSteps(page, '#out', '#stop'));
        assert.deepEqual(errors, []);
      } finally {
        await launched.close();
      }
    });
  }
});
