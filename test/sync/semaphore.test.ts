import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedSemaphore, Event, Semaphore, Thread, ThreadPoolExecutor } from 'skein';
import { countReaches, joinOrFail, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

describe('Semaphore on one thread', () => {
  it('counts permits as Python: acquire takes one, release gives n back', () => {
    const semaphore = new Semaphore(2);
    assert.equal(semaphore.value, 2);
    assert.equal(semaphore.acquire(1_000), true);
    assert.equal(semaphore.acquire(0), true);
    assert.equal(semaphore.value, 0);
    assert.equal(semaphore.acquire(0), false, 'no permit left');
    assert.equal(semaphore.acquire(5), false, 'nor after a wait');
    semaphore.release(3);
    assert.equal(semaphore.value, 3, 'an unbounded semaphore may grow past its start');
    assert.equal(new Semaphore().value, 1, 'one permit by default');
    assert.equal(new Semaphore(0).acquire(0), false);
  });

  it('acquireAsync resolves true once a permit is released, false on timeout', async () => {
    const semaphore = new Semaphore(0);
    assert.equal(await semaphore.acquireAsync(0), false);
    assert.equal(await semaphore.acquireAsync(5), false);
    const waiting = semaphore.acquireAsync();
    queueMicrotask(() => semaphore.release());
    assert.equal(await within(waiting, 5_000, 'take the released permit'), true);
    assert.equal(semaphore.value, 0);
  });

  it('BoundedSemaphore refuses a release past its initial value, as Python', () => {
    const bounded = new BoundedSemaphore(2);
    assert.throws(() => bounded.release(), { name: 'RangeError', message: 'Semaphore released too many times' });
    assert.equal(bounded.acquire(1_000), true);
    assert.throws(() => bounded.release(2), { name: 'RangeError', message: 'Semaphore released too many times' });
    bounded.release();
    assert.equal(bounded.value, 2, 'a refused release gives nothing back');
    assert.ok(bounded instanceof Semaphore);
  });

  it('refuses bad initial values, release counts and timeouts, naming them', () => {
    assert.throws(() => new Semaphore(-1), {
      name: 'RangeError',
      message: 'Expected the semaphore initial value to be an integer ≥ 0, got `-1` (number)',
    });
    assert.throws(() => new BoundedSemaphore(1.5), RangeError);
    assert.throws(() => new Semaphore('2' as never), TypeError);
    const semaphore = new Semaphore();
    assert.throws(() => semaphore.release(0), {
      name: 'RangeError',
      message: 'Expected `n` to be an integer ≥ 1, got `0` (number)',
    });
    assert.throws(() => semaphore.release('1' as never), TypeError);
    assert.throws(() => semaphore.acquire(Number.NaN), RangeError);
    assert.equal(semaphore.value, 1, 'a refused call changes nothing');
  });

  it('is rebuilt from its memory as the kind it was made', () => {
    const bounded = new BoundedSemaphore(3);
    const same = Semaphore.fromBuffer(bounded.buffer, bounded.byteOffset);
    assert.ok(same instanceof BoundedSemaphore);
    assert.equal(same.acquire(1_000), true);
    assert.equal(bounded.value, 2);
    assert.ok(!(Semaphore.fromBuffer(new Semaphore().buffer) instanceof BoundedSemaphore));
    assert.throws(
      () => Semaphore.fromBuffer(new SharedArrayBuffer(Semaphore.SIZE)),
      /invalid handle: the buffer does not hold a skein Semaphore/,
    );
    assert.throws(() => Semaphore.fromBuffer(new Event().buffer), /too small for a Semaphore/);
  });
});

describe('Semaphore across threads', () => {
  it('lets at most N threads in at once, and every thread through', async () => {
    const semaphore = new BoundedSemaphore(2);
    // [0] inside now, [1] most inside at once, [2] threads through, [3] threads ready
    const counts = new Int32Array(new SharedArrayBuffer(16));
    const go = new Event();
    const visit = (semaphore: Semaphore, counts: Int32Array, go: Event): void => {
      Atomics.add(counts, 3, 1);
      Atomics.notify(counts, 3);
      go.wait(30_000);
      for (let round = 0; round < 50; round++) {
        semaphore.acquire();
        try {
          const inside = Atomics.add(counts, 0, 1) + 1;
          for (let most = Atomics.load(counts, 1); inside > most; most = Atomics.load(counts, 1)) {
            if (Atomics.compareExchange(counts, 1, most, inside) === most) break;
          }
          let work = 0;
          for (let k = 0; k < 20_000; k++) work += k;
          if (work < 0) throw new Error('unreachable');
          Atomics.sub(counts, 0, 1);
        } finally {
          semaphore.release();
        }
      }
      Atomics.add(counts, 2, 1);
    };
    const threads = Array.from({ length: 4 }, () => new Thread({ target: visit, args: [semaphore, counts, go] }));
    for (const thread of threads) thread.start();
    // All four ready before any goes in, so that they really race.
    await countReaches(counts, 3, 4, 'all 4 threads ready');
    go.set();
    for (const thread of threads) await joinOrFail(thread, 30_000);
    for (const thread of threads) assert.equal(thread.exception, undefined);
    assert.equal(counts[2], 4, 'every thread got through');
    assert.ok(counts[1]! <= 2, `at most 2 inside at once, saw ${counts[1]}`);
    assert.equal(semaphore.value, 2);
  });

  it('wakes a thread waiting for a permit when the main thread releases one', async () => {
    const semaphore = new Semaphore(0);
    const waiting = new Event();
    const thread = new Thread({
      target: (semaphore: Semaphore, waiting: Event) => {
        waiting.set();
        return semaphore.acquire(30_000);
      },
      args: [semaphore, waiting],
    });
    thread.start();
    assert.equal(await within(waiting.waitAsync(), 10_000, 'see the thread reach acquire()'), true);
    semaphore.release();
    await joinOrFail(thread);
    assert.equal(thread.result, true);
    assert.equal(semaphore.value, 0);
  });

  it('arrives in pool tasks working, bounded still', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const bounded = new BoundedSemaphore(1);
    const outcome = await within(
      pool
        .submit(
          (args: { semaphore: Semaphore }) => {
            const kind = args.semaphore instanceof BoundedSemaphore ? 'bounded' : 'plain';
            try {
              args.semaphore.release();
              return `${kind}, released`;
            } catch (error) {
              return `${kind}, ${(error as Error).message}`;
            }
          },
          { semaphore: bounded },
        )
        .result(),
      10_000,
      'run the task',
    );
    assert.equal(outcome, 'bounded, Semaphore released too many times');
  });
});
