// `node bench/browser.mjs [--quick]` (after `npm run build`): the browser figures, in headless Chromium
// driven by puppeteer-core — stop notice on a Web Worker's busy loop, and pool throughput against
// workerpool in the same page (bench/browser/page.js). Quick: a few rounds, to check that it works.
import { register } from 'tsx/esm/api';

register();
const { resolve } = await import('node:path');
const { fileURLToPath } = await import('node:url');
const { browserKinds, serve } = await import('../test/browser/harness.ts');

const quick = process.argv.includes('--quick');
const served = await serve({ site: resolve(fileURLToPath(new URL('.', import.meta.url)), '..') });
const chromium = browserKinds.find((kind) => kind.name === 'chromium');
const launched = await chromium.launch();
try {
  const page = await launched.browser.newPage();
  page.on('pageerror', (error) => console.error(error));
  await page.goto(`${served.origin}/bench/browser/${quick ? '?quick' : ''}`);
  // Polled from here, not with page.waitForFunction: a full run outlasts one
  // protocol call's timeout (180 s), which that single call is bound by.
  const deadline = performance.now() + (quick ? 120_000 : 900_000);
  let result;
  while ((result = await page.evaluate(() => globalThis.benchResult)) === undefined) {
    if (performance.now() > deadline) throw new Error('the bench page gave no result in time');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  if (result.error !== undefined) throw new Error(result.error);
  const f = (n, digits = 3) => n.toFixed(digits);
  console.log(
    `Browser figures (Chromium${quick ? ', quick' : ''}: ${result.rounds} rounds, ${result.tasks} tasks, ${result.workers} workers)`,
  );
  console.log('| Stop notice (median) | ms |\n|---|---|');
  console.log(`| skein: page sets an Event, a thread's busy loop sees it | ${f(result.stopNoticeMs.skein)} |`);
  console.log(`| raw: Atomics.store, a raw worker's loop Atomics.load | ${f(result.stopNoticeMs.rawAtomics)} |`);
  console.log(
    `| postMessage to an idle worker, one way (a busy loop never sees it) | ${f(result.stopNoticeMs.postMessageOneWay)} |`,
  );
  console.log('\n| Pool throughput | tasks/s |\n|---|---|');
  console.log(`| skein ThreadPoolExecutor | ${f(result.tasksPerSecond.skein, 0)} |`);
  console.log(`| workerpool (browser build) | ${f(result.tasksPerSecond.workerpool, 0)} |`);
} finally {
  await launched.close();
  await served.close();
}
