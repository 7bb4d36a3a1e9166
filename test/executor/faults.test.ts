// Tasks that crash or stop: no future is left pending, no sibling is lost.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Event, ThreadExitError, ThreadPoolExecutor, stopEvent, throwIfStopped, type Future } from 'skein';
import { runScript, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

const sibling = (n: number): number => {
  let _sum = 0;
  for (let i = 0; i < 10_000; i++) _sum += i % (n + 1);
  return n;
};

async function withSiblings(pool: ThreadPoolExecutor, crashing: Future<unknown>): Promise<unknown> {
  const siblings = Array.from({ length: 20 }, (_, i) => pool.submit(sibling, i));
  const error = await within(crashing.exception(), 30_000, 'see the crashing task fail');
  assert.deepEqual(await within(Promise.all(siblings), 30_000, 'finish the 20 siblings'), [...Array(20).keys()]);
  return error;
}

describe('crashes', () => {
  it('fails the task that calls process.exit, replaces its worker, completes 20 siblings', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const error = (await withSiblings(
      pool,
      pool.submit(() => process.exit(7)),
    )) as ThreadExitError;
    assert.ok(error instanceof ThreadExitError, String(error));
    assert.equal(error.exitCode, 7);
    assert.match(error.message, /called process\.exit\(7\), which ended its pool worker/);
  });

  it('fails only the task that throws, completing 20 siblings', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const error = await withSiblings(
      pool,
      pool.submit(() => {
        throw new Error('thrown');
      }),
    );
    assert.equal((error as Error).message, 'thrown');
  });

  it('fails the task that runs out of memory, replaces its worker, completes 20 siblings', async () => {
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    const hog = pool.submit(() => {
      const hoard: number[][] = [];
      for (;;) hoard.push(new Array(100_000).fill(hoard.length));
    });
    const error = (await withSiblings(pool, hog)) as ThreadExitError;
    assert.ok(error instanceof ThreadExitError, String(error));
    assert.equal(error.reason, 'out-of-memory');
  });

  it('fails the task whose async work throws from a callback', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const future = pool.submit(
      () =>
        new Promise(() => {
          setTimeout(() => {
            throw new Error('late failure');
          }, 1);
        }),
    );
    assert.equal(((await within(future.exception(), 10_000, 'see the task fail')) as Error).message, 'late failure');
    assert.equal(await pool.submit(() => 'next'), 'next');
  });
});

describe('stray errors', () => {
  // A stray error is told apart by the async context of the throw: the task
  // that scheduled it, carried by AsyncLocalStorage.
  it('does not fail a task for a timer an earlier, finished task left behind', async () => {
    // In a child process: the report goes to stderr, which the test reads
    // (and keeps out of the test run's own output).
    const run = await runScript('test/fixtures/scenarios/stray-timer.mjs');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '["returned","bystander"]\n');
    assert.match(
      run.stderr,
      /^Exception in pool worker ThreadPoolExecutor-\d+_0 from a task that had ended:\nError: left behind\n\s+at /,
    );
  });
});

describe('stopping tasks', () => {
  it('asks a busy synchronous task to stop: its finally runs and the worker is reused', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const started = new Event();
    const cleaned = new Int32Array(new SharedArrayBuffer(4));
    const future = pool.submit(
      (started: Event, cleaned: Int32Array) => {
        started.set();
        try {
          for (let i = 0; ; i++) if ((i & 1023) === 0) throwIfStopped();
        } finally {
          Atomics.store(cleaned, 0, 1);
        }
      },
      started,
      cleaned,
    );
    await within(started.waitAsync(), 10_000, 'see the task run');
    assert.equal(await within(future.stop({ timeout: 10_000 }), 15_000, 'stop the task'), 'stopped');
    assert.equal(Atomics.load(cleaned, 0), 1, 'the finally block ran');
    assert.equal(future.cancelled(), true, 'a task ended by StopError leaves its future cancelled');
    assert.equal(await pool.submit(() => 'next on the same worker'), 'next on the same worker');
  });

  it('lets a task that returns on a stop request keep its result', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const started = new Event();
    const future = pool.submit((started: Event) => {
      started.set();
      stopEvent().wait(30_000);
      return 'partial';
    }, started);
    await within(started.waitAsync(), 10_000, 'see the task run');
    assert.equal(await future.stop(), 'stopped');
    assert.equal(await future, 'partial');
  });

  it('cancels a pending task on stop()', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const gate = new Event();
    const blocker = pool.submit((gate: Event) => gate.wait(30_000), gate);
    const pending = pool.submit(() => 'never');
    await new Promise((resolve) => setImmediate(resolve));
    // The pending task may already sit in the worker's batch: either way it must not run.
    assert.equal(await pending.stop({ timeout: 10_000 }), 'stopped');
    assert.equal(pending.cancelled(), true);
    gate.set();
    assert.equal(await blocker, true);
  });

  it('forces a task that never checks, touching none of its 10 siblings', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const started = new Event();
    const stubborn = pool.submit((started: Event) => {
      started.set();
      for (;;);
    }, started);
    await within(started.waitAsync(), 10_000, 'see the stubborn task run');
    const siblings = Array.from({ length: 10 }, (_, i) => pool.submit(sibling, i));
    assert.equal(await within(stubborn.stop({ timeout: 50, force: true }), 15_000, 'force the task'), 'forced');
    assert.equal(stubborn.cancelled(), true);
    assert.deepEqual(await within(Promise.all(siblings), 30_000, 'finish the siblings'), [...Array(10).keys()]);
    assert.equal(await pool.submit(() => 'replaced'), 'replaced');
  });

  it('stops every running task on shutdown({ stopRunning: true })', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const started = [new Event(), new Event()];
    const futures = started.map((ready) =>
      pool.submit((ready: Event) => {
        ready.set();
        const stop = stopEvent();
        while (!stop.isSet());
        return 'stopped politely';
      }, ready),
    );
    await within(Promise.all(started.map((ready) => ready.waitAsync())), 20_000, 'see both tasks run');
    await within(pool.shutdown({ stopRunning: true, timeout: 10_000 }), 15_000, 'shut down');
    assert.deepEqual(await Promise.all(futures), ['stopped politely', 'stopped politely']);
  });
});

describe('process exit', () => {
  it('does not keep the process alive when idle, and finishes queued work before exiting', async () => {
    const run = await runScript('test/fixtures/scenarios/pool-exit.mjs');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'submitted\ntask 0 done\ntask 1 done\ntask 2 done\nidle pool: process exits\n');
  });
});
