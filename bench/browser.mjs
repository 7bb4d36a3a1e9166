// `npm run bench:browser` (`node bench/browser.mjs [--quick]` after `npm run build`): the browser figures, in
// headless Chromium driven by puppeteer-core — stop notice on a Web Worker's busy loop, and pool throughput
// against workerpool in the same page (bench/browser/page.js) — printed, and written into bench/results.md
// as a section of their own (`## Browser figures (Chromium)`, replaced on each run; the Node figures of
// `npm run bench` are left as they are). Quick: fewer rounds, to check that it works; it prints its figures
// and writes nothing (nor does a run with BENCH_QUERY, below).
import { register } from 'tsx/esm/api';

register();
const { readFile, writeFile } = await import('node:fs/promises');
const { resolve } = await import('node:path');
const { fileURLToPath } = await import('node:url');
const { browserKinds, serve } = await import('../test/browser/harness.ts');
const { machineLine } = await import('./lib/report.ts');
const { BROWSER_HEADING, replaceSection } = await import('./lib/results-file.ts');

const quick = process.argv.includes('--quick');
const resultsFile = new URL('./results.md', import.meta.url);
const startedAt = performance.now();
const served = await serve({ site: resolve(fileURLToPath(new URL('.', import.meta.url)), '..') });
const chromium = browserKinds.find((kind) => kind.name === 'chromium');
const launched = await chromium.launch();
let result;
let version;
try {
  version = await launched.browser.version();
  const page = await launched.browser.newPage();
  page.on('pageerror', (error) => console.error(error));
  // BENCH_QUERY (e.g. `rounds=50&tasks=1000&runs=3`) sets the page's counts, to look into a figure.
  const query = process.env.BENCH_QUERY ?? (quick ? 'quick' : '');
  await page.goto(`${served.origin}/bench/browser/?${query}`);
  // Polled from here, not with page.waitForFunction, whose single protocol call is bound to 180 s.
  const deadline = performance.now() + (quick ? 120_000 : 600_000);
  while ((result = await page.evaluate(() => globalThis.benchResult)) === undefined) {
    if (performance.now() > deadline) throw new Error('the bench page gave no result in time');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (result.error !== undefined) throw new Error(result.error);
} finally {
  await launched.close();
  await served.close();
}
const seconds = (performance.now() - startedAt) / 1000;

const group = (n) => Math.round(n).toLocaleString('en-US');
const ms = ({ median, min, max }) => {
  // Microseconds below a millisecond; the clock a page shares with its workers ticks every 5 µs when isolated.
  const f = (n) => (n < 1 ? `${(n * 1000).toFixed(0)} µs` : `${n.toFixed(2)} ms`);
  return `${f(median)} (${f(min)}–${f(max)})`;
};
const rate = ({ median, min, max }) => `${group(median)} tasks/s (${group(min)}–${group(max)})`;
const { stopNoticeMs: stop, tasksPerSecond: pools } = result;
const section = [
  BROWSER_HEADING,
  '',
  `Machine: ${machineLine()}; ${version}, headless.`,
  `Run: \`npm run bench:browser\`${quick ? ' -- --quick' : ''} (${quick ? 'quick' : 'full'}), ${seconds.toFixed(0)} s; ` +
    `workerpool's browser build in the same page. Median and range (min–max).`,
  '',
  `**Stop notice** (${result.rounds} rounds after ${result.warmUp} of warm-up, one worker spinning through them all):`,
  '',
  '| How the stop reaches a busy worker | Notice |',
  '| --- | --- |',
  `| skein: the page sets an \`Event\`, the thread's \`while (!stop.isSet());\` sees it | ${ms(stop.skein)} |`,
  `| raw: \`Atomics.store\` on the page, a raw worker's loop \`Atomics.load\`s it | ${ms(stop.rawAtomics)} |`,
  `| postMessage to an idle worker, one way (a busy loop never sees one) | ${ms(stop.postMessageOneWay)} |`,
  '',
  `**Pool throughput** (${result.workers} workers, ${group(result.tasks)} tasks \`x + 1\` submitted at once a run, ${result.runs} runs after one to warm up, each pool opened once, the two in turn, as in the Node bench):`,
  '',
  '| Pool | Throughput |',
  '| --- | --- |',
  `| skein ThreadPoolExecutor | ${rate(pools.skein)} |`,
  `| workerpool (browser build) | ${rate(pools.workerpool)} |`,
  '',
  'The worker stamps when its loop saw the stop on the clock a page shares with its workers ' +
    '(`performance.timeOrigin + performance.now()`); the page never spins, so the worker has a core to itself. ' +
    `Parts of the run (ms): ${Object.entries(result.phaseMs)
      .map(([part, took]) => `${part} ${group(took)}`)
      .join(', ')}.`,
  '',
].join('\n');
console.log(section);
// Only a full run with the page's own counts makes the figures of results.md.
if (!quick && process.env.BENCH_QUERY === undefined) {
  const previous = await readFile(resultsFile, 'utf8').catch(() => '# skein benchmarks\n');
  await writeFile(resultsFile, replaceSection(previous, BROWSER_HEADING, section));
  console.log(`wrote the section "${BROWSER_HEADING}" of ${fileURLToPath(resultsFile)} in ${seconds.toFixed(1)} s`);
}
