import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Event, Lock, RuntimeError, Thread, ThreadPoolExecutor } from 'skein';
import { countReaches, joinOrFail, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

/**
 * Once every thread is ready and `go` is set, add 1 to `counter[0]`
 * `times` times under `lock`: a plain read, some work, a plain write. The
 * threads run at once, so without the lock increments are lost (about half
 * of them, measured on 2 cores).
 */
const bump = (lock: Lock, counter: Int32Array, go: Event, times: number): number => {
  Atomics.add(counter, 1, 1);
  Atomics.notify(counter, 1);
  go.wait(30_000);
  let work = 0;
  for (let i = 0; i < times; i++) {
    lock.acquire();
    try {
      const seen = counter[0]!;
      for (let k = 0; k < 200; k++) work += k;
      counter[0] = seen + 1;
    } finally {
      lock.release();
    }
  }
  return work;
};

describe('Lock on one thread', () => {
  it('is taken and freed as Python: locked(), acquire, release', () => {
    const lock = new Lock();
    assert.equal(lock.locked(), false);
    assert.equal(lock.acquire(1_000), true);
    assert.equal(lock.locked(), true);
    assert.equal(lock.acquire(0), false, 'a held lock cannot be taken again, even by its holder');
    assert.equal(lock.acquire(5), false, 'nor after a wait');
    assert.equal(lock.acquire(-1), false, 'a negative timeout acts as 0');
    lock.release();
    assert.equal(lock.locked(), false);
    assert.equal(lock.acquire(0), true);
    lock.release();
  });

  it('refuses to release an unlocked lock with RuntimeError, as Python', () => {
    const lock = new Lock();
    assert.throws(
      () => lock.release(),
      (error: unknown) => {
        assert.ok(error instanceof RuntimeError);
        assert.equal((error as RuntimeError).message, 'release unlocked lock');
        assert.equal((error as RuntimeError).code, 'SKEIN_ERR_THREAD_STATE');
        return true;
      },
    );
  });

  it('acquireAsync resolves true once released, false on timeout', async () => {
    const lock = new Lock();
    assert.equal(await lock.acquireAsync(), true);
    assert.equal(await lock.acquireAsync(0), false);
    assert.equal(await lock.acquireAsync(5), false);
    const waiting = lock.acquireAsync();
    queueMicrotask(() => lock.release());
    assert.equal(await within(waiting, 5_000, 'take the lock once released'), true);
    assert.equal(lock.locked(), true);
    lock.release();
  });

  it('refuses a timeout that is not a number, or NaN', async () => {
    const lock = new Lock();
    assert.throws(() => lock.acquire('5' as never), {
      name: 'TypeError',
      message: 'Expected `timeoutMs` to be a number of milliseconds, got `"5"` (string)',
    });
    assert.throws(() => lock.acquireAsync(Number.NaN), RangeError);
    assert.equal(lock.locked(), false, 'a refused call takes nothing');
  });

  it('is rebuilt from its memory, and refuses memory that holds no Lock', () => {
    const lock = new Lock();
    const same = Lock.fromBuffer(lock.buffer, lock.byteOffset);
    assert.equal(same.acquire(1_000), true);
    assert.equal(lock.locked(), true);
    lock.release();
    assert.throws(() => Lock.fromBuffer(new Event().buffer), /invalid handle: the buffer does not hold a skein Lock/);
    assert.throws(() => Lock.fromBuffer(new ArrayBuffer(8) as never), /Expected `buffer` to be a SharedArrayBuffer/);
    assert.throws(() => Lock.fromBuffer(new SharedArrayBuffer(4)), RangeError);
  });
});

describe('Lock across threads', () => {
  it('lets one thread at a time in: no increment is lost among 4 threads racing', async () => {
    const lock = new Lock();
    const counter = new Int32Array(new SharedArrayBuffer(8));
    const go = new Event();
    const threads = Array.from({ length: 4 }, () => new Thread({ target: bump, args: [lock, counter, go, 20_000] }));
    for (const thread of threads) thread.start();
    await countReaches(counter, 1, 4, 'all 4 threads ready');
    go.set();
    for (const thread of threads) await joinOrFail(thread, 30_000);
    for (const thread of threads) assert.equal(thread.exception, undefined);
    assert.equal(counter[0], 80_000);
    assert.equal(lock.locked(), false);
  });

  it('blocks a thread while the main thread holds it, and wakes it on release', async () => {
    const lock = new Lock();
    const waiting = new Event();
    assert.equal(lock.acquire(1_000), true);
    const thread = new Thread({
      target: (lock: Lock, waiting: Event) => {
        waiting.set();
        const took = lock.acquire(30_000);
        lock.release();
        return took;
      },
      args: [lock, waiting],
    });
    thread.start();
    assert.equal(await within(waiting.waitAsync(), 10_000, 'see the thread reach acquire()'), true);
    assert.equal(thread.isAlive(), true);
    lock.release();
    await joinOrFail(thread);
    assert.equal(thread.result, true);
  });

  it('times out in a thread while another holds it, and hands it over on acquireAsync', async () => {
    const lock = new Lock();
    assert.equal(lock.acquire(1_000), true);
    const thread = new Thread({ target: (lock: Lock) => lock.acquire(20), args: [lock] });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.result, false, 'the thread gave up after its timeout');
    // A thread releases what the main thread took: any thread may.
    const release = new Event();
    const releaser = new Thread({
      target: (lock: Lock, release: Event) => {
        release.wait(30_000);
        lock.release();
      },
      args: [lock, release],
    });
    releaser.start();
    const taking = lock.acquireAsync(30_000);
    release.set();
    assert.equal(await within(taking, 10_000, 'take the lock the thread released'), true);
    await joinOrFail(releaser);
    assert.equal(releaser.exception, undefined);
    lock.release();
  });

  it('serializes pool tasks, and arrives working inside nested arguments', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const lock = new Lock();
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const tasks = Array.from({ length: 4 }, () =>
      pool.submit(
        (shared: { lock: Lock; counter: Int32Array }) => {
          const nap = new Int32Array(new SharedArrayBuffer(4));
          for (let i = 0; i < 500; i++) {
            shared.lock.acquire();
            const seen = shared.counter[0]!;
            if (i % 16 === 0) Atomics.wait(nap, 0, 0, 0);
            shared.counter[0] = seen + 1;
            shared.lock.release();
          }
          return shared.lock instanceof Lock;
        },
        { lock, counter },
      ),
    );
    assert.deepEqual(await within(Promise.all(tasks), 30_000, 'run the pool tasks'), [true, true, true, true]);
    assert.equal(counter[0], 2_000);
  });
});
