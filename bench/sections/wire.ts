// The wire format (src/wire/): a value written into shared memory and read
// back, as a queue record is, against structured clone and node:v8's
// serializer, for what queues carry: a small object, a 1 KiB string, a
// 1 MiB Uint8Array. µs per round trip; the wire format and structured clone
// take turns run by run, node:v8 is measured after them.
import { deserialize, serialize } from 'node:v8';
import { Order, RecordQueue, WireReader, WireWriter } from '../../dist/internal.js';
import { formatNumber, type FigureKey, type FigureRow, type SectionResult } from '../lib/figures.js';
import type { Plan } from '../lib/plan.js';
import { interleave, pairedRatio, summarize } from '../lib/stats.js';

const writer = new WireWriter();
const reader = new WireReader();
const ring = RecordQueue.create({ tag: 1, order: Order.fifo, capacity: 0, dataBytes: 4 * 1024 * 1024 });

/** Write `value`, put it into a ring's shared memory and take it out (as a queue does), read it back. */
function wireRoundTrip(value: unknown): unknown {
  writer.reset();
  if (!writer.write(value)) throw new Error('the bench value must be written inline');
  ring.put(writer.bytes, 0, writer.length, undefined, 0);
  ring.tryTake();
  return reader.read(ring.takenBytes);
}

const cases: ReadonlyArray<{ key: FigureKey; label: string; value: unknown; ops: number }> = [
  { key: 'wireSmall', label: '`{ id, name }`', value: { id: 42, name: 'widget' }, ops: 20_000 },
  { key: 'wireString', label: 'a 1 KiB string', value: 'x'.repeat(1024), ops: 20_000 },
  { key: 'wireBytes', label: 'a 1 MiB Uint8Array', value: new Uint8Array(1024 * 1024), ops: 40 },
];

/** µs per call of `fn(value)`, over `ops` calls. */
function perCall(fn: (value: unknown) => unknown, value: unknown, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) fn(value);
  return ((performance.now() - start) * 1e3) / ops;
}

/** Measure the wire format against structured clone and node:v8. */
export async function measureWire(plan: Plan): Promise<SectionResult> {
  const rows: FigureRow[] = [];
  const lines = ['| Value | wire format | structuredClone | v8.serialize + deserialize |', '| --- | --- | --- | --- |'];
  for (const { key, label, value, ops } of cases) {
    const n = Math.max(1, Math.round(ops * plan.wireScale));
    const values = await interleave(plan.wireRuns, [
      ['wire', () => perCall(wireRoundTrip, value, n)],
      ['clone', () => perCall(structuredClone, value, n)],
    ]);
    // node:v8 after, not in turn: the garbage it leaves (a Buffer per call)
    // would be collected in the next contestant's run and slow it 2-3x.
    const v8 = await interleave(plan.wireRuns, [['v8', () => perCall((v) => deserialize(serialize(v)), value, n)]]);
    rows.push({
      key,
      unit: 'µs',
      skein: { summary: summarize(values.wire) },
      referenceName: 'structuredClone',
      reference: { summary: summarize(values.clone) },
      ratio: pairedRatio(values.wire, values.clone),
      ...(key === 'wireSmall' ? { target: { on: 'ratio', atMost: 1 } as const } : {}),
      note: `${label}: written, put into a ring's shared memory and taken out, read back; ${n} round trips per run, ${plan.wireRuns} runs`,
    });
    const med = (xs: number[]): string => `${formatNumber(summarize(xs).median)} µs`;
    lines.push(`| ${label} | ${med(values.wire)} | ${med(values.clone)} | ${med(v8.v8)} |`);
  }
  return {
    rows,
    details: [
      `**The wire format against structured clone and node:v8** (median µs per round trip):\n\n${lines.join('\n')}`,
    ],
  };
}
