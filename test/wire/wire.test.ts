// The wire format (src/wire/): a value written into bytes and read back is
// what structured clone would have made of it; what the format does not
// hold is refused, whole, for the out-of-line path.
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Event, Lock, Queue } from 'skein';
import { WireReader, WireWriter } from '../../dist/internal.js';

const writer = new WireWriter(64);
const reader = new WireReader();

/** Write `value`, copy the bytes out (as the ring does) and read them back. */
function roundTrip(value: unknown): unknown {
  writer.reset();
  assert.equal(writer.write(value), true, 'written inline');
  return reader.read(writer.bytes.slice(0, writer.length));
}

/** Every string, lone surrogates included. */
const anyString = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });
const cloneable = fc.anything({
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withObjectString: true,
  withNullPrototype: true,
  withBigInt: true,
  withDate: true,
  withTypedArray: true,
  withSparseArray: true,
  values: [
    fc.boolean(),
    fc.integer(),
    fc.double(),
    anyString,
    fc.string({ minLength: 48, maxLength: 300 }),
    fc.constant(null),
    fc.constant(undefined),
    fc.bigInt(),
    fc.constantFrom(-0, Number.NaN, 2 ** 31, -(2 ** 31) - 1, Number.MAX_VALUE),
  ],
});

/**
 * Whether `value` holds an invalid Date anywhere: Node 20's deepStrictEqual
 * finds two `new Date(NaN)` unequal, so such values are checked on their own.
 */
function holdsInvalidDate(value: unknown, seen = new Set<unknown>()): boolean {
  if (value instanceof Date) return Number.isNaN(value.getTime());
  if (value === null || typeof value !== 'object' || seen.has(value)) return false;
  seen.add(value);
  const inside =
    value instanceof Map
      ? [...value.keys(), ...value.values()]
      : value instanceof Set
        ? [...value]
        : Object.values(value);
  return inside.some((item) => holdsInvalidDate(item, seen));
}

describe('wire format', () => {
  it('reads back what structured clone makes of any cloneable value', () => {
    fc.assert(
      fc.property(cloneable, (value) => {
        fc.pre(!holdsInvalidDate(value));
        assert.deepStrictEqual(roundTrip(value), structuredClone(value));
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps -0, NaN, bigints of any size and strings of every kind and length', () => {
    const values = [
      -0,
      Number.NaN,
      2 ** 53,
      -(2n ** 200n),
      2n ** 64n,
      -(2n ** 63n),
      '',
      'é',
      '日本',
      '\ud800',
      '\ufeffBOM first',
      'a'.repeat(5_000),
      'é'.repeat(5_000),
      '日\ud800'.repeat(3_000),
      '日本'.repeat(3_000),
    ];
    for (const value of values) assert.deepStrictEqual(roundTrip(value), value);
    assert.ok(Object.is(roundTrip(-0), -0));
    const invalid = roundTrip(new Set([new Date(Number.NaN)])) as Set<Date>;
    assert.ok(invalid instanceof Set && invalid.size === 1);
    const [date] = invalid;
    assert.ok(date instanceof Date && Number.isNaN(date.getTime()), 'an invalid Date stays an invalid Date');
  });

  it('keeps cycles and shared references, and views sharing one buffer', () => {
    const node: Record<string, unknown> = { name: 'root' };
    node.self = node;
    node.list = [node, node];
    const back = roundTrip(node) as typeof node;
    assert.equal(back.self, back);
    assert.equal((back.list as unknown[])[1], back);
    const buffer = new ArrayBuffer(16);
    const views = roundTrip([new Uint8Array(buffer, 4, 4), new Float64Array(buffer, 8, 1), buffer]) as [
      Uint8Array,
      Float64Array,
      ArrayBuffer,
    ];
    assert.equal(views[0].buffer, views[1].buffer);
    assert.equal(views[0].buffer, views[2]);
    assert.equal(views[0].byteOffset, 4);
    const map = new Map<unknown, unknown>();
    map.set(map, map);
    const mapBack = roundTrip(map) as Map<unknown, unknown>;
    assert.equal(mapBack.get(mapBack), mapBack);
  });

  it('keeps errors as structured clone does: a known name, own message, stack, cause', () => {
    class Custom extends Error {
      override name = 'Custom';
    }
    const cause = new RangeError('inner');
    const error = new TypeError('outer', { cause });
    const back = roundTrip(error) as TypeError;
    assert.ok(back instanceof TypeError);
    assert.equal(back.message, 'outer');
    assert.equal(back.stack, error.stack);
    assert.ok(back.cause instanceof RangeError);
    for (const value of [error, new Custom('x'), new AggregateError([1], 'agg'), new Error()]) {
      const clone = structuredClone(value);
      const mine = roundTrip(value) as Error;
      assert.deepStrictEqual(mine, clone);
      assert.equal(mine.name, clone.name);
      assert.deepStrictEqual(Object.getOwnPropertyNames(mine).sort(), Object.getOwnPropertyNames(clone).sort());
    }
    const looped = new Error('loop');
    (looped as { cause?: unknown }).cause = looped;
    const loopBack = roundTrip(looped) as Error;
    assert.equal(loopBack.cause, loopBack);
  });

  it('makes an own property of a `__proto__` key, not a prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const back = roundTrip(value) as Record<string, unknown>;
    assert.deepStrictEqual(Object.keys(back), ['__proto__', 'a']);
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
  });

  it('refuses, whole, what it does not hold: shared memory, skein primitives, ports, functions, platform objects', () => {
    const { port1, port2 } = new MessageChannel();
    const refused = [
      new SharedArrayBuffer(8),
      new Int32Array(new SharedArrayBuffer(8)),
      new Event(),
      { deep: [new Lock()] },
      new Queue(),
      port1,
      () => 1,
      Symbol('s'),
      Promise.resolve(1),
      new WeakMap(),
      new Blob([]),
      new (ArrayBuffer as new (n: number, o: object) => ArrayBuffer)(8, { maxByteLength: 16 }),
    ];
    for (const value of refused) {
      writer.reset();
      writer.u32(7);
      assert.equal(writer.write({ before: 1, value }), false, `refused: ${String(value)}`);
      assert.equal(writer.length, 4, 'nothing of it left written');
    }
    port1.close();
    port2.close();
  });

  it('refuses a value that would end past the limit, keeping what was written before', () => {
    writer.reset();
    assert.equal(writer.write('x'.repeat(100), 50), false);
    assert.equal(writer.length, 0);
    assert.equal(writer.write('x'.repeat(40), 50), true);
  });

  it('reads a value at an offset, after a header of its writer', () => {
    writer.reset();
    writer.u32(42);
    writer.f64(1.5);
    assert.ok(writer.write({ id: 1, name: 'widget' }));
    const bytes = writer.bytes.slice(0, writer.length);
    assert.equal(reader.u32(bytes, 0), 42);
    assert.deepStrictEqual(reader.read(bytes, 12), { id: 1, name: 'widget' });
    assert.equal(reader.end, bytes.length);
  });
});
