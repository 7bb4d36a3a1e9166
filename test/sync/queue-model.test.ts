// Schedules of put / get / taskDone / shutdown, drawn by fast-check, run on
// each kind of queue and on a model of Python's queue module: after every
// call, the same outcome (value or error) and the same qsize, empty, full,
// isShutdown and join(0). Some items go through the relay, some records
// spill past a small shared memory, so every path keeps the order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Event, LifoQueue, PriorityQueue, Queue } from 'skein';
import { setQueueMemory } from '../../dist/internal.js';

type Kind = 'Queue' | 'LifoQueue' | 'PriorityQueue';

type Op =
  | { op: 'put'; value: number; relayed: boolean; nowait: boolean }
  | { op: 'get'; nowait: boolean }
  | { op: 'taskDone' }
  | { op: 'shutdown'; immediate: boolean };

/** Python's queue.Queue, LifoQueue and PriorityQueue, as a plain list. */
class Model {
  readonly items: Array<{ value: number; sequence: number }> = [];
  unfinished = 0;
  shutDown = false;
  #sequence = 0;
  constructor(
    readonly kind: Kind,
    readonly maxsize: number,
  ) {}

  put(value: number): string {
    if (this.shutDown) return 'QueueShutDown';
    if (this.maxsize > 0 && this.items.length >= this.maxsize) return 'QueueFull';
    this.items.push({ value, sequence: this.#sequence++ });
    this.unfinished++;
    return 'ok';
  }

  get(): string | number {
    if (this.items.length === 0) return this.shutDown ? 'QueueShutDown' : 'QueueEmpty';
    let at = 0;
    if (this.kind === 'LifoQueue') at = this.items.length - 1;
    if (this.kind === 'PriorityQueue') {
      for (let i = 1; i < this.items.length; i++) if (this.items[i]!.value < this.items[at]!.value) at = i;
    }
    return this.items.splice(at, 1)[0]!.value;
  }

  taskDone(): string {
    if (this.unfinished <= 0) return 'RuntimeError';
    this.unfinished--;
    return 'ok';
  }

  shutdown(immediate: boolean): string {
    this.shutDown = true;
    if (immediate) {
      this.unfinished = Math.max(0, this.unfinished - this.items.length);
      this.items.length = 0;
    }
    return 'ok';
  }
}

const ops: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('put' as const),
      value: fc.integer({ min: 0, max: 20 }),
      relayed: fc.boolean(),
      nowait: fc.boolean(),
    }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('get' as const), nowait: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ op: 'taskDone' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('shutdown' as const), immediate: fc.boolean() }) },
);

const errorName = (call: () => unknown): unknown => {
  try {
    return call();
  } catch (error) {
    return (error as Error).name;
  }
};

function run(kind: Kind, maxsize: number, schedule: Op[]): void {
  const Kind = { Queue, LifoQueue, PriorityQueue }[kind] as unknown as new (maxsize: number) => Queue<unknown>;
  const queue = new Kind(maxsize);
  const model = new Model(kind, maxsize);
  const wrap = (value: number, relayed: boolean): unknown => {
    // An Event beside the value sends the item through the relay.
    const item = relayed ? { value, event: new Event() } : value;
    return kind === 'PriorityQueue' ? [value, item] : item;
  };
  const unwrap = (item: unknown): unknown => {
    const inner = kind === 'PriorityQueue' ? (item as [number, unknown])[1] : item;
    return typeof inner === 'object' && inner !== null ? (inner as { value: number }).value : inner;
  };
  for (const [step, call] of schedule.entries()) {
    let got: unknown;
    let expected: unknown;
    switch (call.op) {
      case 'put':
        got = errorName(() => {
          const item = wrap(call.value, call.relayed);
          if (call.nowait) queue.putNowait(item);
          else queue.put(item, 0);
          return 'ok';
        });
        expected = model.put(call.value);
        break;
      case 'get':
        got = errorName(() => unwrap(call.nowait ? queue.getNowait() : queue.get(0)));
        expected = model.get();
        break;
      case 'taskDone':
        got = errorName(() => {
          queue.taskDone();
          return 'ok';
        });
        expected = model.taskDone();
        break;
      case 'shutdown':
        got = errorName(() => {
          queue.shutdown(call.immediate);
          return 'ok';
        });
        expected = model.shutdown(call.immediate);
        break;
    }
    const where = `step ${step} (${JSON.stringify(call)}) of a ${kind}(${maxsize})`;
    assert.deepEqual(got, expected, where);
    assert.equal(queue.qsize(), model.items.length, `qsize after ${where}`);
    assert.equal(queue.empty(), model.items.length === 0, `empty after ${where}`);
    assert.equal(queue.full(), maxsize > 0 && model.items.length >= maxsize, `full after ${where}`);
    assert.equal(queue.isShutdown, model.shutDown, `isShutdown after ${where}`);
    assert.equal(queue.join(0), model.unfinished === 0, `join(0) after ${where}`);
  }
}

describe('Queue schedules against a model of Python', () => {
  for (const kind of ['Queue', 'LifoQueue', 'PriorityQueue'] as const) {
    it(`${kind}: every outcome and every state as Python's`, () => {
      fc.assert(
        fc.property(fc.integer({ min: -1, max: 6 }), fc.array(ops, { maxLength: 60 }), (maxsize, schedule) => {
          run(kind, maxsize, schedule);
        }),
        { numRuns: 150 },
      );
    });

    it(`${kind}: the same when most records spill past a small shared memory`, () => {
      // 1 KiB that cannot grow: the records of a few items fill it.
      const previous = setQueueMemory(1024, 1024);
      try {
        fc.assert(
          fc.property(fc.array(ops, { minLength: 40, maxLength: 120 }), (schedule) => {
            run(kind, 0, schedule);
          }),
          { numRuns: 40 },
        );
      } finally {
        setQueueMemory(...previous);
      }
    });
  }
});
