// The shared-memory record queue under the Queue family and the pool
// (src/sync/record-queue.ts): its three orders against a model, its
// allocator, spilling, and many real threads putting and taking at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Thread } from 'skein';
import { Order, RecordQueue, type SpillOp, Status } from '../../dist/internal.js';
import { countReaches, joinOrFail } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

const targets = new URL('../fixtures/ring-targets.mjs', import.meta.url).href;

/**
 * A thread that runs `name` of ring-targets.mjs on `args`: an inline target
 * importing that module, not a module target. Under tsx, skein registers the
 * TypeScript loader in the worker of every module target, .mjs or not (~0.65 s
 * of CPU each on Node 20, more than these tests' own work), and its standby
 * workers get it ready ahead of need once a process has run one; this plain
 * JavaScript module needs neither.
 */
function ringThread(name: string, args: unknown[]): Thread {
  return new Thread({
    target: async (url: string, name: string, args: unknown[]) =>
      ((await import(url)) as Record<string, (...args: unknown[]) => unknown>)[name]!(...args),
    args: [targets, name, args],
  });
}
const orders = [Order.fifo, Order.lifo, Order.priority] as const;
const orderName = ['FIFO', 'LIFO', 'priority'];

/** A small deterministic generator. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

const numbered = (n: number, size: number): Uint8Array => {
  const bytes = new Uint8Array(size);
  new DataView(bytes.buffer).setUint32(0, n, true);
  return bytes;
};
const numberOf = (bytes: Uint8Array): number => new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);

interface Held {
  n: number;
  key: number;
  sequence: number;
}

/** The relay's side of spilling, as a model: records held in put order, taken by the queue's order. */
class ModelRelay {
  readonly held: Held[] = [];
  constructor(readonly order: number) {}
  apply(ops: SpillOp[] | undefined): number | undefined {
    let taken: number | undefined;
    for (const op of ops ?? []) {
      if (op.kind === 'put')
        this.held.push({ n: numberOf(op.bytes), key: (op.key as number) ?? 0, sequence: op.sequence });
      else if (op.kind === 'take') taken = takeFrom(this.held, this.order).n;
      else this.held.length = 0;
    }
    return taken;
  }
}

function takeFrom(list: Held[], order: number): Held {
  if (order === Order.fifo) return list.shift()!;
  if (order === Order.lifo) return list.pop()!;
  let best = 0;
  for (let i = 1; i < list.length; i++) {
    const a = list[i]!;
    const b = list[best]!;
    if (a.key < b.key || (a.key === b.key && a.sequence < b.sequence)) best = i;
  }
  return list.splice(best, 1)[0]!;
}

