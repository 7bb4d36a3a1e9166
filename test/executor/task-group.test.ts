// TaskGroup: asyncio's TaskGroup for threads and pool tasks. Members report
// how far they got through shared memory (a running count, a mark set in
// their finally block); every wait is on those handshakes or on results.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Event, TaskGroup, Thread, ThreadExitError, ThreadPoolExecutor, stopEvent, throwIfStopped } from 'skein';
import { countReaches, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { withHook } from '../helpers/threads.js';

checkLeaksAfterEach();

/** Shared slots: [0] members running, [1 + i] set by member i's finally block. */
function board(members: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * (1 + members)));
}

/**
 * A member that counts itself running, waits for its stop request, and
 * marks its finally block. Never asked, it gives up after 30 s (so that a
 * test whose group fails to stop it fails instead of hanging).
 */
const untilStopped = (index: number, board: Int32Array): string => {
  const stop = stopEvent();
  Atomics.add(board, 0, 1);
  Atomics.notify(board, 0);
  try {
    return stop.wait(30_000) ? `member ${index} stopped` : `member ${index} was never asked to stop`;
  } finally {
    Atomics.store(board, 1 + index, 1);
  }
};

/** A member that fails once `n` members are running (bounded: it fails otherwise too, saying so). */
const failOnceRunning = (board: Int32Array, n: number, message: string): never => {
  const deadline = Date.now() + 20_000;
  for (let seen = Atomics.load(board, 0); seen < n; seen = Atomics.load(board, 0)) {
    if (Date.now() > deadline) throw new Error(`only ${seen} of ${n} members ran in 20 seconds`);
    Atomics.wait(board, 0, seen, 1_000);
  }
  throw new Error(message);
};

/** A member thread that sets `running`, then spins without ever checking its stop request: only force ends it. */
function deafMember(group: TaskGroup, running: Event): Thread {
  return group.thread({
    target: (running: Event) => {
      running.set();
      for (;;);
    },
    args: [running],
  });
}

/** The marks of members `0 … n-1`. */
function finallies(board: Int32Array, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Atomics.load(board, 1 + i));
}

describe('TaskGroup members', () => {
  it('returns the results of members that all succeed, threads and pool tasks mixed, in the order added', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const group = new TaskGroup();
    const doubled = group.submit(pool, (n: number) => n * 2, 21);
    const thread = group.thread({ target: (s: string) => s.toUpperCase(), args: ['thread'] });
    group.start(new Thread({ target: async () => 'started' }));
    group.submit(pool, async (n: number) => n + 1, 1);
    const results = await within(group.wait(), 10_000, 'leave the group');
    assert.deepEqual(results, [42, 'THREAD', 'started', 2]);
    assert.equal(await doubled, 42);
    assert.equal(thread.result, 'THREAD');
    assert.deepEqual(await group.wait(), results, 'leaving again gives the same outcome');
  });

  it('is left by await using, and an empty group at once', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const done = new Int32Array(new SharedArrayBuffer(4));
    {
      await using group = new TaskGroup();
      group.submit(pool, (done: Int32Array) => Atomics.store(done, 0, 1), done);
    }
    assert.equal(Atomics.load(done, 0), 1, 'the block waited for its member');
    assert.deepEqual(await within(new TaskGroup().wait(), 10_000, 'leave an empty group'), []);
  });

  it('treats a stop as no failure: StopError, a cancelled task, a forced thread', async () => {
    await withHook(async (calls) => {
      await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
      const group = new TaskGroup();
      const running = new Event();
      const stopping = group.submit(
        pool,
        (running: Event) => {
          running.set();
          for (;;) throwIfStopped();
        },
        running,
      );
      const queued = group.submit(pool, () => 'never runs');
      const deaf = deafMember(group, running);
      await within(running.waitAsync(), 10_000, 'see the task run');
      queued.cancel();
      const outcome = await within(group.stop({ timeout: 0, force: true }), 20_000, 'stop the group');
      assert.ok(outcome === 'forced' || outcome === 'stopped', outcome);
      assert.deepEqual(await within(group.wait(), 10_000, 'leave the group'), [undefined, undefined, undefined]);
      assert.equal(stopping.cancelled(), true);
      assert.ok(deaf.exception instanceof ThreadExitError);
      assert.equal(calls.length, 0, 'no thread reported to the excepthook');
    });
  });
});

