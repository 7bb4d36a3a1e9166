// The report `npm test` prints: short, with every failure in full.
//
// node:test's own `dot` reporter does the work — a dot per test, an X per
// failure, then each failure with its error and stack. This adds what dot
// leaves out, after it:
// - the tests skipped, with their reasons;
// - what the runner said of its own, beside the counts (an error thrown
//   after its test ended fails the file, and is told only there);
// - anything a test file printed that no test captured, marked as such, so
//   that it cannot be mistaken for a failure (tests that expect output
//   capture it: see test/fixtures/scenarios/);
// - the files that took longest (keep scripts/test-files.ts's `longestFirst`
//   to them: npm test starts those first);
// - the counts, ending on a line `tests: N passed, N failed, N skipped`.
//
//   node --import tsx --test --test-reporter=./scripts/test-reporter.mjs test/*/*.test.ts
//
// Plain JavaScript: node loads a reporter before `--import tsx` applies.
import { relative } from 'node:path';
import { dot } from 'node:test/reporters';

const cwd = process.cwd();

/**
 * @param {AsyncIterable<import('node:test/reporters').TestEvent>} source
 * @returns {AsyncGenerator<string, void>}
 */
export default async function* report(source) {
  const totals = new Map();
  /** @type {string[]} */
  const skipped = [];
  /** @type {string[]} */
  const printed = [];
  /** @type {string[]} What the runner said that is not a count. */
  const said = [];
  /** @type {string[]} Test files whose process ended with an exit code or a signal. */
  const ended = [];
  /** @type {[string, number][]} How long each test file took, where the runner reports a file as a test. */
  const files = [];
  async function* watched() {
    for await (const event of source) {
      if (event.type === 'test:diagnostic' && event.data.nesting === 0) {
        // The runner's closing counts: `tests 264`, `pass 261`, `duration_ms 61234.5`…, summed
        // over the runs that fed this report (npm test runs one group of files after another).
        const [name, value, ...rest] = event.data.message.split(' ');
        if (name !== undefined && value !== undefined && rest.length === 0 && Number.isFinite(Number(value)))
          totals.set(name, (totals.get(name) ?? 0) + Number(value));
        else said.push(`  ${event.data.message.replace(/\n/g, '\n  ')}`);
      } else if (event.type === 'test:pass' && event.data.skip !== undefined && event.data.skip !== false) {
        const reason = typeof event.data.skip === 'string' ? ` (${event.data.skip})` : '';
        skipped.push(`  ${event.data.name}${reason}`);
      } else if (event.type === 'test:fail' && event.data.nesting === 0 && event.data.file !== undefined) {
        // A file's process that ended badly fails the file as a test ('test failed') even when
        // every test in it passed: say how it ended, which its error alone does not.
        const { exitCode, signal } = event.data.details.error ?? {};
        if (relative(cwd, event.data.name) === relative(cwd, event.data.file) && (exitCode || signal)) {
          const how = signal ? `signal ${signal}` : `exit code ${exitCode}`;
          ended.push(`  ${relative(cwd, event.data.file)}: its process ended with ${how}`);
        }
      }
      if (event.type === 'test:complete' && event.data.nesting === 0 && event.data.file !== undefined) {
        // Each file runs as a test named by its path (Node 20's runner).
        if (relative(cwd, event.data.name) === relative(cwd, event.data.file))
          files.push([relative(cwd, event.data.file), event.data.details.duration_ms]);
      } else if (event.type === 'test:stdout' || event.type === 'test:stderr') {
        const from = event.data.file === undefined ? '' : `${relative(cwd, event.data.file)}: `;
        for (const line of event.data.message.replace(/\n$/, '').split('\n')) printed.push(`  │ ${from}${line}`);
      }
      yield event;
    }
  }
  yield* dot(watched());

  if (ended.length > 0) yield `\nTest files whose process failed:\n${ended.join('\n')}\n`;
  if (said.length > 0) yield `\nThe test runner said:\n${said.join('\n')}\n`;
  if (skipped.length > 0) yield `\nSkipped:\n${skipped.join('\n')}\n`;
  if (printed.length > 0) {
    yield `\nPrinted by test files (output no test captured; not a failure by itself):\n${printed.join('\n')}\n`;
  }
  if (files.length > 1) {
    const longest = files.sort((a, b) => b[1] - a[1]).slice(0, 5);
    yield `\nLongest files: ${longest.map(([file, ms]) => `${file} ${(ms / 1000).toFixed(1)} s`).join(', ')}\n`;
  }
  /** @param {string} name */
  const count = (name) => totals.get(name) ?? 0;
  const seconds = (count('duration_ms') / 1000).toFixed(1);
  const extra = ['cancelled', 'todo'].filter((name) => count(name) > 0).map((name) => `, ${count(name)} ${name}`);
  yield `\n${count('tests')} tests in ${count('suites')} suites, ${seconds} s${extra.join('')}\n`;
  yield `tests: ${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped\n`;
}