describe('RecordQueue on one thread', () => {
  for (const order of orders) {
    it(`takes in ${orderName[order]} order, spilling when its memory is full and coming back`, () => {
      const queue = RecordQueue.create({ tag: 1, order, capacity: 0, dataBytes: 4096 });
      const relay = new ModelRelay(order);
      const model: Held[] = [];
      const rand = random(order + 1);
      let sequence = 0;
      const seen = { ok: 0, external: 0 };
      for (let step = 0; step < 20_000; step++) {
        if (rand() < (model.length > 40 ? 0.4 : 0.6)) {
          const size = 4 + Math.floor(rand() * 200);
          const key = Math.floor(rand() * 10);
          const n = sequence++;
          const status = queue.put(numbered(n, size), 0, size, order === Order.priority ? key : undefined, 0);
          assert.ok(status === Status.ok || status === Status.external);
          seen[status === Status.ok ? 'ok' : 'external']++;
          relay.apply(queue.takeSpillOps());
          model.push({ n, key, sequence: n });
        } else {
          const status = queue.tryTake();
          if (model.length === 0) {
            assert.equal(status, Status.timedOut);
            continue;
          }
          const expected = takeFrom(model, order).n;
          const got = status === Status.ok ? numberOf(queue.taken) : relay.apply(queue.takeSpillOps());
          assert.equal(got, expected, `step ${step}`);
        }
        assert.equal(queue.size, model.length);
      }
      assert.ok(seen.ok > 0 && seen.external > 0, `both kept and spilled: ${JSON.stringify(seen)}`);
    });

    it(`frees every byte it used (${orderName[order]}): once empty, the whole data area is one block`, () => {
      const queue = RecordQueue.create({ tag: 1, order, capacity: 0, dataBytes: 4096 });
      const rand = random(100 + order);
      for (let round = 0; round < 300; round++) {
        const k = 1 + Math.floor(rand() * 12);
        for (let i = 0; i < k; i++) {
          const size = 1 + Math.floor(rand() * 60);
          const status = queue.put(new Uint8Array(size), 0, size, order === Order.priority ? rand() : undefined, 0);
          assert.equal(status, Status.ok, `round ${round}: kept`);
        }
        for (let m = Math.floor(rand() * (queue.size + 1)); m > 0; m--) assert.equal(queue.tryTake(), Status.ok);
        queue.inspect();
      }
      while (queue.size > 0) assert.equal(queue.tryTake(), Status.ok);
      // All that is left in use is the index's block; the rest is free, in at most two blocks around it.
      const after = queue.inspect();
      assert.equal(after.usedBlocks, 1);
      assert.ok(after.freeBlocks <= 2, `${after.freeBlocks} free blocks`);
      // A record as big as the biggest free block fits.
      const whole = after.freeBytes - 12 - (order === Order.priority ? 16 : 0);
      if (after.freeBlocks === 1) {
        assert.equal(
          queue.put(new Uint8Array(whole), 0, whole, order === Order.priority ? 1 : undefined, 0),
          Status.ok,
        );
      }
      assert.equal(queue.takeSpillOps(), undefined, 'kept, not spilled');
    });
  }

  for (const order of orders) {
    it(`grows its memory as records need, up to its most, then spills (${orderName[order]})`, () => {
      const queue = RecordQueue.create({ tag: 1, order, capacity: 0, dataBytes: 1024, maxDataBytes: 256 * 1024 });
      const relay = new ModelRelay(order);
      const n = 8_000; // ~300 KiB of blocks: more than the most
      let spilled = 0;
      for (let i = 0; i < n; i++) {
        const status = queue.put(numbered(i, 20), 0, 20, order === Order.priority ? i % 7 : undefined, 0);
        if (status === Status.external) spilled++;
        relay.apply(queue.takeSpillOps());
      }
      const grown = queue.inspect();
      assert.equal(grown.dataBytes, 256 * 1024, 'grown to its most');
      assert.ok(spilled > 0 && spilled < n / 2, `spilled ${spilled} of ${n} only past the most`);
      const model: Held[] = Array.from({ length: n }, (_, i) => ({
        n: i,
        key: order === Order.priority ? i % 7 : 0,
        sequence: i,
      }));
      for (let i = 0; i < n; i++) {
        const expected = takeFrom(model, order).n;
        const status = queue.tryTake();
        const got = status === Status.ok ? numberOf(queue.taken) : relay.apply(queue.takeSpillOps());
        assert.equal(got, expected, `take ${i}`);
      }
      const after = queue.inspect();
      assert.equal(after.usedBlocks, 1, 'only the index left');
    });
  }

  it('orders priorities as numbers before strings, strings by code units, ties in insertion order', () => {
    const queue = RecordQueue.create({ tag: 1, order: Order.priority, capacity: 0, dataBytes: 8192 });
    const keys: (number | string)[] = ['b', 2, 'a', -1, 'ab', 2, Number.NEGATIVE_INFINITY, '', 'é', 0, -0];
    for (const [n, key] of keys.entries()) queue.put(numbered(n, 4), 0, 4, key, 0);
    const order: number[] = [];
    while (queue.tryTake() === Status.ok) order.push(numberOf(queue.taken));
    assert.deepEqual(
      order.map((n) => keys[n]),
      [Number.NEGATIVE_INFINITY, -1, 0, -0, 2, 2, '', 'a', 'ab', 'b', 'é'],
    );
    assert.deepEqual(order.slice(4, 6), [1, 5], 'equal priorities in the order put');
  });

  it('blocks a put on a full bounded queue until the timeout, and refuses puts once closed', () => {
    const queue = RecordQueue.create({ tag: 1, order: Order.fifo, capacity: 2, dataBytes: 1024 });
    const bytes = new Uint8Array(8);
    assert.equal(queue.put(bytes, 0, 8, undefined, 0), Status.ok);
    assert.equal(queue.put(bytes, 0, 8, undefined, 0), Status.ok);
    assert.equal(queue.put(bytes, 0, 8, undefined, 0), Status.timedOut);
    assert.equal(queue.put(bytes, 0, 8, undefined, 5), Status.timedOut);
    assert.equal(queue.close(), 0);
    assert.equal(queue.put(bytes, 0, 8, undefined, 0), Status.closed);
    assert.equal(queue.tryTake(), Status.ok, 'what is left is still taken');
    assert.equal(queue.tryTake(), Status.ok);
    assert.equal(queue.take(1_000), Status.closed);
  });

  it('drains every record kept, under one hold of the lock, and drops all on close(drop)', () => {
    const queue = RecordQueue.create({ tag: 1, order: Order.fifo, capacity: 0, dataBytes: 4096 });
    for (let n = 0; n < 10; n++) queue.put(numbered(n, 4 + n), 0, 4 + n, undefined, 0);
    const drained = queue.drain(4);
    assert.notEqual(typeof drained, 'number');
    const first = drained as Exclude<typeof drained, number>;
    assert.deepEqual(
      first.starts.map((start) => numberOf(first.bytes.subarray(start))),
      [0, 1, 2, 3],
    );
    assert.deepEqual(first.lengths, [4, 5, 6, 7]);
    const rest = queue.drain() as Exclude<typeof drained, number>;
    assert.equal(rest.starts.length, 6);
    assert.equal(queue.drain(), Status.timedOut);
    for (let n = 0; n < 3; n++) queue.put(numbered(n, 4), 0, 4, undefined, 0);
    const dropped: number[] = [];
    assert.equal(
      queue.close(true, (record) => dropped.push(numberOf(record))),
      3,
    );
    assert.deepEqual(dropped, [0, 1, 2]);
    assert.equal(queue.size, 0);
    assert.equal(queue.drain(), Status.closed);
  });

  it('puts many records under one lock hold, as many as a bounded queue has room for', () => {
    const queue = RecordQueue.create({ tag: 1, order: Order.fifo, capacity: 3, dataBytes: 4096 });
    const all = new Uint8Array(64);
    for (let n = 0; n < 5; n++) new DataView(all.buffer).setUint32(8 * n, n, true);
    assert.equal(queue.putMany(all, [0, 8, 16, 24, 32], [4, 4, 4, 4, 4]), 3);
    assert.equal(queue.size, 3);
    queue.close();
    assert.equal(queue.putMany(all, [0], [4]), -1);
  });
});

