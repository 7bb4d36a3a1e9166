import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Event, RLock, RuntimeError, Thread, ThreadPoolExecutor } from 'skein';
import { joinOrFail, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

describe('RLock on one thread', () => {
  it('is taken again by its holder, and free after as many releases', () => {
    const lock = new RLock();
    assert.equal(lock.locked(), false);
    assert.equal(lock.acquire(1_000), true);
    assert.equal(lock.acquire(0), true, 'the holder takes it again at once');
    lock.release();
    assert.equal(lock.locked(), true, 'one acquire is still open');
    lock.release();
    assert.equal(lock.locked(), false);
  });

  it('refuses a release by a thread that does not hold it, as Python', () => {
    const lock = new RLock();
    assert.throws(
      () => lock.release(),
      (error: unknown) => {
        assert.ok(error instanceof RuntimeError);
        assert.equal((error as Error).message, 'cannot release un-acquired lock');
        return true;
      },
    );
  });

  it('acquireAsync re-enters on the thread that holds it', async () => {
    const lock = new RLock();
    assert.equal(await lock.acquireAsync(), true);
    assert.equal(await lock.acquireAsync(0), true);
    lock.release();
    lock.release();
    assert.equal(lock.locked(), false);
    assert.throws(() => lock.acquire('1' as never), TypeError);
  });

  it('is rebuilt from its memory, and refuses memory that holds no RLock', () => {
    const lock = new RLock();
    assert.equal(lock.acquire(1_000), true);
    const same = RLock.fromBuffer(lock.buffer, lock.byteOffset);
    assert.equal(same.acquire(0), true, 'the same holder, through another handle');
    same.release();
    lock.release();
    assert.equal(lock.locked(), false);
    assert.throws(
      () => RLock.fromBuffer(new SharedArrayBuffer(RLock.SIZE)),
      /invalid handle: the buffer does not hold a skein RLock/,
    );
  });
});

describe('RLock across threads', () => {
  it('keeps another thread out until its holder has released every acquire', async () => {
    const lock = new RLock();
    const tried = new Event();
    assert.equal(lock.acquire(1_000), true);
    assert.equal(lock.acquire(1_000), true);
    const thread = new Thread({
      target: (lock: RLock, tried: Event) => {
        const early = lock.acquire(20);
        tried.set();
        const later = lock.acquire(30_000);
        lock.release();
        return [early, later];
      },
      args: [lock, tried],
    });
    thread.start();
    lock.release();
    // Still held once: the thread's first try times out, then it waits.
    assert.equal(await within(tried.waitAsync(), 10_000, 'see the thread try'), true);
    assert.equal(thread.isAlive(), true, 'it cannot end without the lock');
    lock.release();
    await joinOrFail(thread);
    assert.deepEqual(thread.result, [false, true]);
  });

  it('cannot be released by a thread that does not hold it', async () => {
    const lock = new RLock();
    assert.equal(lock.acquire(1_000), true);
    const thread = new Thread({
      target: (lock: RLock) => {
        try {
          lock.release();
          return 'released';
        } catch (error) {
          return (error as Error).message;
        }
      },
      args: [lock],
    });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.result, 'cannot release un-acquired lock');
    assert.equal(lock.locked(), true);
    lock.release();
  });

  it('arrives in a pool task working, inside an object', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const lock = new RLock();
    const result = await within(
      pool
        .submit(
          (shared: { lock: RLock }) => {
            shared.lock.acquire();
            shared.lock.acquire();
            shared.lock.release();
            shared.lock.release();
            return shared.lock instanceof RLock && !shared.lock.locked();
          },
          { lock },
        )
        .result(),
      10_000,
      'run the task',
    );
    assert.equal(result, true);
  });
});