describe('TaskGroup failures', () => {
  it('asks every other member to stop at the first failure: their finally runs, pending tasks are cancelled', async () => {
    await withHook(async (calls) => {
      await using pool = new ThreadPoolExecutor({ maxWorkers: 3 });
      const shared = board(5);
      const group = new TaskGroup();
      const tasks = [0, 1, 2].map((index) => group.submit(pool, untilStopped, index, shared));
      const threads = [3].map((index) => group.thread({ target: untilStopped, args: [index, shared] }));
      // A thread: a pool task that failed would free its worker, which takes the next queued task at once.
      const failing = group.thread({ target: failOnceRunning, args: [shared, 4, 'download 4 failed'] });
      // The pool's three workers are busy until the group stops them: this one waits in the queue.
      const queued = group.submit(pool, untilStopped, 4, shared);
      const error = await within(group.wait(), 20_000, 'leave the group').then(
        () => assert.fail('the group did not throw'),
        (error: unknown) => error,
      );
      assert.ok(error instanceof AggregateError);
      assert.equal(error.message, 'a member of the task group failed: Error: download 4 failed');
      assert.deepEqual(
        error.errors.map((each: Error) => each.message),
        ['download 4 failed'],
      );
      assert.equal(failing.exception, error.errors[0]);
      assert.deepEqual(finallies(shared, 4), [1, 1, 1, 1], 'every sibling ran its finally block');
      assert.deepEqual(await Promise.all(tasks), ['member 0 stopped', 'member 1 stopped', 'member 2 stopped']);
      assert.deepEqual(
        threads.map((thread) => thread.result),
        ['member 3 stopped'],
      );
      assert.equal(queued.cancelled(), true, 'the pending task was cancelled');
      assert.equal(Atomics.load(shared, 0), 4, 'and never ran');
      assert.deepEqual(
        calls.map((call) => (call.excValue as Error).message),
        ['download 4 failed'],
        'the failing thread was reported to the excepthook, as any thread',
      );
    });
  });

  it('throws the failures together, in the order they failed', async () => {
    await withHook(async () => {
      await using pool = new ThreadPoolExecutor({ maxWorkers: 3 });
      const group = new TaskGroup();
      const gates = { b: new Event(), c: new Event(), t: new Event() };
      const sawStop = new Event();
      const running = new Int32Array(new SharedArrayBuffer(4));
      // C and B ignore their stop request: each fails when its gate opens. B
      // first reports that the group asked it to stop — after T's failure.
      const c = group.submit(
        pool,
        (gate: Event, running: Int32Array) => {
          Atomics.add(running, 0, 1);
          Atomics.notify(running, 0);
          gate.wait(20_000);
          throw new Error('C');
        },
        gates.c,
        running,
      );
      const b = group.submit(
        pool,
        (gate: Event, sawStop: Event, running: Int32Array) => {
          Atomics.add(running, 0, 1);
          Atomics.notify(running, 0);
          if (stopEvent().wait(20_000)) sawStop.set();
          gate.wait(20_000);
          throw new Error('B');
        },
        gates.b,
        sawStop,
        running,
      );
      group.thread({
        target: (gate: Event) => {
          gate.wait(20_000);
          throw new Error('T');
        },
        args: [gates.t],
      });
      const leaving = group.wait().then(
        () => assert.fail('the group did not throw'),
        (error: unknown) => error,
      );
      // Both tasks run (a task not started would be cancelled by the group, not fail).
      await countReaches(running, 0, 2, 'B and C running');
      gates.t.set();
      await within(sawStop.waitAsync(), 20_000, 'see the group stop its members after T failed');
      gates.b.set();
      await within(b.exception(), 20_000, 'see B fail');
      gates.c.set();
      await within(c.exception(), 20_000, 'see C fail');
      const error = await within(leaving, 20_000, 'leave the group');
      assert.ok(error instanceof AggregateError);
      assert.deepEqual(
        error.errors.map((each: Error) => each.message),
        ['T', 'B', 'C'],
      );
      assert.equal(error.message, '3 members of the task group failed; the first: Error: T');
    });
  });
});