describe('RecordQueue across threads', () => {
  const run = async (
    producers: number,
    consumers: number,
    perProducer: number,
    options: { capacity: number; dataBytes: number; maxDataBytes?: number; batch: number; drain: boolean },
  ): Promise<void> => {
    const { capacity, dataBytes, maxDataBytes } = options;
    const queue = RecordQueue.create({ tag: 1, order: Order.fifo, capacity, dataBytes, maxDataBytes });
    const seen = new Int32Array(new SharedArrayBuffer(producers * perProducer * 4));
    const takers = Array.from({ length: consumers }, () =>
      ringThread('consume', [queue.buffer, seen, perProducer, options.drain]),
    );
    const putters = Array.from({ length: producers }, (_, p) =>
      ringThread('produce', [queue.buffer, p, perProducer, options.batch]),
    );
    for (const thread of [...takers, ...putters]) thread.start();
    for (const thread of putters) await joinOrFail(thread, 60_000);
    for (const thread of putters) assert.equal(thread.exception, undefined, String(thread.exception));
    queue.close();
    for (const thread of takers) await joinOrFail(thread, 60_000);
    for (const thread of takers) assert.equal(thread.exception, undefined, String((thread.exception as Error)?.stack));
    const wrong: string[] = [];
    for (let i = 0; i < seen.length; i++) {
      if (seen[i] !== 1) wrong.push(`${Math.floor(i / perProducer)}/${i % perProducer} taken ${seen[i]} times`);
    }
    assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} records lost or duplicated`);
    assert.equal(queue.size, 0);
  };

  it('moves thousands of records from 3 producers to 3 consumers, none lost or duplicated, each producer in order', async () => {
    await run(3, 3, 2_000, { capacity: 0, dataBytes: 2 * 1024 * 1024, batch: 1, drain: false });
  });

  it('does so while its memory grows under them from 4 KiB', async () => {
    await run(2, 2, 2_000, { capacity: 0, dataBytes: 4096, maxDataBytes: 4 * 1024 * 1024, batch: 1, drain: false });
  });

  it('does so through a bounded queue of 16 whose putters block', async () => {
    await run(3, 2, 1_000, { capacity: 16, dataBytes: 64 * 1024, batch: 1, drain: false });
  });

  it('does so with batched puts and draining takes', async () => {
    await run(2, 2, 2_000, { capacity: 0, dataBytes: 2 * 1024 * 1024, batch: 7, drain: true });
  });

  it('wakes every blocked taker and putter when closed', async () => {
    const empty = RecordQueue.create({ tag: 1, order: Order.fifo, capacity: 0, dataBytes: 1024 });
    const full = RecordQueue.create({ tag: 1, order: Order.fifo, capacity: 1, dataBytes: 1024 });
    full.put(new Uint8Array(8), 0, 8, undefined, 0);
    const started = new Int32Array(new SharedArrayBuffer(4));
    const threads = [
      ...Array.from({ length: 3 }, () => ringThread('takeUntilClosed', [empty.buffer, started])),
      ...Array.from({ length: 3 }, () => ringThread('putUntilClosed', [full.buffer, started])),
    ];
    for (const thread of threads) thread.start();
    await countReaches(started, 0, 6, 'all 6 threads about to block');
    empty.close();
    full.close();
    for (const thread of threads) await joinOrFail(thread, 30_000);
    assert.deepEqual(
      threads.map((thread) => thread.result),
      [Status.closed, Status.closed, Status.closed, Status.closed, Status.closed, Status.closed],
    );
  });
});
