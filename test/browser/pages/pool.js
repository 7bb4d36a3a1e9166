// ThreadPoolExecutor on module Web Workers: submit, map, errors that keep their class, FIFO start
// (a pool of 4 given 4 + k blocking tasks starts exactly the first 4), future.stop() of a busy task
// (asked, and forced), shutdown.
import { CancelledError, Event, ThreadPoolExecutor } from 'skein';
import { kBound, waitFor } from './common.js';
import { ParseError } from './targets.js';

const targets = new URL('./targets.js', import.meta.url);
const bounded = (promise, what) =>
  Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} did not happen in ${kBound} ms`)), kBound)),
  ]);

const pool = new ThreadPoolExecutor({ maxWorkers: 4 });

const square = await bounded(pool.submit((n) => n * n, 7).result(), 'a task');
const mapped = [];
for await (const value of pool.map((n) => n + 1, [1, 2, 3, 4, 5, 6])) mapped.push(value);
const failed = await bounded(pool.submit({ module: targets, export: 'failToParse' }).exception(), 'a failing task');

// FIFO start: 4 + 3 tasks that each record their start and then wait for `release`.
const release = new Event();
// log[0]: the next position; log[1 + p]: 1 + the task that started p-th; log[9]: how many have written theirs.
const log = new Int32Array(new SharedArrayBuffer(4 * 10));
const allStarted = new Event();
const blocking = (log, i, release, allStarted) => {
  Atomics.store(log, 1 + Atomics.add(log, 0, 1), 1 + i);
  if (Atomics.add(log, 9, 1) === 3) allStarted.set();
  release.wait(20_000);
  return i;
};
const futures = Array.from({ length: 7 }, (_, i) => pool.submit(blocking, log, i, release, allStarted));
await waitFor(allStarted, 'the first 4 tasks starting');
// The 4 workers are all busy: nothing else can start until they are released.
const startedWhileBusy = [...log.subarray(1, 1 + Atomics.load(log, 0))].map((plusOne) => plusOne - 1);
const queuedCancelled = futures[6].cancel();
release.set();
const fifoResults = await bounded(Promise.allSettled(futures), 'the FIFO tasks');

// future.stop(): a busy task notices its stop request; one that never looks is ended by force (its future cancelled).
const spinning = new Event();
const spinner = pool.submit({ module: targets, export: 'spinUntilStopped' }, spinning);
await waitFor(spinning, 'the spinning task starting');
const spinnerStop = await spinner.stop({ timeout: kBound });
const deafRunning = new Event();
const deaf = pool.submit((running) => {
  running.set();
  for (;;);
}, deafRunning);
await waitFor(deafRunning, 'the deaf task starting');
const deafStop = await deaf.stop({ timeout: 0, force: true });
// The pool carries on after a forced stop: its worker is replaced.
const after = await bounded(pool.submit((a, b) => a * b, 6, 7).result(), 'a task after a forced stop');

await bounded(pool.shutdown(), 'the shutdown');
let refusedAfterShutdown;
try {
  pool.submit(() => 1);
} catch (error) {
  refusedAfterShutdown = { name: error.name, message: error.message };
}

finish(
  JSON.parse(
    JSON.stringify({
      square,
      mapped,
      failed: { name: failed?.name, isParseError: failed instanceof ParseError, line: failed?.line },
      startedWhileBusy: startedWhileBusy.sort(),
      queuedCancelled,
      fifo: fifoResults.map((settled) =>
        settled.status === 'fulfilled'
          ? settled.value
          : settled.reason instanceof CancelledError
            ? 'cancelled'
            : 'other',
      ),
      spinner: { outcome: spinnerStop, result: await spinner.result() },
      deaf: { outcome: deafStop, cancelled: deaf.cancelled() },
      after,
      refusedAfterShutdown,
    }),
  ),
);
