// examples/browser/vite-app, built by Vite here (into a temporary project
// whose node_modules/skein is this package, so Vite resolves `skein` as a
// user's app would: through the package's `browser` export condition) and
// run in Chromium and Firefox: the seed's lines, in order, on the page.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { within } from '../helpers/bounded.js';
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

describe('the Vite example app', () => {
  it("bundles skein's browser build, with no node: import, for the page and its worker", () => {
    const assets = readdirSync(join(project, 'dist/assets')).filter((file) => file.endsWith('.js'));
    assert.ok(
      assets.some((file) => file.startsWith('worker')),
      `a worker bundle among ${assets.join(', ')}`,
    );
    for (const file of assets) {
      const code = readFileSync(join(project, 'dist/assets', file), 'utf8');
      const nodeImport = /(?:from|import)\s*\(?\s*["']node:[^"']*["']/.exec(code);
      assert.equal(nodeImport, null, `${file} imports no node: module, found ${nodeImport?.[0]}`);
    }
  });

  for (const kind of browserKinds) {
    it(`prints the seed's lines in order in ${kind.name} when Stop is pressed`, async () => {
      const launched: Launched = await within(kind.launch(), 60_000, `launch ${kind.name}`);
      try {
        const page = await launched.browser.newPage();
        await page.goto(`${site.origin}/`);
        // (Run in the page: strings, since this file is not compiled with the DOM's types.)
        const printedSoFar = "(document.querySelector('#out').textContent ?? '')";
        // Stop once the worker has printed two steps, as the seed does (the app steps until stopped).
        await page.waitForFunction(`${printedSoFar}.split('Worker thread running...').length > 2`, {
          timeout: kBoundMs,
        });
        await page.click('#stop');
        await page.waitForFunction(`${printedSoFar}.includes('Worker closing down')`, { timeout: kBoundMs });
        const printed = ((await page.evaluate(printedSoFar)) as string).split('\n').filter((line) => line !== '');
        // Two steps at least (more may come before the click lands), then the stop, in order.
        const stopAt = printed.indexOf('Main stopping thread');
        assert.ok(stopAt >= 2, printed.join('\n'));
        assert.deepEqual(printed.slice(0, stopAt), Array(stopAt).fill('Worker thread running...'));
        assert.deepEqual(printed.slice(stopAt), ['Main stopping thread', 'Worker closing down']);
      } finally {
        await launched.close();
      }
    });
  }
});
