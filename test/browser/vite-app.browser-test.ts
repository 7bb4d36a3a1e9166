// examples/browser/vite-app, built by Vite here (into a temporary project
// whose node_modules/skein is this package, so Vite resolves `skein` as a
// user's app would: through the package's `browser` export condition) and
// run in Chromium and Firefox: a skein Thread and a worker of the app's own,
// each stopped on demand, print the seed's lines in order on the page, and
// a ThreadPoolExecutor (inline and module targets) and a pool run inside a
// thread show their results. In Firefox the pool inside a thread is checked
// in a browser with no automation attached (see `kNestedWorkersUnderAutomation`).
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { within } from '../helpers/bounded.js';
import type { Page } from 'puppeteer-core';
import { browserKinds, type Launched, openWithoutAutomation, type Served, serve } from './harness.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const kBoundMs = 30_000;
const kNestedLine = "a thread's own pool: 10 20 30\n";

/**
 * Whether the browser, driven by puppeteer, runs a worker that makes
 * workers of its own. Firefox's remote agent (WebDriver BiDi) sometimes
 * blocks such a worker forever inside `new Worker()` (1 round in 4 to 40,
 * headless Firefox ESR 153), with or without skein: a page whose worker
 * only makes two empty workers, round after round, hung the same way, and
 * ran 150 rounds of 150 in a Firefox opened without automation. So in
 * Firefox the pool inside a thread is checked without automation.
 */
const kNestedWorkersUnderAutomation = { chromium: true, firefox: false } as const;

/**
 * The built app's page, plus a script that POSTs to the server's
 * `/report`, as JSON, the pool-in-a-thread line once it shows (or the
 * page's first error): for a browser with no automation attached.
 */
const kReportingPage = 'reporting.html';
const kReporter = `<script>
  const report = (what) => fetch('/report', { method: 'POST', body: JSON.stringify(what) });
  addEventListener('error', (event) => report({ error: String(event.error ?? event.message) }));
  addEventListener('unhandledrejection', (event) => report({ error: String(event.reason) }));
  const out = document.querySelector('#nested-out');
  new MutationObserver(() => report({ nested: out.textContent })).observe(out, { childList: true, characterData: true, subtree: true });
</script>
`;

let project: string;
let site: Served;
/** What the page under test printed on its console (for a failure's message). */
let consoleLines: string[] = [];
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
  const page = readFileSync(join(project, 'dist/index.html'), 'utf8');
  assert.ok(page.includes('</body>'), 'the built page has a </body>');
  writeFileSync(join(project, 'dist', kReportingPage), page.replace('</body>', `${kReporter}</body>`));
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
  await waitFor(page, `${printedSoFar}.split('Worker thread running...').length > 2`);
  await page.click(button);
  await waitFor(page, `${printedSoFar}.includes('Worker closing down')`);
  return ((await page.evaluate(printedSoFar)) as string).split('\n').filter((line) => line !== '');
}

/**
 * Wait (bounded) until `condition`, run in the page, holds; if it does not,
 * fail with what the page shows, so a failure says where the app stopped.
 */
async function waitFor(page: Page, condition: string): Promise<void> {
  try {
    await page.waitForFunction(condition, { timeout: kBoundMs });
  } catch (error) {
    const shown = (await page
      .evaluate(
        "[...document.querySelectorAll('pre')].map((pre) => '#' + pre.id + ':\\n' + pre.textContent).join('\\n')",
      )
      .catch((cause: unknown) => `(the page could not be read: ${String(cause)})`)) as string;
    const said = consoleLines.slice(-20).join('\n');
    throw new Error(
      `${condition} did not hold in ${kBoundMs / 1000} seconds; the page shows\n${shown}\nits console's last lines:\n${said}`,
      {
        cause: error,
      },
    );
  }
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
        consoleLines = [];
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(String(error)));
        page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
        await page.goto(`${site.origin}/`);
        assertSeedOrder(await stopAfterTwoSteps(page, '#thread-out', '#stop-thread'));
        await waitFor(page, "document.body.dataset.threadJoined === 'true'");
        const poolOut = "(document.querySelector('#pool-out').textContent ?? '')";
        await waitFor(page, `${poolOut}.includes('pool shut down')`);
        assert.equal(
          await page.evaluate(poolOut),
          ['inline: 1 4 9 16 25', 'module: 1 8 27', 'pool shut down', ''].join('\n'),
        );
        assertSeedOrder(await stopAfterTwoSteps(page, '#out', '#stop'));
        if (kNestedWorkersUnderAutomation[kind.name]) {
          // A pool in a thread: its workers start from the bundled entry too.
          const nestedOut = "(document.querySelector('#nested-out').textContent ?? '')";
          await waitFor(page, `${nestedOut} !== ''`);
          assert.equal(await page.evaluate(nestedOut), kNestedLine);
        }
        assert.deepEqual(errors, []);
      } finally {
        await launched.close();
      }
    });
  }

  for (const kind of browserKinds.filter(({ name }) => !kNestedWorkersUnderAutomation[name])) {
    it(`runs a pool inside a thread in ${kind.name} with no automation attached`, async () => {
      const opened = await openWithoutAutomation(kind, `${site.origin}/${kReportingPage}`);
      try {
        const report = await within(site.nextReport(), 60_000, `hear from the page in ${kind.name}`);
        assert.deepEqual(JSON.parse(report), { nested: kNestedLine });
      } finally {
        await opened.close();
      }
    });
  }
});