describe('TaskGroup.stop', () => {
  it('stops the group during its leave, without a failure: the leave returns', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const shared = board(3);
    const group = new TaskGroup();
    group.submit(pool, untilStopped, 0, shared);
    group.submit(pool, untilStopped, 1, shared);
    group.thread({ target: untilStopped, args: [2, shared] });
    const leaving = group.wait();
    await countReaches(shared, 0, 3, 'three members running');
    assert.equal(await within(group.stop(), 20_000, 'stop the group'), 'stopped');
    assert.deepEqual(await within(leaving, 10_000, 'leave the group'), [
      'member 0 stopped',
      'member 1 stopped',
      'member 2 stopped',
    ]);
    assert.deepEqual(finallies(shared, 3), [1, 1, 1]);
    assert.equal(await group.stop(), 'stopped', 'stopping an ended group does nothing');
  });

  it('forces what ignores the request, reporting "alive" without force', async () => {
    const group = new TaskGroup();
    const running = new Event();
    const deaf = deafMember(group, running);
    await within(running.waitAsync(), 10_000, 'see the thread run');
    assert.equal(await group.stop({ timeout: 0 }), 'alive');
    assert.equal(await within(group.stop({ timeout: 0, force: true }), 10_000, 'force the group'), 'forced');
    assert.deepEqual(await within(group.wait(), 10_000, 'leave the group'), [undefined]);
    assert.equal((deaf.exception as ThreadExitError).reason, 'terminated');
  });
});

describe('nested TaskGroups', () => {
  it('stops a subgroup with its parent, and leaves it with the parent', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 3 });
    const shared = board(2);
    const outer = new TaskGroup();
    const inner = outer.subgroup();
    inner.submit(pool, untilStopped, 0, shared);
    inner.thread({ target: untilStopped, args: [1, shared] });
    outer.submit(pool, failOnceRunning, shared, 2, 'outer failed');
    const error = await within(outer.wait(), 20_000, 'leave the outer group').then(
      () => assert.fail('the group did not throw'),
      (error: unknown) => error as AggregateError,
    );
    assert.deepEqual(
      error.errors.map((each: Error) => each.message),
      ['outer failed'],
    );
    assert.deepEqual(finallies(shared, 2), [1, 1], 'the subgroup’s members stopped');
    assert.deepEqual(await inner.wait(), ['member 0 stopped', 'member 1 stopped'], 'the subgroup was left, no failure');
  });

  it('stops the parent when a subgroup fails; the error is thrown once, where the subgroup is left', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const shared = board(1);
    const outer = new TaskGroup();
    outer.thread({ target: untilStopped, args: [0, shared] });
    await assert.rejects(
      async () => {
        await using inner = outer.subgroup();
        inner.submit(pool, failOnceRunning, shared, 1, 'inner failed');
      },
      (error: AggregateError) => error.errors[0].message === 'inner failed',
    );
    assert.deepEqual(
      await within(outer.wait(), 20_000, 'leave the outer group'),
      ['member 0 stopped', undefined],
      'the outer member was stopped; the subgroup’s error is not thrown again',
    );
    assert.deepEqual(finallies(shared, 1), [1]);
  });

  it('nests the AggregateError of a subgroup left with its parent', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const outer = new TaskGroup();
    const inner = outer.subgroup();
    inner.submit(pool, () => {
      throw new RangeError('deep');
    });
    const error = await within(outer.wait(), 20_000, 'leave the outer group').then(
      () => assert.fail('the group did not throw'),
      (error: unknown) => error as AggregateError,
    );
    assert.equal(error.errors.length, 1);
    assert.ok(error.errors[0] instanceof AggregateError);
    assert.equal(error.errors[0].errors[0].message, 'deep');
    assert.match(error.message, /^a member of the task group failed: AggregateError: a member of the task group/);
  });

  it('stops a group made inside a member thread when the member is asked to stop', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const shared = board(2);
    const outer = new TaskGroup();
    // The member thread runs its own group of two threads and leaves it.
    const member = outer.thread({
      target: async (shared: Int32Array) => {
        const inner = new TaskGroup();
        for (const index of [0, 1]) {
          inner.thread({
            target: (index: number, shared: Int32Array) => {
              const stop = stopEvent();
              Atomics.add(shared, 0, 1);
              Atomics.notify(shared, 0);
              try {
                stop.wait(30_000);
              } finally {
                Atomics.store(shared, 1 + index, 1);
              }
            },
            args: [index, shared],
          });
        }
        await inner.wait();
        return 'inner group left';
      },
      args: [shared],
    });
    outer.submit(pool, failOnceRunning, shared, 2, 'outer failed');
    await assert.rejects(within(outer.wait(), 20_000, 'leave the outer group'), AggregateError);
    assert.equal(member.result, 'inner group left');
    assert.deepEqual(finallies(shared, 2), [1, 1], 'the inner group stopped its threads');
  });
});

