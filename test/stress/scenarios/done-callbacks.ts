// Done callbacks that call back into their own pool — submit more work, or
// shut it down — from every place a future settles: a task's report, a
// crash of its worker, cancel() inside shutdown(). No call may deadlock,
// throw to the pool, or lose a future.
import { CancelledError, Event, RuntimeError, ThreadPoolExecutor, stopEvent, type Future } from 'skein';
import { within } from '../../helpers/bounded.js';

/** What {@link runDoneCallbacks} saw. */
export interface DoneCallbackReport {
  /** Tasks submitted from inside done callbacks, and how many completed. */
  submittedFromCallbacks: number;
  completedFromCallbacks: number;
  /** Shutdowns started from inside done callbacks, all of which resolved. */
  shutdownsFromCallbacks: number;
  /** Submits refused (as they must be) because a callback had shut the pool down. */
  refusedAfterShutdown: number;
  problems: string[];
}

const double = (n: number): number => n * 2;

/** Run every done-callback scenario `rounds` times over; `chain` is the depth of the submit chain. */
export async function runDoneCallbacks(rounds: number, chain: number): Promise<DoneCallbackReport> {
  const report: DoneCallbackReport = {
    submittedFromCallbacks: 0,
    completedFromCallbacks: 0,
    shutdownsFromCallbacks: 0,
    refusedAfterShutdown: 0,
    problems: [],
  };
  for (let round = 0; round < rounds; round++) {
    await within(
      submitChain(report, chain),
      60_000,
      `run a chain of ${chain} submits from done callbacks (round ${round})`,
    );
    await within(submitFanOut(report, 50), 60_000, `fan out from 50 done callbacks (round ${round})`);
    await within(submitAfterCrash(report), 60_000, `submit from the callback of a crashed task (round ${round})`);
    await within(shutdownFromCallback(report, false), 60_000, `shut down from a done callback (round ${round})`);
    await within(
      shutdownFromCallback(report, true),
      60_000,
      `shut down, cancelling, from a done callback (round ${round})`,
    );
    await within(stopRunningFromCallback(report), 60_000, `stop running tasks from a done callback (round ${round})`);
  }
  return report;
}

/** Each task's callback submits the next: `depth` tasks in a row, all from callbacks but the first. */
async function submitChain(report: DoneCallbackReport, depth: number): Promise<void> {
  const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
  const last = new Promise<number>((resolve, reject) => {
    const link = (future: Future<number>, left: number): void => {
      future.addDoneCallback((done) => {
        if (left < depth) void done.then(() => report.completedFromCallbacks++, reject);
        if (left === 0) return void done.then(resolve, reject);
        report.submittedFromCallbacks++;
        link(
          pool.submit((n: number) => n + 1, 0),
          left - 1,
        );
      });
    };
    link(
      pool.submit((n: number) => n + 1, 0),
      depth,
    );
  });
  if ((await last) !== 1) report.problems.push('a chained task gave a wrong result');
  await pool.shutdown();
}

/** `count` tasks, each of whose callbacks submits a follow-up to the same pool. */
async function submitFanOut(report: DoneCallbackReport, count: number): Promise<void> {
  const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
  const followUps = Array.from(
    { length: count },
    (_, i) =>
      new Promise<void>((resolve) => {
        pool.submit(double, i).addDoneCallback((done) => {
          report.submittedFromCallbacks++;
          const next = pool.submit(double, i * 10);
          resolve(
            Promise.all([done, next]).then(([a, b]) => {
              if (a === i * 2 && b === i * 20) report.completedFromCallbacks++;
              else report.problems.push(`fan-out ${i}: wrong results ${a}, ${b}`);
            }),
          );
        });
      }),
  );
  await Promise.all(followUps);
  await pool.shutdown();
}

/** The callback of a task whose worker died (run inside the pool's exit handling) submits a replacement. */
async function submitAfterCrash(report: DoneCallbackReport): Promise<void> {
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const replacement = new Promise<unknown>((resolve) => {
    pool
      .submit(() => process.exit(9))
      .addDoneCallback(() => {
        report.submittedFromCallbacks++;
        resolve(pool.submit(double, 21));
      });
  });
  const queued = pool.submit(double, 4);
  const [value, after] = await Promise.all([replacement, queued]);
  if (value === 42 && after === 8) report.completedFromCallbacks++;
  else report.problems.push(`after a crash: got ${String(value)} and ${String(after)}`);
  await pool.shutdown();
}

/**
 * The first task's callback shuts the pool down — waiting, or cancelling
 * what is queued — while more tasks are queued and the main thread waits on
 * its own shutdown(); the queued tasks' own callbacks then try to submit,
 * and must be refused.
 */
async function shutdownFromCallback(report: DoneCallbackReport, cancelFutures: boolean): Promise<void> {
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const gate = new Event();
  let shutdown: Promise<void> | undefined;
  const first = pool.submit((gate: Event) => gate.wait(30_000), gate);
  const queued = Array.from({ length: 20 }, (_, i) => pool.submit(double, i));
  first.addDoneCallback(() => {
    report.shutdownsFromCallbacks++;
    shutdown = pool.shutdown({ cancelFutures });
  });
  for (const future of queued) {
    future.addDoneCallback(() => {
      try {
        pool.submit(double, 0);
        report.problems.push('a submit after shutdown was accepted');
      } catch (error) {
        if (error instanceof RuntimeError && error.message === 'cannot schedule new futures after shutdown')
          report.refusedAfterShutdown++;
        else report.problems.push(`a submit after shutdown threw ${String(error)}`);
      }
    });
  }
  // The main thread shuts the pool down too, while the first task still runs.
  const ownShutdown = pool.shutdown({ wait: true });
  gate.set();
  await first;
  await Promise.all([shutdown, ownShutdown]);
  for (const [i, future] of queued.entries()) {
    if (!future.done()) report.problems.push(`queued task ${i} not done after shutdown`);
    else if (future.cancelled()) {
      if (!cancelFutures) report.problems.push(`queued task ${i} cancelled by a plain shutdown`);
      await future.then(
        () => report.problems.push(`cancelled task ${i} gave a result`),
        (error: unknown) =>
          void (error instanceof CancelledError || report.problems.push(`task ${i}: ${String(error)}`)),
      );
    } else if ((await future) !== i * 2) report.problems.push(`queued task ${i} gave a wrong result`);
  }
}

/** A callback shuts the pool down asking its running tasks to stop, one of which never checks. */
async function stopRunningFromCallback(report: DoneCallbackReport): Promise<void> {
  const pool = new ThreadPoolExecutor({ maxWorkers: 3 });
  const started = [new Event(), new Event()];
  const polite = pool.submit((started: Event) => {
    started.set();
    return stopEvent().wait(30_000) ? 'stopped politely' : 'timed out';
  }, started[0]!);
  const deaf = pool.submit((started: Event) => {
    started.set();
    for (;;);
  }, started[1]!);
  await Promise.all(started.map((event) => event.waitAsync(30_000)));
  let shutdown: Promise<void> | undefined;
  pool.submit(double, 1).addDoneCallback(() => {
    report.shutdownsFromCallbacks++;
    shutdown = pool.shutdown({ stopRunning: true, timeout: 50, force: true });
  });
  const [politeResult, deafResult] = await Promise.allSettled([polite, deaf]);
  await shutdown;
  if (politeResult.status !== 'fulfilled' || politeResult.value !== 'stopped politely')
    report.problems.push('the polite task did not stop by itself');
  if (!deaf.cancelled()) report.problems.push(`the deaf task ended ${deafResult.status} instead of being forced`);
}
