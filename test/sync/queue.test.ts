// The Queue family: ports of the intent of CPython's test_queue.py (basic
// order and blocking, task_done/join, nowait, 3.13 shutdown) written for
// skein's threads, and what skein adds: items of any kind and size, queues
// travelling to threads, the main thread's async forms.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { once } from 'node:events';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import {
  Event,
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  RuntimeError,
  SimpleQueue,
  Thread,
  ThreadPoolExecutor,
} from 'skein';
import { setQueueMemory } from '../../dist/internal.js';
import { countReaches, joinOrFail, runScript, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

const QUEUE_SIZE = 5;
type AnyQueue = Queue<unknown>;
const kinds: Array<[string, new (maxsize?: number) => AnyQueue, number[]]> = [
  ['Queue', Queue, [111, 333, 222]],
  ['LifoQueue', LifoQueue, [222, 333, 111]],
  ['PriorityQueue', PriorityQueue as never, [111, 222, 333]],
];
/** Items for a queue of `kind`: a PriorityQueue's are [priority, value]. */
const itemFor = (kind: string, value: number): unknown => (kind === 'PriorityQueue' ? [value, value] : value);
const valueIn = (kind: string, item: unknown): number =>
  kind === 'PriorityQueue' ? (item as number[])[1]! : (item as number);

/** Start a thread that signals `started`, then runs `target(queue, item)` and returns what it returned or threw. */
function blockedCall(call: 'put' | 'get', queue: AnyQueue, item: unknown, started: Event, timeoutMs?: number): Thread {
  return new Thread({
    target: (call: 'put' | 'get', queue: Queue, item: unknown, started: Event, timeoutMs?: number) => {
      started.set();
      try {
        if (call === 'get') return ['got', queue.get(timeoutMs)];
        queue.put(item, timeoutMs);
        return 'put';
      } catch (error) {
        return (error as Error).name;
      }
    },
    args: [call, queue, item, started, timeoutMs],
  });
}

describe('Queue, LifoQueue, PriorityQueue: CPython test_queue basics', () => {
  for (const [kind, Kind, order] of kinds) {
    it(`${kind}: orders, fills, refuses when full or empty, blocks and unblocks`, async () => {
      const q = new Kind(QUEUE_SIZE);
      // Done twice to make sure it works with the same instance reused.
      for (let round = 0; round < 2; round++) {
        assert.equal(q.qsize(), 0);
        assert.ok(q.empty());
        assert.ok(!q.full());
        for (const value of [111, 333, 222]) q.put(itemFor(kind, value));
        assert.deepEqual(
          [q.get(), q.get(), q.get()].map((item) => valueIn(kind, item)),
          order,
        );
        for (let i = 0; i < QUEUE_SIZE - 1; i++) {
          q.put(itemFor(kind, i));
          assert.ok(q.qsize() > 0);
        }
        assert.ok(!q.full(), 'Queue should not be full');
        q.put(itemFor(kind, 2 * QUEUE_SIZE));
        assert.ok(q.full(), 'Queue should be full');
        assert.ok(!q.empty());
        assert.throws(() => q.put(itemFor(kind, 99), 0), QueueFull);
        assert.throws(() => q.put(itemFor(kind, 99), 10), QueueFull, 'a timed put times out');
        assert.throws(() => q.putNowait(itemFor(kind, 99)), QueueFull);
        // A blocking put: it returns once another thread gets an item.
        const started = new Event();
        const putter = blockedCall('put', q, itemFor(kind, 3 * 2 * QUEUE_SIZE), started);
        putter.start();
        assert.equal(await started.waitAsync(10_000), true, 'the putter started');
        assert.ok(q.qsize() <= QUEUE_SIZE);
        await q.getAsync(10_000);
        await joinOrFail(putter);
        assert.equal(putter.result, 'put');
        assert.ok(q.full());
        for (let i = 0; i < QUEUE_SIZE; i++) q.get();
        assert.equal(q.qsize(), 0, 'Queue should be empty');
        assert.throws(() => q.get(0), QueueEmpty);
        assert.throws(() => q.get(10), QueueEmpty, 'a timed get times out');
        assert.throws(() => q.getNowait(), QueueEmpty);
        // A blocking get: it returns once another thread puts an item.
        const getStarted = new Event();
        const getter = blockedCall('get', q, undefined, getStarted, 30_000);
        getter.start();
        assert.equal(await getStarted.waitAsync(10_000), true);
        await q.putAsync(itemFor(kind, 7));
        await joinOrFail(getter);
        assert.deepEqual(getter.result, ['got', itemFor(kind, 7)]);
      }
    });

    it(`${kind}: join waits until two worker threads have marked every item done, twice`, async () => {
      const q = new Kind();
      const sum = new Int32Array(new SharedArrayBuffer(4));
      const worker = (q: Queue, sum: Int32Array, priority: boolean): void => {
        for (;;) {
          const item = q.get();
          const x = priority ? (item as number[])[1]! : (item as number);
          if (x < 0) {
            q.taskDone();
            return;
          }
          Atomics.add(sum, 0, x);
          q.taskDone();
        }
      };
      const threads = [0, 1].map(() => new Thread({ target: worker, args: [q, sum, kind === 'PriorityQueue'] }));
      for (const thread of threads) thread.start();
      for (let round = 0; round < 2; round++) {
        Atomics.store(sum, 0, 0);
        for (let i = 0; i < 100; i++) await q.putAsync(itemFor(kind, i));
        assert.equal(await within(q.joinAsync(), 30_000, 'join the queue'), true);
        assert.equal(Atomics.load(sum, 0), 4950, 'join() returned before all tasks were done');
      }
      for (const _ of threads) await q.putAsync(itemFor(kind, -1));
      assert.equal(await q.joinAsync(30_000), true, 'a queue can be joined again');
      for (const thread of threads) await joinOrFail(thread);
      assert.throws(() => q.taskDone(), { name: 'RuntimeError', message: 'taskDone() called too many times' });
    });

    it(`${kind}: putNowait and getNowait up to full and empty`, () => {
      const q = new Kind(QUEUE_SIZE);
      for (let i = 0; i < QUEUE_SIZE; i++) q.putNowait(itemFor(kind, 1));
      assert.throws(() => q.putNowait(itemFor(kind, 1)), QueueFull);
      for (let i = 0; i < QUEUE_SIZE; i++) q.getNowait();
      assert.throws(() => q.getNowait(), QueueEmpty);
    });
  }

  it('taskDone() on a queue with nothing unfinished throws, as Python', () => {
    const q = new Queue();
    assert.throws(() => q.taskDone(), RuntimeError);
    q.put(1);
    q.get();
    q.taskDone();
    assert.throws(() => q.taskDone(), /taskDone\(\) called too many times/);
    assert.equal(q.join(0), true);
  });
});

describe('Queue shutdown (Python 3.13)', () => {
  it('empty: puts and gets throw QueueShutDown', () => {
    const q = new Queue();
    q.shutdown();
    assert.throws(() => q.put('data'), QueueShutDown);
    assert.throws(() => q.get(), QueueShutDown);
  });

  it('non-empty: what is left is got, then QueueShutDown', () => {
    const q = new Queue();
    q.put('data');
    q.shutdown();
    assert.equal(q.get(), 'data');
    assert.throws(() => q.get(), QueueShutDown);
  });

  it('immediate: what is left is dropped', () => {
    const q = new Queue();
    q.put('data');
    q.shutdown(true);
    assert.throws(() => q.get(), QueueShutDown);
    assert.equal(q.qsize(), 0);
  });

  it('allowed transitions: alive, shut down, immediate, again', () => {
    const q = new Queue();
    assert.equal(q.isShutdown, false);
    q.shutdown();
    assert.equal(q.isShutdown, true);
    q.shutdown(true);
    assert.equal(q.isShutdown, true);
    q.shutdown(false);
    assert.equal(q.isShutdown, true);
  });

  for (const immediate of [false, true]) {
    it(`every method in one thread after shutdown(${immediate})`, () => {
      const q = new Queue<string>(2);
      q.put('L');
      q.putNowait('O');
      q.shutdown(immediate);
      assert.throws(() => q.put('E'), QueueShutDown);
      assert.throws(() => q.putNowait('W'), QueueShutDown);
      if (immediate) {
        assert.throws(() => q.get(), QueueShutDown);
        assert.throws(() => q.getNowait(), QueueShutDown);
        assert.throws(() => q.taskDone(), RuntimeError, 'the dropped items count as done');
        assert.equal(q.join(), true);
      } else {
        assert.ok('LO'.includes(q.get()));
        q.taskDone();
        assert.ok('LO'.includes(q.get()));
        q.taskDone();
        assert.equal(q.join(), true);
        assert.throws(() => q.get(), QueueShutDown);
        assert.throws(() => q.getNowait(), QueueShutDown);
        assert.throws(() => q.get(1_000), QueueShutDown);
      }
    });
  }

  for (const immediate of [false, true]) {
    it(`wakes blocked getters (shutdown(${immediate})): ${immediate ? 'all' : 'all but those the items serve'} throw`, async () => {
      const q = new Queue<string>(2);
      q.put('Y');
      q.put('D');
      const go = new Event();
      const getter = (q: Queue<string>, go: Event): boolean | string => {
        go.wait();
        try {
          q.get();
          return true;
        } catch (error) {
          return (error as Error).name === 'QueueShutDown' ? false : String(error);
        }
      };
      const threads = Array.from({ length: immediate ? 2 : 3 }, () => new Thread({ target: getter, args: [q, go] }));
      for (const thread of threads) thread.start();
      q.shutdown(immediate);
      go.set();
      for (const thread of threads) await joinOrFail(thread);
      const results = threads.map((thread) => thread.result);
      assert.deepEqual(results.sort(), immediate ? [false, false] : [false, true, true]);
    });

    it(`wakes putters blocked on a full queue (shutdown(${immediate})): they throw`, async () => {
      const q = new Queue<string>(2);
      q.put('Y');
      q.put('D');
      const started = new Int32Array(new SharedArrayBuffer(4));
      const putter = (q: Queue<string>, started: Int32Array, item: string): string => {
        Atomics.add(started, 0, 1);
        Atomics.notify(started, 0);
        try {
          q.put(item);
          return 'put';
        } catch (error) {
          return (error as Error).name;
        }
      };
      const threads = ['E', 'W'].map((item) => new Thread({ target: putter, args: [q, started, item] }));
      for (const thread of threads) thread.start();
      await countReaches(started, 0, 2, 'both putters about to block');
      q.shutdown(immediate);
      for (const thread of threads) await joinOrFail(thread);
      assert.deepEqual(
        threads.map((thread) => thread.result),
        ['QueueShutDown', 'QueueShutDown'],
      );
    });

    it(`lets joiners return once nothing is unfinished (shutdown(${immediate}))`, async () => {
      const q = new Queue<string>();
      q.put('Y');
      const joiner = (q: Queue<string>): boolean => q.join(60_000);
      const threads: Thread[] = [0, 1].map(() => new Thread({ target: joiner, args: [q] }));
      for (const thread of threads) thread.start();
      if (!immediate) {
        const getter = new Thread({
          target: (q: Queue<string>) => {
            q.get();
            q.taskDone();
          },
          args: [q],
        });
        getter.start();
        threads.push(getter);
      }
      q.shutdown(immediate);
      for (const thread of threads) await joinOrFail(thread);
      assert.deepEqual(
        threads.slice(0, 2).map((thread) => thread.result),
        [true, true],
      );
    });
  }

  it('a put blocked on a full queue and a joiner, then shutdown: the put throws, the join returns', async () => {
    for (const immediate of [false, true]) {
      const q = new Queue<string>(1);
      q.put('Y');
      const started = new Event();
      const putter = blockedCall('put', q as AnyQueue, 'E', started);
      const joiner = new Thread({ target: (q: Queue) => q.join(60_000), args: [q] });
      putter.start();
      joiner.start();
      await started.waitAsync(10_000);
      q.shutdown(immediate);
      if (immediate) {
        assert.throws(() => q.getNowait(), QueueShutDown);
      } else {
        assert.equal(q.get(), 'Y');
        q.taskDone();
      }
      await joinOrFail(putter);
      await joinOrFail(joiner);
      assert.equal(putter.result, 'QueueShutDown');
      assert.equal(joiner.result, true);
    }
  });

  it('a get pending on an empty queue throws QueueShutDown when it is shut down', async () => {
    const q = new Queue();
    const started = new Event();
    const getter = blockedCall('get', q, undefined, started);
    getter.start();
    await started.waitAsync(10_000);
    q.shutdown();
    await joinOrFail(getter);
    assert.equal(getter.result, 'QueueShutDown');
    const pending = q.getAsync();
    await assert.rejects(pending, QueueShutDown);
  });

  it('wakes a getAsync and a putAsync of the main thread, and ends a for await', async () => {
    const empty = new Queue<number>();
    const full = new Queue<number>(1);
    full.put(1);
    const getting = empty.getAsync();
    const putting = full.putAsync(2);
    const seen: number[] = [];
    const iterating = (async () => {
      for await (const item of empty) seen.push(item);
      return 'ended';
    })();
    empty.shutdown();
    full.shutdown();
    await assert.rejects(within(getting, 10_000, 'wake the getter'), QueueShutDown);
    await assert.rejects(within(putting, 10_000, 'wake the putter'), QueueShutDown);
    assert.equal(await within(iterating, 10_000, 'end the loop'), 'ended');
    assert.deepEqual(seen, []);
  });
});

describe('Queue on the main thread: async forms', () => {
  it('gives each of two gets woken together its own queue’s item', async () => {
    // Two waits woken in one turn: each take reads its record after a turn
    // of the microtask queue, in which the other take has run.
    const a = new Queue<{ from: string; i: number }>();
    const b = new Queue<{ from: string; i: number }>();
    const go = new Queue<number>();
    const putter = new Thread({
      target: (a: Queue<{ from: string; i: number }>, b: Queue<{ from: string; i: number }>, go: Queue<number>) => {
        for (let i = 0; i < 50; i++) {
          go.get();
          a.put({ from: 'a', i });
          b.put({ from: 'b', i });
        }
      },
      args: [a, b, go],
    });
    putter.start();
    for (let i = 0; i < 50; i++) {
      const both = Promise.all([a.getAsync(), b.getAsync()]);
      go.put(i);
      assert.deepEqual(await within(both, 10_000, `get round ${i}`), [
        { from: 'a', i },
        { from: 'b', i },
      ]);
    }
    await joinOrFail(putter);
  });

  it('wakes many async getters and putters of one thread by items, room and shutdown, without deadlock', async () => {
    // In a process of its own: a deadlock of the main thread would hang this one.
    const run = await runScript('test/fixtures/scenarios/async-waiters.mjs', { timeoutMs: 30_000 });
    assert.equal(run.stderr, '');
    assert.equal(
      run.stdout,
      'items got: 3 of 3; others shut out: true\nputs done beyond the two needed: 0; others shut out: true\n',
    );
  });

  it('getAsync and putAsync wait, and time out with QueueEmpty and QueueFull', async () => {
    const q = new Queue<number>(1);
    await assert.rejects(q.getAsync(0), QueueEmpty);
    await assert.rejects(q.getAsync(5), QueueEmpty);
    const getting = q.getAsync();
    await q.putAsync(1);
    assert.equal(await within(getting, 10_000, 'get the item put'), 1);
    await q.putAsync(2);
    await assert.rejects(q.putAsync(3, 0), QueueFull);
    await assert.rejects(q.putAsync(3, 5), QueueFull);
    const putting = q.putAsync(4);
    assert.equal(await q.getAsync(), 2);
    await within(putting, 10_000, 'put once there is room');
    assert.equal(q.getNowait(), 4);
    assert.equal(q.qsize(), 0);
  });

  it('for await takes every item in order and ends once the queue is shut down and drained', async () => {
    const q = new Queue<number>();
    const producer = new Thread({
      target: (q: Queue<number>) => {
        for (let i = 0; i < 2_000; i++) q.put(i);
        q.shutdown();
      },
      args: [q],
    });
    producer.start();
    const seen: number[] = [];
    await within(
      (async () => {
        for await (const item of q) seen.push(item);
      })(),
      30_000,
      'iterate to the end',
    );
    await joinOrFail(producer);
    assert.equal(seen.length, 2_000);
    assert.ok(
      seen.every((item, i) => item === i),
      'in order',
    );
  });

  it('leaving a for await early loses nothing', async () => {
    const q = new Queue<number>();
    for (let i = 0; i < 10; i++) q.put(i);
    for await (const item of q) if (item === 3) break;
    assert.equal(q.qsize(), 6);
    assert.equal(q.get(), 4);
  });

  it('joinAsync waits for taskDone, and times out', async () => {
    const q = new Queue();
    q.put(1);
    assert.equal(await q.joinAsync(5), false);
    const joining = q.joinAsync();
    q.get();
    q.taskDone();
    assert.equal(await within(joining, 10_000, 'join'), true);
  });
});

describe('SimpleQueue', () => {
  it('is an unbounded FIFO whose put never blocks', async () => {
    const q = new SimpleQueue<number>();
    assert.ok(q.empty());
    for (let i = 0; i < 10_000; i++) q.put(i);
    q.putNowait(10_000);
    assert.equal(q.qsize(), 10_001);
    for (let i = 0; i <= 10_000; i++) assert.equal(q.get(), i);
    assert.throws(() => q.getNowait(), QueueEmpty);
    assert.throws(() => q.get(5), QueueEmpty);
    await assert.rejects(q.getAsync(5), QueueEmpty);
    assert.throws(() => SimpleQueue.fromBuffer(new Queue().buffer), /invalid handle/);
    assert.throws(() => Queue.fromBuffer(q.buffer), /invalid handle/);
  });

  it('feeds several consumer threads: every item once, each consumer in order', async () => {
    const q = new SimpleQueue<number | null>();
    const consume = (q: SimpleQueue<number | null>): number[] => {
      const got: number[] = [];
      for (let item = q.get(); item !== null; item = q.get()) got.push(item);
      return got;
    };
    const threads = Array.from({ length: 3 }, () => new Thread({ target: consume, args: [q] }));
    for (const thread of threads) thread.start();
    for (let i = 0; i < 3_000; i++) q.put(i);
    for (const _ of threads) q.put(null);
    for (const thread of threads) await joinOrFail(thread, 30_000);
    const all = threads.flatMap((thread) => thread.result as number[]);
    for (const thread of threads) {
      const got = thread.result as number[];
      assert.ok(
        got.every((item, i) => i === 0 || item > got[i - 1]!),
        'each consumer in order',
      );
    }
    assert.deepEqual(
      all.sort((a, b) => a - b),
      Array.from({ length: 3_000 }, (_, i) => i),
    );
  });
});

describe('Queue items: any kind, any size', () => {
  it('keeps plain data as structured clone does', () => {
    const q = new Queue();
    const holey = [1, 2, 3];
    delete holey[1];
    const values = [
      { id: 1, name: 'widget' },
      holey,
      new Map([[1, { a: new Set([2]) }]]),
      new Date(5),
      /x+/g,
      new Uint16Array([1, 2, 3]),
      new TypeError('boom'),
      -0,
      Number.NaN,
      10n ** 30n,
      'é日\ud800',
      null,
      undefined,
    ];
    for (const value of values) q.put(value);
    for (const value of values) assert.deepStrictEqual(q.get(), structuredClone(value));
  });

  // Not on Deno: its node:worker_threads MessagePort copies a big buffer at
  // ~300 ms a MiB, even transferred, so the item takes well over a minute
  // through the relay (8 MiB: 2.5 s, against 0.15 s on Node).
  const onDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';
  it('carries a 64 MiB item, and the items after it in order', { skip: onDeno }, async () => {
    const q = new Queue<Uint8Array | number>();
    const big = new Uint8Array(64 * 1024 * 1024);
    big[0] = 1;
    big[big.length - 1] = 2;
    q.put(0);
    q.put(big);
    q.put(3);
    const consumer = new Thread({
      target: (q: Queue<Uint8Array | number>) => {
        const first = q.get();
        const item = q.get() as Uint8Array;
        return [first, item.length, item[0], item[item.length - 1], q.get()];
      },
      args: [q],
    });
    consumer.start();
    await joinOrFail(consumer, 60_000);
    assert.deepEqual(consumer.result, [0, 64 * 1024 * 1024, 1, 2, 3]);
  });

  it('carries an Event and a Queue inside an item: they arrive working, on the same memory', async () => {
    const q = new Queue<{ done: Event; replies: Queue<string> }>();
    const done = new Event();
    const replies = new Queue<string>();
    const thread = new Thread({
      target: (q: Queue<{ done: Event; replies: Queue<string> }>) => {
        const { done, replies } = q.get();
        replies.put(`a ${done.constructor.name} and a ${replies.constructor.name}`);
        done.set();
      },
      args: [q],
    });
    thread.start();
    await q.putAsync({ done, replies });
    assert.equal(await done.waitAsync(30_000), true, 'the thread set the Event it got');
    assert.equal(await replies.getAsync(30_000), 'a Event and a Queue');
    await joinOrFail(thread);
  });

  it('moves a MessagePort inside an item to the thread that gets it', async () => {
    const q = new Queue<{ reply: MessagePort }>();
    const { port1, port2 } = new MessageChannel();
    const thread = new Thread({
      target: (q: Queue<{ reply: MessagePort }>) => {
        const { reply } = q.get();
        reply.postMessage('hello from the thread');
        reply.close();
      },
      args: [q],
    });
    thread.start();
    await q.putAsync({ reply: port1 });
    const [message] = (await within(once(port2, 'message'), 10_000, 'hear through the moved port')) as [string];
    assert.equal(message, 'hello from the thread');
    port2.close();
    await joinOrFail(thread);
  });

  it('keeps the order of items that live in its memory and of those that do not', () => {
    const q = new Queue<unknown>();
    const event = new Event();
    q.put(1);
    q.put(event);
    q.put(new SharedArrayBuffer(8));
    q.put(2);
    assert.equal(q.get(), 1);
    assert.ok(q.get() instanceof Event);
    assert.ok(q.get() instanceof SharedArrayBuffer);
    assert.equal(q.get(), 2);
  });

  for (const [kind, Kind] of kinds) {
    it(`${kind}: more items than its shared memory holds keep their order`, async () => {
      // 16 KiB that cannot grow: most of the items go through the relay.
      const previous = setQueueMemory(16 * 1024, 16 * 1024);
      const q = new Kind();
      setQueueMemory(...previous);
      const n = 10_000; // ~300 KiB of records
      for (let i = 0; i < n; i++) q.put(itemFor(kind, kind === 'PriorityQueue' ? (i * 7919) % n : i));
      assert.equal(q.qsize(), n);
      const consumer = new Thread({
        target: (q: Queue, n: number, priority: boolean) => {
          const got: number[] = [];
          for (let i = 0; i < n; i++) {
            const item = q.get();
            got.push(priority ? (item as number[])[1]! : (item as number));
          }
          return got;
        },
        args: [q, n, kind === 'PriorityQueue'],
      });
      consumer.start();
      await joinOrFail(consumer, 60_000);
      const got = consumer.result as number[];
      const expected =
        kind === 'LifoQueue' ? Array.from({ length: n }, (_, i) => n - 1 - i) : Array.from({ length: n }, (_, i) => i);
      assert.deepEqual(got, expected);
      assert.equal(q.qsize(), 0);
    });
  }

  it('grows its shared memory for a burst of items, and keeps them in order', () => {
    const q = new Queue<number>();
    for (let i = 0; i < 100_000; i++) q.put(i);
    for (let i = 0; i < 100_000; i++) assert.equal(q.get(), i);
  });

  it('drops, on shutdown(true), the items held elsewhere too', () => {
    const previous = setQueueMemory(16 * 1024, 16 * 1024);
    const q = new Queue<unknown>();
    setQueueMemory(...previous);
    for (let i = 0; i < 3_000; i++) q.put(i);
    q.put(new Event());
    q.shutdown(true);
    assert.equal(q.qsize(), 0);
    assert.throws(() => q.get(), QueueShutDown);
    assert.equal(q.join(0), true);
  });
});

describe('Queue across threads', () => {
  it('moves thousands of items from 3 producer threads to 3 consumer threads, none lost or duplicated', async () => {
    const q = new Queue<[number, number] | null>(64);
    const produce = (q: Queue<[number, number] | null>, p: number, count: number): void => {
      for (let i = 0; i < count; i++) q.put([p, i]);
    };
    const consume = (q: Queue<[number, number] | null>): Array<[number, number]> => {
      const got: Array<[number, number]> = [];
      for (let item = q.get(); item !== null; item = q.get()) {
        got.push(item);
        q.taskDone();
      }
      q.taskDone();
      return got;
    };
    const consumers = Array.from({ length: 3 }, () => new Thread({ target: consume, args: [q] }));
    const producers = Array.from({ length: 3 }, (_, p) => new Thread({ target: produce, args: [q, p, 2_000] }));
    for (const thread of [...consumers, ...producers]) thread.start();
    for (const thread of producers) await joinOrFail(thread, 60_000);
    for (const _ of consumers) await q.putAsync(null);
    assert.equal(await q.joinAsync(60_000), true);
    for (const thread of consumers) await joinOrFail(thread, 60_000);
    const seen = new Map<string, number>();
    for (const thread of consumers) {
      const got = thread.result as Array<[number, number]>;
      const last = new Map<number, number>();
      for (const [p, i] of got) {
        assert.ok(i > (last.get(p) ?? -1), `producer ${p}'s items in order in each consumer`);
        last.set(p, i);
        seen.set(`${p}/${i}`, (seen.get(`${p}/${i}`) ?? 0) + 1);
      }
    }
    assert.equal(seen.size, 6_000, 'none lost');
    assert.ok(
      [...seen.values()].every((count) => count === 1),
      'none duplicated',
    );
  });

  it('shutdown racing blocked getters and putters: every thread ends, no item got twice', async () => {
    for (const immediate of [false, true]) {
      const q = new Queue<number>(4);
      const got = new Int32Array(new SharedArrayBuffer(4 * 400));
      const producer = (q: Queue<number>, from: number): string => {
        try {
          for (let i = from; i < from + 100; i++) q.put(i);
          return 'all put';
        } catch (error) {
          return (error as Error).name;
        }
      };
      const consumer = (q: Queue<number>, got: Int32Array): string => {
        try {
          for (;;) Atomics.add(got, q.get(), 1);
        } catch (error) {
          return (error as Error).name;
        }
      };
      const threads = [
        ...[0, 100, 200, 300].map((from) => new Thread({ target: producer, args: [q, from] })),
        ...[0, 1].map(() => new Thread({ target: consumer, args: [q, got] })),
      ];
      for (const thread of threads) thread.start();
      // Shut down while they run: some items are put, some got, the rest refused or dropped.
      await countReaches(got, 0, 1, 'a first item got');
      q.shutdown(immediate);
      for (const thread of threads) await joinOrFail(thread, 30_000);
      for (const thread of threads.slice(4)) assert.equal(thread.result, 'QueueShutDown');
      assert.ok(
        got.every((count) => count <= 1),
        'no item got twice',
      );
      assert.equal(q.qsize(), 0);
    }
  });
});

describe('Queue handles', () => {
  it('reaches a pool initializer and pool tasks in a fresh worker, arriving working', async () => {
    const q = new Queue<string>();
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      initializer: (q: Queue<string>) => q.put('from the initializer'),
      initargs: [q],
    });
    await pool.submit((q: Queue<string>) => q.put('from a task'), q);
    assert.deepEqual([await q.getAsync(10_000), await q.getAsync(10_000)], ['from the initializer', 'from a task']);
  });

  it('travels to a raw Worker by its buffer: plain items work, relayed items name the problem', async () => {
    const q = new Queue<unknown>();
    q.put({ id: 1, name: 'widget' });
    q.put(new Event());
    const worker = new Worker(
      `
      const { workerData, parentPort } = require('node:worker_threads');
      import(workerData.skein).then(({ Queue }) => {
        const q = Queue.fromBuffer(workerData.buffer);
        const first = q.get(0);
        let second;
        try { q.get(0); } catch (error) { second = error.message; }
        parentPort.postMessage([first, second]);
      });
      `,
      { eval: true, workerData: { buffer: q.buffer, skein: import.meta.resolve('skein') } },
    );
    const [message] = await within(
      new Promise<unknown[]>((resolve, reject) => {
        worker.once('message', (value) => resolve([value]));
        worker.once('error', reject);
      }),
      30_000,
      'hear from the raw worker',
    );
    await worker.terminate();
    const [first, second] = message as [unknown, string];
    assert.deepEqual(first, { id: 1, name: 'widget' });
    assert.match(second, /no connection to the skein relay.*not started by skein/);
  });

  it('is rebuilt from its buffer as the class it was made, and refuses another type', () => {
    const lifo = new LifoQueue<number>(3);
    const same = Queue.fromBuffer<number>(lifo.buffer, lifo.byteOffset);
    assert.ok(same instanceof LifoQueue);
    assert.equal(same.maxsize, 3);
    same.put(1);
    assert.equal(lifo.get(), 1);
    assert.throws(() => PriorityQueue.fromBuffer(lifo.buffer), {
      name: 'TypeError',
      message: /invalid handle: the buffer holds a skein LifoQueue, not a PriorityQueue/,
    });
    assert.throws(() => Queue.fromBuffer(new Event().buffer), /too small for a Queue/);
    assert.throws(
      () => Queue.fromBuffer(new SharedArrayBuffer(4096)),
      /invalid handle: the buffer does not hold a skein Queue/,
    );
    assert.throws(() => Queue.fromBuffer(new ArrayBuffer(8) as never), /Expected `buffer` to be a SharedArrayBuffer/);
  });
});

