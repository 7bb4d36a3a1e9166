// Condition: ports of the intent of CPython's Lib/test/lock_tests.py
// ConditionTests, written for skein's threads — synchronised on counts kept
// in shared memory, never on time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Condition, Event, Lock, RLock, RuntimeError, Semaphore, Thread, ThreadPoolExecutor } from 'skein';
import { countReaches, joinOrFail, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

// Slots of the shared log the notify test keeps.
const kInWait = 0; // waits begun (counted with the lock held, just before wait())
const kPhase = 1; // what the main thread calls the current phase
const kWoken1 = 2; // threads back from their first wait
const kWoken2 = 3; // … from their second
const kPhases1 = 4; // the phase each saw on waking, from here
const kPhases2 = 14;

/**
 * A thread of CPython's `_check_notify`: wait twice, each time logging the
 * phase it wakes in. Sent as source: the slots are written out (0 waits
 * begun, 1 phase, 2 and 3 woken counts, 4 and 14 the phases logged).
 */
const waitTwice = (cond: Condition, log: Int32Array): boolean[] => {
  const notified: boolean[] = [];
  for (const [woken, phases] of [
    [2, 4],
    [3, 14],
  ]) {
    cond.acquire();
    try {
      Atomics.add(log, 0, 1);
      Atomics.notify(log, 0);
      notified.push(cond.wait(60_000));
      const at = Atomics.add(log, woken!, 1);
      Atomics.store(log, phases! + at, Atomics.load(log, 1));
      Atomics.notify(log, woken!);
    } finally {
      cond.release();
    }
  }
  return notified;
};

function phasesLogged(log: Int32Array, woken: number, from: number): number[] {
  return Array.from({ length: Atomics.load(log, woken) }, (_, i) => log[from + i]!).sort();
}

/**
 * CPython's `_check_notify`: five threads wait; notify(3) wakes three,
 * which wait again; notify(5) wakes the two still in their first wait and
 * the three in their second; notifyAll wakes the last two. Each wait is
 * counted with the lock held, and a thread releases the lock only inside
 * wait(): once the main thread holds the lock after the count, all of them
 * are waiting.
 */
async function checkNotify(cond: Condition): Promise<void> {
  const log = new Int32Array(new SharedArrayBuffer(4 * 24));
  const threads = Array.from({ length: 5 }, () => new Thread({ target: waitTwice, args: [cond, log] }));
  for (const thread of threads) thread.start();
  const phase = async (n: number, notify: () => void): Promise<void> => {
    await within(cond.acquireAsync(), 10_000, 'take the lock');
    notify();
    Atomics.store(log, kPhase, n);
    cond.release();
  };

  await countReaches(log, kInWait, 5, 'all 5 threads in their first wait');
  await phase(1, () => cond.notify(3));
  await countReaches(log, kWoken1, 3, '3 threads woken by notify(3)');
  await countReaches(log, kInWait, 8, 'the 3 woken threads in their second wait');
  await within(cond.acquireAsync(), 10_000, 'take the lock');
  assert.deepEqual(phasesLogged(log, kWoken1, kPhases1), [1, 1, 1], 'notify(3) woke 3 threads');
  assert.deepEqual(phasesLogged(log, kWoken2, kPhases2), [], 'a wait begun after notify(3) is not woken by it');
  cond.release();

  await phase(2, () => cond.notify(5));
  await countReaches(log, kWoken2, 3, 'the 3 threads in their second wait woken by notify(5)');
  await countReaches(log, kInWait, 10, 'the 2 others in their second wait');
  await within(cond.acquireAsync(), 10_000, 'take the lock');
  assert.deepEqual(phasesLogged(log, kWoken1, kPhases1), [1, 1, 1, 2, 2]);
  assert.deepEqual(phasesLogged(log, kWoken2, kPhases2), [2, 2, 2]);
  cond.release();

  await phase(3, () => cond.notifyAll());
  for (const thread of threads) await joinOrFail(thread, 30_000);
  for (const thread of threads) assert.deepEqual(thread.result, [true, true], String(thread.exception));
  assert.deepEqual(phasesLogged(log, kWoken1, kPhases1), [1, 1, 1, 2, 2]);
  assert.deepEqual(phasesLogged(log, kWoken2, kPhases2), [2, 2, 2, 3, 3]);
}

/** CPython's test_waitfor thread: wait until `state[0]` is 4; returns what waitFor returned, and `state[0]`. */
const waitForFour = (cond: Condition, state: Int32Array, timeoutMs: number): [boolean, number] => {
  cond.acquire();
  try {
    return [cond.waitFor(() => state[0] === 4, timeoutMs), state[0]!];
  } finally {
    cond.release();
  }
};

const isRuntimeError = (message: string) => (error: unknown) => {
  assert.ok(error instanceof RuntimeError, String(error));
  assert.equal(error.message, message);
  assert.equal(error.code, 'SKEIN_ERR_THREAD_STATE');
  return true;
};

describe('Condition on one thread', () => {
  it('acquires its lock: an RLock by default, or the Lock it was given (test_acquire)', () => {
    const cond = new Condition();
    assert.equal(cond.acquire(), true);
    assert.equal(cond.acquire(0), true, 'the default RLock is taken again by its holder');
    cond.release();
    cond.release();
    const lock = new Lock();
    const overLock = new Condition(lock);
    assert.equal(overLock.acquire(), true);
    assert.equal(lock.acquire(0), false, 'the Condition took the Lock itself');
    overLock.release();
    assert.equal(lock.acquire(0), true);
    assert.equal(overLock.acquire(0), false);
    lock.release();
  });

  it('refuses wait and notify without the lock, as Python (test_unacquired_wait, test_unacquired_notify)', () => {
    const cond = new Condition();
    assert.throws(() => cond.wait(), isRuntimeError('cannot wait on un-acquired lock'));
    assert.throws(() => cond.waitAsync(), isRuntimeError('cannot wait on un-acquired lock'), 'thrown, not rejected');
    assert.throws(() => cond.waitFor(() => true), isRuntimeError('cannot wait on un-acquired lock'));
    assert.throws(() => cond.waitForAsync(() => true), isRuntimeError('cannot wait on un-acquired lock'));
    assert.throws(() => cond.notify(), isRuntimeError('cannot notify on un-acquired lock'));
    assert.throws(() => cond.notifyAll(), isRuntimeError('cannot notify on un-acquired lock'));
    assert.throws(() => cond.release(), isRuntimeError('cannot release un-acquired lock'));
    assert.throws(() => new Condition(new Lock()).release(), isRuntimeError('release unlocked lock'));
  });

  it('times out with the lock held again, an RLock restored to its depth (test_timeout)', async () => {
    const cond = new Condition();
    cond.acquire();
    cond.acquire();
    assert.equal(cond.wait(0), false);
    assert.equal(cond.wait(5), false);
    assert.equal(cond.wait(-1), false, 'a negative timeout acts as 0');
    assert.equal(await cond.waitAsync(5), false);
    cond.release();
    cond.release();
    assert.throws(() => cond.release(), RuntimeError, 'held twice, released twice: free');
    const overLock = new Condition(new Lock());
    assert.equal(await overLock.acquireAsync(), true);
    assert.equal(await overLock.waitAsync(1), false);
    overLock.release();
  });

  it('is not woken by a notify that came before its wait began', () => {
    const cond = new Condition();
    cond.acquire();
    cond.notify();
    cond.notifyAll();
    assert.equal(cond.wait(1), false);
    cond.release();
  });

  it('waitFor returns the predicate at once when true, and its last value on timeout', async () => {
    const cond = new Condition();
    cond.acquire();
    assert.equal(
      cond.waitFor(() => 'ready'),
      'ready',
    );
    let calls = 0;
    assert.equal(
      cond.waitFor(() => {
        calls++;
        return 0;
      }, 0),
      0,
    );
    assert.equal(calls, 2, 'as CPython: checked, one wait of 0 ms, checked again');
    assert.equal(await cond.waitForAsync(() => '', 2), '');
    cond.release();
  });

  it('refuses what is not a Lock or RLock, bad counts, predicates and timeouts, naming them', () => {
    assert.throws(() => new Condition(new Semaphore() as never), {
      name: 'TypeError',
      message:
        'Expected `lock` to be a skein Lock or RLock, got `a Semaphore` (object); pass `new Lock()` or `new RLock()`, or nothing for a new RLock',
    });
    assert.throws(() => new Condition({ acquire() {}, release() {} } as never), TypeError);
    assert.doesNotThrow(() => new Condition(null), 'null means the default, as None in Python');
    const cond = new Condition();
    cond.acquire();
    assert.throws(() => cond.notify(-1), {
      name: 'RangeError',
      message: 'Expected `n` to be an integer ≥ 0, got `-1` (number)',
    });
    assert.throws(() => cond.notify(1.5), RangeError);
    assert.throws(() => cond.notify('2' as never), TypeError);
    assert.doesNotThrow(() => cond.notify(0));
    assert.throws(() => cond.wait('5' as never), {
      name: 'TypeError',
      message: 'Expected `timeoutMs` to be a number of milliseconds, got `"5"` (string)',
    });
    assert.throws(() => cond.waitAsync(Number.NaN), RangeError);
    assert.throws(() => cond.waitFor('ready' as never), {
      name: 'TypeError',
      message: 'Expected `predicate` to be a function returning whether to stop waiting, got `"ready"` (string)',
    });
    assert.throws(() => cond.waitForAsync(() => true, Number.NaN), RangeError);
    cond.release();
    assert.throws(() => cond.release(), RuntimeError, 'a refused call leaves the lock as it was');
  });

  it('is rebuilt from its memory, with its own RLock or with the lock it was made over', () => {
    const cond = new Condition();
    const same = Condition.fromBuffer(cond.buffer, cond.byteOffset);
    same.acquire();
    cond.notify(); // the same RLock, held by this thread
    same.release();
    const lock = new Lock();
    const overLock = new Condition(lock);
    const rebuilt = Condition.fromBuffer(overLock.buffer, 0, Lock.fromBuffer(lock.buffer));
    rebuilt.acquire();
    assert.equal(lock.locked(), true);
    overLock.notify();
    rebuilt.release();

    assert.throws(() => Condition.fromBuffer(overLock.buffer), {
      name: 'TypeError',
      message:
        'this Condition was made over a Lock that lives in other memory: pass it as `lock` (`Lock.fromBuffer(its buffer)`), got `undefined` (undefined)',
    });
    assert.throws(() => Condition.fromBuffer(overLock.buffer, 0, new RLock()), /made over a Lock/);
    assert.throws(
      () => Condition.fromBuffer(cond.buffer, 0, new RLock()),
      /this Condition keeps its own RLock in its memory/,
    );
    assert.throws(() => Condition.fromBuffer(new Event().buffer), /the buffer is too small for a Condition/);
    assert.throws(
      () => Condition.fromBuffer(new SharedArrayBuffer(Condition.SIZE)),
      /invalid handle: the buffer does not hold a skein Condition/,
    );
    assert.throws(
      () => Condition.fromBuffer(new ArrayBuffer(64) as never),
      /Expected `buffer` to be a SharedArrayBuffer/,
    );
    assert.throws(() => Condition.fromBuffer(new SharedArrayBuffer(8)), RangeError);
  });

  it('shows its state when inspected', async () => {
    const { inspect } = await import('node:util');
    const cond = new Condition(new Lock());
    assert.equal(inspect(cond), 'Condition { lock: Lock, locked: false, waiting: 0 }');
  });
});

describe('Condition across threads', () => {
  it('notify(n) wakes n waiting threads, and notifyAll the rest (test_notify, twice)', async () => {
    const cond = new Condition();
    await checkNotify(cond);
    await checkNotify(cond); // again, on the same memory: its counts came back even
  });

  it('notify(n) wakes exactly n waiting threads: the others time out', async () => {
    const cond = new Condition();
    // Slots: 0 threads started, 1 waits begun, 2 waits returned.
    const waiter = (cond: Condition, log: Int32Array, go: Event): boolean => {
      Atomics.add(log, 0, 1);
      Atomics.notify(log, 0);
      go.wait(30_000);
      cond.acquire();
      try {
        Atomics.add(log, 1, 1);
        Atomics.notify(log, 1);
        return cond.wait(2_000);
      } finally {
        Atomics.add(log, 2, 1);
        cond.release();
      }
    };
    // A wait that times out before the notify does not count; if one has
    // returned by the time the main thread holds the lock (a loaded
    // machine), try again.
    for (let attempt = 1; ; attempt++) {
      const log = new Int32Array(new SharedArrayBuffer(12));
      const go = new Event();
      const threads = Array.from({ length: 5 }, () => new Thread({ target: waiter, args: [cond, log, go] }));
      for (const thread of threads) thread.start();
      await countReaches(log, 0, 5, 'all 5 threads started');
      go.set(); // their timeouts start together
      await countReaches(log, 1, 5, 'all 5 threads waiting');
      await within(cond.acquireAsync(), 10_000, 'take the lock');
      const inTime = Atomics.load(log, 2) === 0;
      if (inTime) cond.notify(3);
      cond.release();
      for (const thread of threads) await joinOrFail(thread, 30_000);
      if (!inTime && attempt < 5) continue;
      assert.ok(inTime, 'a wait of 2 s timed out before the main thread could notify, five times');
      // A thread that timed out just as the notify came may be one it
      // wakes: which three is not fixed, how many is.
      const results = threads.map((t) => t.result);
      assert.deepEqual(results.filter((r) => r === true).length, 3, `results ${results}`);
      assert.deepEqual(results.filter((r) => r === false).length, 2, `results ${results}`);
      return;
    }
  });

  it('does the same over a plain Lock', async () => {
    await checkNotify(new Condition(new Lock()));
  });

  it('waitFor wakes once the predicate holds (test_waitfor)', async () => {
    const cond = new Condition();
    const state = new Int32Array(new SharedArrayBuffer(4));
    const thread = new Thread({ target: waitForFour, args: [cond, state, 60_000] });
    thread.start();
    for (let i = 0; i < 4; i++) {
      await within(cond.acquireAsync(), 10_000, 'take the lock');
      state[0] = state[0]! + 1;
      cond.notify();
      cond.release();
    }
    await joinOrFail(thread, 30_000);
    assert.deepEqual(thread.result, [true, 4], String(thread.exception));
  });

  it('waitFor gives up once its timeout has run out in all, however often it is woken (test_waitfor_timeout)', async () => {
    const cond = new Condition();
    const state = new Int32Array(new SharedArrayBuffer(4));
    const thread = new Thread({ target: waitForFour, args: [cond, state, 50] });
    thread.start();
    // Notify without pause until the thread ends: a timeout that restarted at
    // every wake-up would never run out, and the join below would fail.
    const until = performance.now() + 30_000;
    for (let i = 0; thread.isAlive(); i++) {
      await within(cond.acquireAsync(), 10_000, 'take the lock');
      if (i < 3) state[0] = state[0]! + 1; // only three times: state never reaches 4
      cond.notify();
      cond.release();
      await new Promise(setImmediate);
      if (performance.now() > until) assert.fail('failed to see waitFor time out in 30.0 seconds of notifies');
    }
    await joinOrFail(thread, 30_000);
    assert.deepEqual(thread.result, [false, 3], String(thread.exception));
  });

  it('times out in threads that nobody notifies, each with the lock back (test_timeout)', async () => {
    const cond = new Condition();
    const threads = Array.from(
      { length: 5 },
      () =>
        new Thread({
          target: (cond: Condition) => {
            cond.acquire();
            const result = cond.wait(20);
            cond.release(); // throws unless the wait took the lock back
            return result;
          },
          args: [cond],
        }),
    );
    for (const thread of threads) thread.start();
    for (const thread of threads) await joinOrFail(thread, 30_000);
    assert.deepEqual(
      threads.map((t) => [t.result, t.exception]),
      threads.map(() => [false, undefined]),
    );
  });

  it('releases an RLock held several times for the wait, and gives it back as deep', async () => {
    const cond = new Condition();
    const waiting = new Int32Array(new SharedArrayBuffer(4));
    const thread = new Thread({
      target: (cond: Condition, waiting: Int32Array) => {
        cond.acquire();
        cond.acquire();
        cond.acquire();
        Atomics.store(waiting, 0, 1);
        Atomics.notify(waiting, 0);
        const notified = cond.wait(60_000);
        cond.release();
        cond.release();
        cond.release();
        try {
          cond.release();
          return [notified, 'released a fourth time'];
        } catch (error) {
          return [notified, (error as Error).message];
        }
      },
      args: [cond, waiting],
    });
    thread.start();
    await countReaches(waiting, 0, 1, 'the thread holding the lock three times');
    // The thread holds the RLock until its wait releases it entirely.
    assert.equal(await within(cond.acquireAsync(), 10_000, 'take the lock the wait released'), true);
    cond.notify();
    cond.release();
    await joinOrFail(thread, 30_000);
    assert.deepEqual(thread.result, [true, 'cannot release un-acquired lock'], String(thread.exception));
  });

  it('wakes the main thread in waitAsync together with threads in wait, on a notifyAll from a thread', async () => {
    const cond = new Condition();
    const log = new Int32Array(new SharedArrayBuffer(4));
    const waiter = (cond: Condition, log: Int32Array): boolean => {
      cond.acquire();
      try {
        Atomics.add(log, 0, 1);
        Atomics.notify(log, 0);
        return cond.wait(60_000);
      } finally {
        cond.release();
      }
    };
    const threads = Array.from({ length: 3 }, () => new Thread({ target: waiter, args: [cond, log] }));
    for (const thread of threads) thread.start();
    await countReaches(log, 0, 3, 'all 3 threads waiting');
    await within(cond.acquireAsync(), 10_000, 'take the lock');
    const mine = cond.waitAsync(60_000); // the lock is released once this returns
    const notifier = new Thread({
      target: (cond: Condition) => {
        cond.acquire();
        cond.notifyAll();
        cond.release();
      },
      args: [cond],
    });
    notifier.start();
    assert.equal(await within(mine, 30_000, 'see the main thread woken'), true);
    cond.release();
    for (const thread of [notifier, ...threads]) await joinOrFail(thread, 30_000);
    assert.deepEqual(
      threads.map((t) => t.result),
      [true, true, true],
    );
  });

  it('a thread waitFor-ing is woken by the main thread awaiting waitForAsync and notifying', async () => {
    const cond = new Condition(new Lock());
    const turn = new Int32Array(new SharedArrayBuffer(4));
    // Ping-pong: each side waits for its turn, takes it, hands over.
    const thread = new Thread({
      target: (cond: Condition, turn: Int32Array) => {
        for (let i = 0; i < 50; i++) {
          cond.acquire();
          try {
            if (!cond.waitFor(() => turn[0] === 1, 60_000)) return `timed out at ${i}`;
            turn[0] = 0;
            cond.notify();
          } finally {
            cond.release();
          }
        }
        return 'done';
      },
      args: [cond, turn],
    });
    thread.start();
    for (let i = 0; i < 50; i++) {
      await within(cond.acquireAsync(), 10_000, 'take the lock');
      try {
        assert.equal(
          await within(
            cond.waitForAsync(() => turn[0] === 0, 60_000),
            30_000,
            `take turn ${i}`,
          ),
          true,
        );
        turn[0] = 1;
        cond.notify();
      } finally {
        cond.release();
      }
    }
    await joinOrFail(thread, 30_000);
    assert.equal(thread.result, 'done', String(thread.exception));
  });

  it('arrives with the Lock it was made over, and in a pool task', async () => {
    const lock = new Lock();
    const cond = new Condition(lock);
    const thread = new Thread({
      target: (cond: Condition, lock: Lock) => {
        lock.acquire();
        cond.notify(); // throws unless cond's lock is this one
        cond.release();
        return lock.locked();
      },
      args: [cond, lock],
    });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.result, false, String(thread.exception));

    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const task = pool.submit(
      (shared: { cond: Condition }) => {
        shared.cond.acquire();
        const timedOut = !shared.cond.wait(1);
        shared.cond.release();
        return shared.cond instanceof Condition && timedOut;
      },
      { cond: new Condition() },
    );
    assert.equal(await within(task.result(), 10_000, 'run the task'), true);
  });
});
