// Barrier: ports of the intent of CPython's Lib/test/lock_tests.py
// BarrierTests, written for skein's threads. As there, N parties run the
// same steps: N - 1 threads (blocking wait) and the main thread (waitAsync).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Barrier, BrokenBarrierError, Condition, Event, Thread, ThreadPoolExecutor } from 'skein';
import { joinOrFail, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

const N = 5;

/** Start `N - 1` threads running `target(barrier, counts, ...extra)`, run `mine` meanwhile, and join them. */
async function runParties(
  target: (...args: never[]) => unknown,
  barrier: Barrier,
  counts: Int32Array,
  mine: () => Promise<unknown>,
  extra: unknown[] = [],
): Promise<unknown[]> {
  const args = [barrier, counts, ...extra] as never[];
  const threads = Array.from({ length: N - 1 }, () => new Thread({ target, args }));
  for (const thread of threads) thread.start();
  let result: unknown;
  try {
    result = await within(mine(), 30_000, "run the main thread's part");
  } catch (error) {
    barrier.abort(); // no thread is left waiting when the main thread's part failed
    throw error;
  }
  for (const thread of threads) await joinOrFail(thread, 30_000);
  for (const thread of threads) assert.equal(thread.exception, undefined, String(thread.exception));
  return [result, ...threads.map((t) => t.result)];
}

const counts = (n = 4): Int32Array => new Int32Array(new SharedArrayBuffer(4 * n));

/**
 * CPython's `multipass` in a thread: count in, check that nobody has
 * counted into the next stage, wait; check everybody counted, count out,
 * wait. Returns what went wrong.
 */
const multipass = (barrier: Barrier, counts: Int32Array, passes: number): string[] => {
  const m = barrier.parties;
  const problems: string[] = [];
  for (let i = 0; i < passes; i++) {
    Atomics.add(counts, 0, 1);
    if (Atomics.load(counts, 1) !== i * m) problems.push(`pass ${i}: ${Atomics.load(counts, 1)} out early`);
    barrier.wait();
    Atomics.add(counts, 1, 1);
    if (Atomics.load(counts, 0) !== (i + 1) * m) problems.push(`pass ${i}: ${Atomics.load(counts, 0)} in`);
    barrier.wait();
  }
  if (barrier.nWaiting !== 0 || barrier.broken)
    problems.push(`after: ${barrier.nWaiting} waiting, broken ${barrier.broken}`);
  return problems;
};

async function multipassAsync(barrier: Barrier, counts: Int32Array, passes: number): Promise<string[]> {
  const m = barrier.parties;
  const problems: string[] = [];
  for (let i = 0; i < passes; i++) {
    Atomics.add(counts, 0, 1);
    if (Atomics.load(counts, 1) !== i * m) problems.push(`main, pass ${i}: ${Atomics.load(counts, 1)} out early`);
    await barrier.waitAsync();
    Atomics.add(counts, 1, 1);
    if (Atomics.load(counts, 0) !== (i + 1) * m) problems.push(`main, pass ${i}: ${Atomics.load(counts, 0)} in`);
    await barrier.waitAsync();
  }
  return problems;
}

/** Whether `error` is a BrokenBarrierError, with its code. */
const isBroken = (error: unknown): boolean =>
  error instanceof BrokenBarrierError && error.code === 'SKEIN_ERR_BROKEN_BARRIER';

/**
 * CPython's test_abort in a thread: the party with index N // 2 aborts
 * instead of waiting again; the others' second wait breaks. Counts: 0
 * passed the second wait, 1 got BrokenBarrierError.
 */
const abortHalfway = (barrier: Barrier, counts: Int32Array): void => {
  try {
    const i = barrier.wait();
    if (i === Math.floor(barrier.parties / 2)) {
      barrier.abort();
      return;
    }
    barrier.wait();
    Atomics.add(counts, 0, 1);
  } catch (error) {
    if ((error as Error).name !== 'BrokenBarrierError') throw error;
    Atomics.add(counts, 1, 1);
  }
};

async function abortHalfwayAsync(barrier: Barrier, counts: Int32Array): Promise<void> {
  try {
    const i = await barrier.waitAsync();
    if (i === Math.floor(barrier.parties / 2)) {
      barrier.abort();
      return;
    }
    await barrier.waitAsync();
    Atomics.add(counts, 0, 1);
  } catch (error) {
    if (!isBroken(error)) throw error;
    Atomics.add(counts, 1, 1);
  }
}

describe('Barrier on one thread', () => {
  it('passes a single party at once, round after round (test_single_thread)', async () => {
    const barrier = new Barrier(1);
    assert.equal(barrier.wait(), 0);
    assert.equal(barrier.wait(0), 0);
    assert.equal(await barrier.waitAsync(), 0);
    assert.equal(barrier.parties, 1);
    assert.equal(barrier.nWaiting, 0);
    assert.equal(barrier.broken, false);
  });

  it('breaks on a timeout, stays broken until reset, and works again after', async () => {
    const barrier = new Barrier(2);
    assert.throws(
      () => barrier.wait(1),
      (error: unknown) => {
        assert.ok(isBroken(error));
        assert.equal(
          (error as Error).message,
          'the barrier is broken: this party timed out after 1 ms, with 1 of 2 parties waiting',
        );
        return true;
      },
    );
    assert.equal(barrier.broken, true);
    assert.equal(barrier.nWaiting, 0);
    await assert.rejects(barrier.waitAsync(), {
      name: 'BrokenBarrierError',
      message: 'the barrier is broken: a party timed out; reset() it to use it again',
    });
    barrier.reset();
    assert.equal(barrier.broken, false);
    const first = barrier.waitAsync();
    assert.equal(barrier.nWaiting, 1);
    const indices = await within(Promise.all([first, barrier.waitAsync()]), 10_000, 'pass the barrier');
    assert.deepEqual(indices.sort(), [0, 1]);
  });

  it('rejects the waiting main thread when aborted or reset, with what happened', async () => {
    const barrier = new Barrier(2);
    const aborted = barrier.waitAsync();
    barrier.abort();
    await assert.rejects(aborted, { message: 'the barrier is broken: abort() was called; reset() it to use it again' });
    barrier.reset();
    const reset = barrier.waitAsync();
    barrier.reset();
    await assert.rejects(reset, {
      name: 'BrokenBarrierError',
      message: 'the barrier was reset while this party waited',
    });
    assert.equal(barrier.broken, false, 'a reset leaves the barrier whole');
    const indices = await within(Promise.all([barrier.waitAsync(), barrier.waitAsync()]), 10_000, 'pass it');
    assert.deepEqual(indices.sort(), [0, 1]);
  });

  it('refuses bad parties, options and timeouts, naming them', () => {
    assert.throws(() => new Barrier(0), {
      name: 'RangeError',
      message: 'Expected `parties` to be an integer ≥ 1, got `0` (number)',
    });
    assert.throws(() => new Barrier(-1), RangeError);
    assert.throws(() => new Barrier(2.5), RangeError);
    assert.throws(() => new Barrier(Number.NaN), RangeError);
    assert.throws(() => new Barrier('3' as never), { name: 'TypeError', message: /got `"3"` \(string\)/ });
    assert.throws(() => new Barrier(undefined as never), TypeError);
    assert.throws(() => new Barrier(2, (() => {}) as never), {
      name: 'TypeError',
      message: /^Barrier takes no `action`: a function cannot be shared by the threads/,
    });
    assert.throws(() => new Barrier(2, { action: () => {} } as never), /Barrier takes no `action`/);
    assert.throws(() => new Barrier(2, 1000 as never), {
      name: 'TypeError',
      message: 'Expected `options` to be an object such as { timeout: 1000 }, got `1000` (number)',
    });
    assert.throws(() => new Barrier(2, { timeout: '1s' as never }), {
      name: 'TypeError',
      message: 'Expected `timeout` to be a number of milliseconds, got `"1s"` (string)',
    });
    assert.throws(() => new Barrier(2, { timeout: Number.NaN }), RangeError);
    const barrier = new Barrier(2);
    assert.throws(() => barrier.wait('5' as never), TypeError);
    assert.throws(() => barrier.waitAsync(Number.NaN), RangeError, 'thrown, not rejected');
    assert.equal(barrier.nWaiting, 0, 'a refused call does not wait');
  });

  it('is rebuilt from its memory with its parties and default timeout, and refuses other memory', () => {
    const barrier = new Barrier(3, { timeout: 1 });
    const same = Barrier.fromBuffer(barrier.buffer, barrier.byteOffset);
    assert.equal(same.parties, 3);
    assert.throws(() => same.wait(), BrokenBarrierError, 'the default timeout came along');
    assert.equal(barrier.broken, true, 'the same memory');
    assert.throws(
      () => Barrier.fromBuffer(new Condition().buffer),
      /invalid handle: the buffer does not hold a skein Barrier/,
    );
    assert.throws(() => Barrier.fromBuffer(new Event().buffer), /the buffer is too small for a Barrier/);
    assert.throws(
      () => Barrier.fromBuffer(new ArrayBuffer(64) as never),
      /Expected `buffer` to be a SharedArrayBuffer/,
    );
  });

  it('shows its state when inspected', async () => {
    const { inspect } = await import('node:util');
    assert.equal(inspect(new Barrier(3)), 'Barrier { parties: 3, waiting: 0, broken: false }');
  });
});

describe('Barrier across threads', () => {
  it('is passed in lockstep, once and ten times over (test_barrier, test_barrier_10)', async () => {
    for (const passes of [1, 10]) {
      const barrier = new Barrier(N);
      const shared = counts();
      const results = await runParties(multipass, barrier, shared, () => multipassAsync(barrier, shared, passes), [
        passes,
      ]);
      assert.deepEqual(results.flat(), [], `${passes} passes`);
      assert.deepEqual([shared[0], shared[1]], [N * passes, N * passes]);
    }
  });

  it('gives each party a different index in every round (test_wait_return)', async () => {
    const rounds = 4;
    const barrier = new Barrier(N);
    const results = (await runParties(
      (barrier: Barrier, _counts: Int32Array, rounds: number) => Array.from({ length: rounds }, () => barrier.wait()),
      barrier,
      counts(),
      async () => {
        const mine: number[] = [];
        for (let r = 0; r < rounds; r++) mine.push(await barrier.waitAsync());
        return mine;
      },
      [rounds],
    )) as number[][];
    for (let r = 0; r < rounds; r++) {
      assert.deepEqual(results.map((indices) => indices[r]).sort(), [0, 1, 2, 3, 4], `round ${r}`);
    }
  });

  it('breaks for every party when one aborts (test_abort)', async () => {
    const barrier = new Barrier(N);
    const shared = counts();
    await runParties(abortHalfway, barrier, shared, async () => {
      await abortHalfwayAsync(barrier, shared);
    });
    assert.deepEqual([shared[0], shared[1]], [0, N - 1]);
    assert.equal(barrier.broken, true);
  });

  it('releases its waiting parties with BrokenBarrierError on reset, then works again (test_reset)', async () => {
    const barrier = new Barrier(N);
    const shared = counts();
    // Counts: 0 passed the second wait, 1 broken by the reset, 2 passed the third.
    const threadPart = (barrier: Barrier, counts: Int32Array): void => {
      const i = barrier.wait();
      if (i === Math.floor(barrier.parties / 2)) {
        // Reset once every other party waits (a handshake on shared memory).
        const nap = new Int32Array(new SharedArrayBuffer(4));
        const until = Date.now() + 30_000;
        while (barrier.nWaiting < barrier.parties - 1) {
          if (Date.now() > until) throw new Error('failed to see the other parties wait in 30.0 seconds');
          Atomics.wait(nap, 0, 0, 1);
        }
        barrier.reset();
      } else {
        try {
          barrier.wait();
          Atomics.add(counts, 0, 1);
        } catch (error) {
          if ((error as Error).name !== 'BrokenBarrierError') throw error;
          Atomics.add(counts, 1, 1);
        }
      }
      barrier.wait();
      Atomics.add(counts, 2, 1);
    };
    await runParties(threadPart, barrier, shared, async () => {
      const i = await barrier.waitAsync();
      if (i === Math.floor(N / 2)) {
        const until = performance.now() + 30_000;
        while (barrier.nWaiting < N - 1) {
          if (performance.now() > until) assert.fail('failed to see the other parties wait in 30.0 seconds');
          await new Promise(setImmediate);
        }
        barrier.reset();
      } else {
        try {
          await barrier.waitAsync();
          Atomics.add(shared, 0, 1);
        } catch (error) {
          if (!isBroken(error)) throw error;
          Atomics.add(shared, 1, 1);
        }
      }
      await barrier.waitAsync();
      Atomics.add(shared, 2, 1);
    });
    assert.deepEqual([shared[0], shared[1], shared[2]], [0, N - 1, N]);
  });

  it('can be reset after an abort, once every party is out (test_abort_and_reset)', async () => {
    const barrier = new Barrier(N);
    const barrier2 = new Barrier(N);
    const shared = counts();
    // Counts: 0 passed, 1 broken, 2 passed the barrier after its reset.
    const threadPart = (barrier: Barrier, counts: Int32Array, barrier2: Barrier): void => {
      try {
        const i = barrier.wait();
        if (i === Math.floor(barrier.parties / 2)) barrier.abort();
        else {
          barrier.wait();
          Atomics.add(counts, 0, 1);
        }
      } catch (error) {
        if ((error as Error).name !== 'BrokenBarrierError') throw error;
        Atomics.add(counts, 1, 1);
      }
      // Everyone out before the reset, and nobody in again before it.
      if (barrier2.wait() === Math.floor(barrier.parties / 2)) barrier.reset();
      barrier2.wait();
      barrier.wait();
      Atomics.add(counts, 2, 1);
    };
    await runParties(
      threadPart,
      barrier,
      shared,
      async () => {
        await abortHalfwayAsync(barrier, shared);
        if ((await barrier2.waitAsync()) === Math.floor(N / 2)) barrier.reset();
        await barrier2.waitAsync();
        await barrier.waitAsync();
        Atomics.add(shared, 2, 1);
      },
      [barrier2],
    );
    assert.deepEqual([shared[0], shared[1], shared[2]], [0, N - 1, N]);
  });

  it('breaks for everyone when a party times out while another is late (test_timeout)', async () => {
    const barrier = new Barrier(N);
    const shared = counts();
    const late = new Event();
    // The party with index N // 2 comes late: after every other party's
    // wait(20) has broken the barrier, counted in slot 0.
    const threadPart = (barrier: Barrier, counts: Int32Array, late: Event): string => {
      const i = barrier.wait();
      if (i === Math.floor(barrier.parties / 2)) {
        if (!late.wait(30_000)) return 'never told to come';
      }
      try {
        barrier.wait(20);
        return 'passed';
      } catch (error) {
        if ((error as Error).name !== 'BrokenBarrierError') throw error;
        if (Atomics.add(counts, 0, 1) === barrier.parties - 2) late.set();
        return 'broken';
      }
    };
    const results = await runParties(
      threadPart,
      barrier,
      shared,
      async () => {
        const i = await barrier.waitAsync();
        if (i === Math.floor(N / 2) && !(await late.waitAsync(30_000))) return 'never told to come';
        try {
          await barrier.waitAsync(20);
          return 'passed';
        } catch (error) {
          if (!isBroken(error)) throw error;
          if (Atomics.add(shared, 0, 1) === N - 2) late.set();
          return 'broken';
        }
      },
      [late],
    );
    assert.deepEqual(results, Array(N).fill('broken'));
    assert.equal(barrier.broken, true, 'the timeout broke the barrier itself, not only the wait');
  });

  it("breaks on the barrier's default timeout when a party is late (test_default_timeout)", async () => {
    // The default timeout is short, so the parties meet first on another barrier without one.
    const barrier = new Barrier(3, { timeout: 20 });
    const meet = new Barrier(3);
    const party = (barrier: Barrier, meet: Barrier): string => {
      meet.wait();
      try {
        barrier.wait(); // the default timeout: the main thread is late
        return 'passed';
      } catch (error) {
        return (error as Error).name;
      }
    };
    const threads = [0, 1].map(() => new Thread({ target: party, args: [barrier, meet] }));
    for (const thread of threads) thread.start();
    await within(meet.waitAsync(), 30_000, 'meet the threads');
    for (const thread of threads) await joinOrFail(thread, 30_000);
    assert.deepEqual(
      threads.map((t) => t.result),
      ['BrokenBarrierError', 'BrokenBarrierError'],
    );
    await assert.rejects(barrier.waitAsync(), BrokenBarrierError, 'the late party finds it broken');
  });

  it('meets pool tasks and the main thread, and arrives inside nested arguments', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const barrier = new Barrier(3);
    const tasks = [0, 1].map(() =>
      pool.submit((shared: { barrier: Barrier }) => shared.barrier.wait(30_000), { barrier }),
    );
    const mine = await within(barrier.waitAsync(), 30_000, 'meet the pool tasks');
    const theirs = await within(Promise.all(tasks.map((t) => t.result())), 30_000, 'run the tasks');
    assert.deepEqual([mine, ...theirs].sort(), [0, 1, 2]);
  });
});