describe('Queue bad input', () => {
  it('refuses a maxsize that is not an integer, echoing it', () => {
    assert.throws(() => new Queue(1.5), {
      name: 'RangeError',
      message: 'Expected `maxsize` to be an integer (0 or less for no limit), got `1.5` (number)',
    });
    assert.throws(() => new Queue('3' as never), { name: 'TypeError', message: /got `"3"` \(string\)/ });
    assert.throws(() => new LifoQueue(Number.NaN), RangeError);
    assert.throws(() => new PriorityQueue(Number.POSITIVE_INFINITY), RangeError);
    assert.equal(new Queue(-3).maxsize, -3, 'kept as given, as Python does');
    assert.ok(!new Queue(-3).full());
  });

  it('refuses an item that cannot be copied, naming what and where; nothing is put', async () => {
    const q = new Queue<unknown>();
    assert.throws(() => q.put({ a: [1, { f: () => 1 }] }), {
      name: 'TypeError',
      message: /^the item cannot be copied to another thread: it holds a function .* — at `item\.a\[1\]\.f`$/,
    });
    assert.throws(() => q.put(Symbol('s')), { name: 'TypeError', message: /it is a symbol/ });
    assert.throws(() => q.putNowait(new Map([[1, Promise.resolve()]])), { name: 'TypeError', message: /a Promise/ });
    assert.throws(() => q.putAsync({ weak: new WeakMap() }), {
      name: 'TypeError',
      message: /a WeakMap.* `item\.weak`/,
    });
    assert.equal(q.qsize(), 0);
    assert.equal(q.join(0), true, 'nothing counted as unfinished');
  });

  it('refuses a non-numeric or NaN timeout', () => {
    const q = new Queue();
    assert.throws(() => q.get('1' as never), { name: 'TypeError', message: /`timeoutMs`/ });
    assert.throws(() => q.put(1, Number.NaN), RangeError);
    assert.throws(() => q.getAsync(Number.NaN), RangeError);
    assert.throws(() => q.joinAsync('x' as never), TypeError);
    assert.equal(q.qsize(), 0, 'the refused put put nothing');
  });

  it('refuses a PriorityQueue item that is not [priority, …]', () => {
    const q = new PriorityQueue();
    for (const bad of [5, [], [null, 1], [Number.NaN, 1], [{}, 1]]) {
      assert.throws(() => q.put(bad as never), {
        name: 'TypeError',
        message:
          /^Expected a PriorityQueue item to be an array whose first element, a number or a string, is its priority/,
      });
    }
    assert.equal(q.qsize(), 0);
  });
});
