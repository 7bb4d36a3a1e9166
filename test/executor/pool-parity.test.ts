// The pool features users look for in piscina, tinypool and poolifier:
// worker recycling (maxTasksPerWorker), idle workers that exit
// (idleTimeout) and statistics (stats()). Every wait is on results, Events
// or the pool's own counts, bounded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Event, ThreadPoolExecutor, stopEvent, throwIfStopped } from 'skein';
import { within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

/** A task that leaks: it counts its calls in a global of its worker. */
const leaky = (): number => {
  const scope = globalThis as { calls?: number };
  scope.calls = (scope.calls ?? 0) + 1;
  return scope.calls;
};

/** Resolve once `condition()` holds, checking every 10 ms; fail after `timeoutMs`, saying what was awaited. */
async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`failed to see ${what} in ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('maxTasksPerWorker', () => {
  it('replaces a worker after that many tasks: a leak lives only as long as its worker', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1, maxTasksPerWorker: 3 });
    const counts: number[] = [];
    // One at a time: each call's worker is the one left by the call before.
    for (let i = 0; i < 7; i++) counts.push(await within(pool.submit(leaky).result(), 10_000, `run call ${i}`));
    assert.deepEqual(counts, [1, 2, 3, 1, 2, 3, 1]);
  });

  it('loses no task queued while its worker is replaced', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2, maxTasksPerWorker: 1 });
    // Six tasks wait while the two workers are replaced, three times over; each task boots a worker.
    const futures = Array.from({ length: 8 }, (_, i) => pool.submit((n: number) => n * 2, i));
    const results = await within(Promise.all(futures), 30_000, 'run 8 tasks on 8 workers');
    assert.deepEqual(
      results,
      Array.from({ length: 8 }, (_, i) => i * 2),
    );
  });

  it('refuses a count that is not an integer ≥ 1, echoing it', () => {
    assert.throws(() => new ThreadPoolExecutor({ maxTasksPerWorker: 0 }), {
      name: 'RangeError',
      message: 'Expected `maxTasksPerWorker` to be an integer ≥ 1, got `0` (number)',
    });
    assert.throws(() => new ThreadPoolExecutor({ maxTasksPerWorker: 2.5 }), RangeError);
    assert.throws(() => new ThreadPoolExecutor({ maxTasksPerWorker: '3' as never }), {
      name: 'TypeError',
      message: 'Expected `maxTasksPerWorker` to be an integer ≥ 1, got `"3"` (string)',
    });
  });
});

describe('idleTimeout', () => {
  it('lets workers idle that long exit, and starts new ones on demand', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2, idleTimeout: 50 });
    const first = await within(pool.submit(leaky).result(), 10_000, 'run the first task');
    assert.equal(first, 1);
    await until(() => pool.stats().workers.total === 0, 'the idle worker exit');
    // A new worker: the global the first one counted in is gone with it.
    assert.equal(await within(pool.submit(leaky).result(), 10_000, 'run a task after the exit'), 1);
  });

  it('keeps a busy worker, however long its task runs', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1, idleTimeout: 20 });
    const release = new Event();
    const running = new Event();
    const long = pool.submit(
      (running: Event, release: Event) => {
        running.set();
        return release.wait(30_000);
      },
      running,
      release,
    );
    await within(running.waitAsync(), 10_000, 'see the task run');
    // Ten idle timeouts pass while it runs (a slow machine only makes the check weaker, never wrong).
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(pool.stats().workers.total, 1, 'the busy worker stayed');
    release.set();
    assert.equal(await within(long.result(), 10_000, 'finish the task'), true);
  });

  it('refuses a timeout that is not an integer ≥ 1 (Infinity: never), echoing it', () => {
    assert.throws(() => new ThreadPoolExecutor({ idleTimeout: 0 }), {
      name: 'RangeError',
      message: 'Expected `idleTimeout` (ms) to be an integer ≥ 1, got `0` (number)',
    });
    assert.throws(() => new ThreadPoolExecutor({ idleTimeout: -5 }), RangeError);
    assert.throws(() => new ThreadPoolExecutor({ idleTimeout: Number.NaN }), RangeError);
    assert.throws(() => new ThreadPoolExecutor({ idleTimeout: '1s' as never }), TypeError);
    assert.throws(() => new ThreadPoolExecutor({ recordTiming: 'yes' as never }), {
      name: 'TypeError',
      message: /^Expected `recordTiming` to be a boolean, got /,
    });
  });
});

describe('pool.stats()', () => {
  it('counts workers and tasks exactly, and gives percentiles of wait and run times', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const gate = new Event();
    const blocking = new Event();
    const stoppable = new Event();
    const blocker = pool.submit(
      (gate: Event, blocking: Event) => {
        blocking.set();
        return gate.wait(30_000);
      },
      gate,
      blocking,
    );
    const ok = pool.submit(() => 'ok');
    const failing = pool.submit(() => {
      throw new Error('failed on purpose');
    });
    const cancelled = pool.submit(() => 'never');
    assert.equal(cancelled.cancel(), true);
    const stopped = pool.submit((stoppable: Event) => {
      stoppable.set();
      stopEvent().wait(30_000);
      throwIfStopped(); // ends it as stopped
      return 'never asked to stop';
    }, stoppable);
    await within(blocking.waitAsync(), 10_000, 'see the first task run');

    const during = pool.stats();
    assert.deepEqual(during.workers, { total: 1, busy: 1, idle: 0 });
    assert.deepEqual(during.tasks, { queued: 3, running: 1, completed: 0, failed: 0, cancelled: 1, stopped: 0 });
    assert.equal(during.runTime.count, 0);

    gate.set();
    await within(stoppable.waitAsync(), 10_000, 'see the last task run');
    assert.equal(await within(stopped.stop({ timeout: 10_000 }), 15_000, 'stop the last task'), 'stopped');
    assert.equal(await blocker, true);
    assert.equal(await ok, 'ok');
    await assert.rejects(failing.result(), /failed on purpose/);

    const after = pool.stats();
    assert.equal(after.workers.total, 1);
    assert.deepEqual(after.tasks, { queued: 0, running: 0, completed: 2, failed: 1, cancelled: 1, stopped: 1 });
    for (const times of [after.runTime, after.waitTime]) {
      assert.equal(times.count, 4, 'the four tasks that started');
      assert.ok(times.p50 <= times.p90 && times.p90 <= times.p99 && times.p99 <= times.max, JSON.stringify(times));
    }
    // The blocker ran until the gate opened; the others waited behind it.
    assert.ok(after.runTime.max > 0);
    assert.ok(after.waitTime.max > 0);
  });

  it('records no times with recordTiming: false, and counts all the same', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2, recordTiming: false });
    await within(Promise.all([pool.submit(() => 1), pool.submit(() => 2)]), 10_000, 'run two tasks');
    const { tasks, runTime, waitTime } = pool.stats();
    assert.equal(tasks.completed, 2);
    assert.deepEqual(runTime, { count: 0, p50: 0, p90: 0, p99: 0, max: 0 });
    assert.deepEqual(waitTime, runTime);
  });
});

describe('future.stopOn(signal)', () => {
  it('asks a running task to stop when the signal aborts: its finally runs, the worker stays', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const running = new Event();
    const cleaned = new Event();
    const controller = new AbortController();
    const future = pool
      .submit(
        (running: Event, cleaned: Event) => {
          running.set();
          try {
            for (let i = 0; ; i++) if ((i & 1023) === 0) throwIfStopped();
          } finally {
            cleaned.set();
          }
        },
        running,
        cleaned,
      )
      .stopOn(controller.signal);
    await within(running.waitAsync(), 10_000, 'see the task run');
    controller.abort();
    await assert.rejects(within(future.result(), 10_000, 'see the task stop'), { name: 'CancelledError' });
    assert.equal(cleaned.isSet(), true, 'its finally block ran');
    assert.equal(await within(pool.submit(() => 'next').result(), 10_000, 'run the next task'), 'next');
  });

  it('sets a running task’s stopEvent(): a task that checks it returns through its cleanup, with its result', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const running = new Event();
    const controller = new AbortController();
    const future = pool
      .submit((running: Event) => {
        running.set();
        // The interruptible sleep: it wakes as the stop request is set.
        return stopEvent().wait(30_000) ? 'cleaned up after the stop' : 'never asked to stop';
      }, running)
      .stopOn(controller.signal);
    await within(running.waitAsync(), 10_000, 'see the task run');
    assert.equal(future.running(), true);
    controller.abort();
    assert.equal(await within(future.result(), 10_000, 'see the task return'), 'cleaned up after the stop');
    assert.equal(future.cancelled(), false, 'it returned: its result stands');
  });

  it('a signal aborted before submit: the task never runs, even on an idle pool', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const ran = new Event();
    const future = pool.submit((ran: Event) => ran.set(), ran).stopOn(AbortSignal.abort());
    assert.equal(future.cancelled(), true);
    await assert.rejects(future.result(), { name: 'CancelledError' });
    // One worker, first in first out: once the next task has run, the first was skipped, not late.
    assert.equal(await within(pool.submit(() => 'next').result(), 10_000, 'run the next task'), 'next');
    assert.equal(ran.isSet(), false, 'the cancelled task never ran');
  });

  it('cancels a pending task, and stops at once on a signal already aborted', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const gate = new Event();
    const blocker = pool.submit((gate: Event) => gate.wait(30_000), gate);
    const controller = new AbortController();
    const pending = pool.submit(() => 'never').stopOn(controller.signal);
    controller.abort();
    assert.equal(pending.cancelled(), true, 'cancelled as the signal aborted');
    const late = pool.submit(() => 'never').stopOn(AbortSignal.abort());
    assert.equal(late.cancelled(), true);
    gate.set();
    assert.equal(await within(blocker.result(), 10_000, 'finish the blocker'), true);
  });

  it('leaves the signal once the future is done, and refuses what is not a signal', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const controller = new AbortController();
    const future = pool.submit(() => 42).stopOn(controller.signal);
    assert.equal(await within(future.result(), 10_000, 'run the task'), 42);
    controller.abort(); // nothing to stop: no error, no effect
    assert.equal(future.cancelled(), false);
    assert.throws(() => future.stopOn({ aborted: false } as never), {
      name: 'TypeError',
      message: /^Expected `signal` to be an AbortSignal, got /,
    });
    assert.throws(() => future.stopOn(controller.signal, { force: true }), TypeError);
  });
});
