// The test files, and the order they run in. Data and a listing only:
// scripts/test.ts runs them, scripts/test-runtimes.ts runs them all on other
// runtimes, and test/scripts/test-files.test.ts checks the lists.
//
// - Quick tests, `test/<area>/<name>.test.ts`: `npm test`.
// - Slow tests, `test/<area>/<name>.slow-test.ts`: `npm run test:slow` (CI
//   runs both). Slow means whole-system and long by nature, not by
//   carelessness: a consumer project installing the packed package, npm's
//   own checks, the API reference TypeDoc builds, the examples run as the
//   programs they are (the tutorial's with the sleeps that are their point),
//   and the stress scenarios at the sizes that make them stress.
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
  'test/package/consumer.slow-test.ts',
  'test/examples/seed.slow-test.ts',
  'test/stress/threads.slow-test.ts',
  'test/thread/process.test.ts',
  'test/thread/signals.test.ts',
  'test/thread/thread.test.ts',
  'test/sync/queue.test.ts',
  'test/executor/pool.test.ts',
  'test/sync/record-queue.test.ts',
  'test/types/diagnostics.test.ts',
  'test/thread/standby.test.ts',
  'test/sync/barrier.test.ts',
  'test/errors/properties.test.ts',
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

/** The files `npm test` runs. */
export const quickFiles = (): string[] => longestFirstOf('.test.ts');

/** The files `npm run test:slow` runs. */
export const slowFiles = (): string[] => longestFirstOf('.slow-test.ts');