describe('TaskGroup bad input', () => {
  it('refuses members once it has ended', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const group = new TaskGroup();
    await group.wait();
    const ended = { name: 'RuntimeError', message: 'cannot add to a task group that has ended: make a new TaskGroup' };
    assert.throws(() => group.submit(pool, () => 1), ended);
    assert.throws(() => group.thread({ target: () => 1 }), ended);
    assert.throws(() => group.start(new Thread()), ended);
    assert.throws(() => group.subgroup(), ended);
  });

  it('refuses members while it is stopping, saying why', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const stopped = new TaskGroup();
    void stopped.stop();
    assert.throws(() => stopped.submit(pool, () => 1), {
      name: 'RuntimeError',
      message: 'cannot add to a task group that is stopping (stop() was called)',
    });
    await stopped.wait();

    const failed = new TaskGroup();
    await failed.submit(pool, () => Promise.reject(new Error('no'))).exception();
    assert.throws(() => failed.thread({ target: () => 1 }), {
      name: 'RuntimeError',
      message: 'cannot add to a task group that is stopping (a member failed)',
    });
    await assert.rejects(failed.wait(), AggregateError);
  });

  it('is not left waiting for a member a shut-down pool refused', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    await pool.shutdown();
    await using running = new ThreadPoolExecutor({ maxWorkers: 1 });
    const group = new TaskGroup();
    const ok = group.submit(running, () => 'ran');
    assert.throws(() => group.submit(pool, () => 1), {
      name: 'RuntimeError',
      message: 'cannot schedule new futures after shutdown',
    });
    assert.deepEqual(await within(group.wait(), 10_000, 'leave the group'), ['ran']);
    assert.equal(await ok, 'ran');
  });

  it('refuses a pool that is not one, a thread that is not one or already started, and bad stop options', async () => {
    const group = new TaskGroup();
    assert.throws(() => group.submit({ submit: () => 1 } as never, () => 1), {
      name: 'TypeError',
      message: 'Expected `pool` to be a ThreadPoolExecutor, got `an object` (object)',
    });
    assert.throws(() => group.start({} as never), {
      name: 'TypeError',
      message: 'Expected `thread` to be a Thread not yet started, got `an object` (object)',
    });
    const thread = new Thread();
    thread.start();
    assert.throws(() => group.start(thread), { name: 'RuntimeError', message: 'threads can only be started once' });
    assert.throws(() => group.stop({ timeout: 'soon' } as never), {
      name: 'TypeError',
      message: 'Expected `timeout` to be a number of milliseconds, got `"soon"` (string)',
    });
    assert.throws(() => group.stop({ timeout: Number.NaN }), RangeError);
    assert.throws(() => group.stop({ force: true }), { name: 'TypeError', message: /^`force` needs a `timeout`/ });
    assert.deepEqual(await within(group.wait(), 10_000, 'leave the group'), [], 'nothing was added');
    await thread.join();
  });
});
