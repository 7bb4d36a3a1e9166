// The test files, and the order they run in. Data and a listing only:
// scripts/test.ts runs them, scripts/test-runtimes.ts runs them all on other
// runtimes, and test/scripts/test-files.test.ts checks the lists.
//
// - Quick tests, `test/<area>/<name>.test.ts`: `npm test`.
// - Slow tests, `test/<area>/<name>.slow-test.ts`: `npm run test:slow` (CI
//   runs both). Slow means whole-system or exhaustive by nature, not by
//   carelessness: a consumer project installing the packed package, npm's
//   own checks; the TypeScript compiler's and TypeDoc's view of the README,
//   the type errors and the API reference; the examples run as the programs
//   they are (the tutorial's with the sleeps that are their point); whole
//   programs in processes of their own, for what only a process shows (its
//   exit, its output pipe, its flags, the signals it gets); the randomized
//   property tests, and the stress scenarios at the sizes that make them
//   stress. Each has quick counterparts where it has behaviour to
//   check: `npm run typecheck` (with test/types/*.test-d.ts), the unit tests.
//
// Test files run compiled to JavaScript, on plain node (scripts/compile-tests.ts),
// except those in test/typescript/: what only a program under tsx shows (a
// `.ts` module target, a relative `import()` in an inline target, tsx's own
// hooks) and tests of a source module that makes a relative `import()`, run
// as written, under `node --import tsx/esm`.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The files that take longest, longest first: `npm test` and `npm run
 * test:slow` start them first, two at a time, so that a run does not end on
 * one long file while the other core idles. The rest follow in name order.
 * The report names the longest files of each run: keep this list to them.
 */
export const longestFirst = [
  'test/examples/seed.slow-test.ts',
  'test/package/consumer.slow-test.ts',
  'test/errors/properties.slow-test.ts',
  'test/docs/readme.slow-test.ts',
  'test/stress/threads.slow-test.ts',
  'test/thread/process.slow-test.ts',
  'test/thread/signals.slow-test.ts',
  'test/sync/queue.test.ts',
  'test/thread/thread.test.ts',
  'test/executor/pool.test.ts',
  'test/thread/standby.test.ts',
  'test/executor/pool-parity.test.ts',
  'test/security/messages.test.ts',
];

/** Test files under test/<area>/ whose name ends with `ending`, sorted. */
function filesEndingWith(ending: string): string[] {
  return readdirSync(join(root, 'test'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) =>
      readdirSync(join(root, 'test', entry.name))
        .filter((file) => file.endsWith(ending))
        .map((file) => `test/${entry.name}/${file}`),
    )
    .sort();
}

/** The files under test/<area>/ whose name ends with `ending`, {@link longestFirst} first, each once. */
function longestFirstOf(ending: string): string[] {
  const all = filesEndingWith(ending);
  return [...longestFirst.filter((file) => all.includes(file)), ...all.filter((file) => !longestFirst.includes(file))];
}

/** The folder of the tests that run under tsx, uncompiled. */
export const underTsxFolder = 'test/typescript/';

/** Whether `file` (relative to the repository root) runs under tsx, uncompiled. */
export const runsUnderTsx = (file: string): boolean => file.startsWith(underTsxFolder);

/** The files `npm test` runs. */
export const quickFiles = (): string[] => longestFirstOf('.test.ts');

/** The files `npm run test:slow` runs. */
export const slowFiles = (): string[] => longestFirstOf('.slow-test.ts');
