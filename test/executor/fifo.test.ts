// A pool is one FIFO queue shared by its workers, as Python's is: tasks
// start in submission order, and a task never waits behind a busy worker
// while another worker runs a task submitted after it (CPython's
// test_saturation, test_default_workers, test_cancel_futures).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, Event, ThreadExitError, ThreadPoolExecutor } from 'skein';
import { within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

/**
 * A task that records that it started (slot `i` of `started` set to 1, and
 * the count in slot 0 of `count` bumped and notified), then blocks until
 * `gate` is set.
 */
const blockingTask = (started: Int32Array, count: Int32Array, gate: Event, i: number): number => {
  Atomics.store(started, i, 1);
  Atomics.add(count, 0, 1);
  Atomics.notify(count, 0);
  if (!gate.wait(30_000)) throw new Error('the gate was not opened in 30 seconds');
  return i;
};

/** Wait (asynchronously, bounded) until `count[0]` reaches `n`. */
async function countReaches(count: Int32Array, n: number, what: string): Promise<void> {
  const deadline = performance.now() + 20_000;
  for (;;) {
    const seen = Atomics.load(count, 0);
    if (seen >= n) return;
    const left = deadline - performance.now();
    if (left <= 0) assert.fail(`failed to ${what} in 20 seconds: ${seen} of ${n}`);
    await Atomics.waitAsync(count, 0, seen, left).value;
  }
}

describe('ThreadPoolExecutor FIFO', () => {
  for (const workers of [1, 2, 4]) {
    it(`with ${workers} worker(s) and ${workers} + 6 blocking tasks, exactly the first ${workers} run`, async () => {
      await using pool = new ThreadPoolExecutor({ maxWorkers: workers });
      const tasks = workers + 6;
      const started = new Int32Array(new SharedArrayBuffer(4 * tasks));
      const count = new Int32Array(new SharedArrayBuffer(4));
      const gate = new Event();
      const futures = Array.from({ length: tasks }, (_, i) => pool.submit(blockingTask, started, count, gate, i));
      try {
        await countReaches(count, workers, `see ${workers} tasks start`);
        // Every worker is now blocked in a task: no other task can start
        // until the gate opens, so the set that started is final.
        const running = [...started.keys()].filter((i) => Atomics.load(started, i) === 1);
        assert.deepEqual(running, [...Array(workers).keys()], 'the first tasks submitted are the ones running');
        for (const [i, future] of futures.entries()) assert.equal(future.running(), i < workers, `task ${i} running`);
      } finally {
        gate.set();
      }
      assert.deepEqual(await within(Promise.all(futures), 20_000, 'finish every task'), [...Array(tasks).keys()]);
    });
  }

  it('with one worker, starts 1,000 tasks, sync and async, in submission order', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const tasks = 1_000;
    // Slot 0: the next free position; slot 1 + p: the task that started p-th.
    const log = new Int32Array(new SharedArrayBuffer(4 * (tasks + 1)));
    const record = (log: Int32Array, i: number): number => {
      Atomics.store(log, 1 + Atomics.add(log, 0, 1), i);
      return i;
    };
    const recordAsync = async (log: Int32Array, i: number): Promise<number> => {
      Atomics.store(log, 1 + Atomics.add(log, 0, 1), i);
      await null;
      return i;
    };
    const futures = Array.from({ length: tasks }, (_, i) => pool.submit(i % 7 === 3 ? recordAsync : record, log, i));
    assert.deepEqual(await within(Promise.all(futures), 30_000, 'run 1,000 tasks'), [...Array(tasks).keys()]);
    assert.deepEqual([...log.subarray(1)], [...Array(tasks).keys()], 'start order is submission order');
  });

  it('never runs a cancelled task, and runs every task not cancelled exactly once, cancels racing the claim', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const tasks = 600;
    const runs = new Int32Array(new SharedArrayBuffer(4 * tasks));
    const once = (runs: Int32Array, i: number): number => Atomics.add(runs, i, 1) + 1;
    const futures = [];
    for (let i = 0; i < tasks; i++) {
      futures.push(pool.submit(once, runs, i));
      // Cancel some at once, some a few submissions later (maybe already claimed).
      if (i % 3 === 0) futures[i]!.cancel();
      if (i % 5 === 0 && i >= 4) futures[i - 4]!.cancel();
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const settled = await within(Promise.allSettled(futures), 30_000, 'settle every task');
    let cancelled = 0;
    for (const [i, outcome] of settled.entries()) {
      if (outcome.status === 'rejected') {
        assert.ok(outcome.reason instanceof CancelledError, `task ${i} failed with ${String(outcome.reason)}`);
        assert.equal(futures[i]!.cancelled(), true);
        assert.equal(Atomics.load(runs, i), 0, `cancelled task ${i} did not run`);
        cancelled++;
      } else {
        assert.equal(outcome.value, 1, `task ${i} ran once`);
        assert.equal(Atomics.load(runs, i), 1);
      }
    }
    assert.ok(cancelled >= tasks / 3, `at least the tasks cancelled at once were cancelled (${cancelled})`);
  });

  it('loses nothing when a worker crashes mid-queue: the crashing task fails, every other completes', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const tasks = 40;
    const log = new Int32Array(new SharedArrayBuffer(4 * (tasks + 1)));
    const step = (log: Int32Array, i: number, crash: boolean): number => {
      Atomics.store(log, 1 + Atomics.add(log, 0, 1), i);
      if (crash) process.exit(3);
      return i * 2;
    };
    const crashing = new Set([5, 17, 30]);
    const futures = Array.from({ length: tasks }, (_, i) => pool.submit(step, log, i, crashing.has(i)));
    const settled = await within(Promise.allSettled(futures), 30_000, 'settle every task');
    for (const [i, outcome] of settled.entries()) {
      if (crashing.has(i)) {
        assert.equal(outcome.status, 'rejected');
        const error = (outcome as PromiseRejectedResult).reason as ThreadExitError;
        assert.ok(error instanceof ThreadExitError);
        assert.equal(error.exitCode, 3);
      } else {
        assert.deepEqual(outcome, { status: 'fulfilled', value: i * 2 }, `task ${i}`);
      }
    }
    assert.equal(Atomics.load(log, 0), tasks, 'every task started');
    const order = [...log.subarray(1)].sort((a, b) => a - b);
    assert.deepEqual(order, [...Array(tasks).keys()], 'each task started exactly once');
  });

  it('loses nothing of a task of one argument, an array, through crashes mid-queue (the pool keeps one argument as it is)', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const tasks = 40;
    const log = new Int32Array(new SharedArrayBuffer(4 * (tasks + 1)));
    const step = (call: [Int32Array, number, boolean]): unknown => {
      if (!Array.isArray(call) || call.length !== 3) return { wrong: call };
      const [log, i, crash] = call;
      Atomics.store(log, 1 + Atomics.add(log, 0, 1), i);
      if (crash) process.exit(3);
      return [i, i * 2];
    };
    const crashing = new Set([3, 4, 21, 33]);
    const futures = Array.from({ length: tasks }, (_, i) => pool.submit(step, [log, i, crashing.has(i)]));
    const settled = await within(Promise.allSettled(futures), 30_000, 'settle every task');
    for (const [i, outcome] of settled.entries()) {
      if (crashing.has(i)) assert.equal(outcome.status, 'rejected', `task ${i}`);
      else assert.deepEqual(outcome, { status: 'fulfilled', value: [i, i * 2] }, `task ${i}`);
    }
    assert.equal(Atomics.load(log, 0), tasks, 'every task started');
  });
});
