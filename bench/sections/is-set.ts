// isSet() in a hot loop: the cost of checking a stop request on every
// iteration, against a raw Atomics.load of the same word and a loop with no
// check at all — and the stride idiom that checks every 1,024th iteration.
// Each loop kind is its own function so that each stays monomorphic; the
// kinds run in turn, round after round, on this thread.
import { Event } from 'skein';
import { formatNumber, type FigureRow, type SectionResult } from '../lib/figures.js';
import type { Plan } from '../lib/plan.js';
import { interleave, pairedRatio, summarize, type Summary } from '../lib/stats.js';

// The loop body is one add, about a nanosecond: the worst case for a check.
function bare(n: number): number {
  let acc = 0;
  for (let i = 0; i < n; i++) acc = (acc + i) | 0;
  return acc;
}

// The Event's own word, read as Event.isSet() reads it.
function rawLoad(word: Int32Array, n: number): number {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    if ((Atomics.load(word, 1) & 1) !== 0) break;
    acc = (acc + i) | 0;
  }
  return acc;
}

function everyIteration(event: Event, n: number): number {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    if (event.isSet()) break;
    acc = (acc + i) | 0;
  }
  return acc;
}

function everyStride(event: Event, n: number): number {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    if ((i & 1023) === 0 && event.isSet()) break;
    acc = (acc + i) | 0;
  }
  return acc;
}

/** Nanoseconds per iteration of `loop` over `n` iterations. */
function nsPerIteration(loop: (n: number) => number, n: number): number {
  const start = performance.now();
  const acc = loop(n);
  const elapsed = performance.now() - start;
  if (acc === 0.5) throw new Error('unreachable: keeps the result alive');
  return (elapsed * 1e6) / n;
}

/** The stride idiom's advice, from the figures measured in this run. */
function recommend(bareNs: Summary, isSetNs: Summary, strideNs: Summary): string {
  const checkNs = Math.max(isSetNs.median - bareNs.median, 0);
  const breakEvenNs = Math.max(10 * checkNs, 1);
  const strideExtraNs = Math.max(strideNs.median - bareNs.median, 0);
  const noticeUs = (1024 * strideNs.median) / 1e3;
  return (
    `**Stride idiom, measured.** One \`isSet()\` costs about ${formatNumber(checkNs)} ns here: a loop doing one add ` +
    `takes ${formatNumber(bareNs.median)} ns per iteration with no check and ${formatNumber(isSetNs.median)} ns with ` +
    `\`isSet()\` on every iteration. Check on every iteration when an iteration does ≳ ${formatNumber(breakEvenNs)} ns ` +
    'of work: the check is then under 10% of it. In tighter loops check every 1,024th iteration — ' +
    '`if ((i & 1023) === 0 && stop.isSet()) break;` — which cost ' +
    `${formatNumber(strideExtraNs)} ns per iteration here (${formatNumber((100 * strideExtraNs) / bareNs.median)}% of ` +
    `the one-add body, ${formatNumber((100 * strideExtraNs) / breakEvenNs)}% of a ${formatNumber(breakEvenNs)} ns one) ` +
    `and still notices a stop within 1,024 iterations: ${formatNumber(noticeUs)} µs at this loop's pace.`
  );
}

/** Measure isSet() in a hot loop against a raw Atomics.load loop and a loop with no check. */
export async function measureIsSet(plan: Plan): Promise<SectionResult> {
  const event = new Event();
  const word = new Int32Array(event.buffer, event.byteOffset, 2);
  const kinds = [
    ['bare', (n: number) => bare(n)],
    ['raw', (n: number) => rawLoad(word, n)],
    ['isSet', (n: number) => everyIteration(event, n)],
    ['stride', (n: number) => everyStride(event, n)],
  ] as const;
  // Warm up: let the optimizing compiler take each loop before it is timed.
  for (let i = 0; i < 5; i++) for (const [, loop] of kinds) loop(200_000);

  const values = await interleave(
    plan.loopRuns,
    kinds.map(([name, loop]) => [name, () => nsPerIteration(loop, plan.loopIterations)] as const),
  );
  const bareNs = summarize(values.bare);
  const isSetNs = summarize(values.isSet);
  const strideNs = summarize(values.stride);
  const note = `${formatNumber(plan.loopIterations)} iterations of a one-add loop per run, ${plan.loopRuns} runs per loop kind taken in turn`;
  const rows: FigureRow[] = [
    {
      key: 'isSet',
      unit: 'ns',
      skein: { summary: isSetNs },
      referenceName: 'raw Atomics.load loop',
      reference: { summary: summarize(values.raw) },
      ratio: pairedRatio(values.isSet, values.raw),
      target: { on: 'ratio', atMost: 1.1 },
      note,
    },
    {
      key: 'isSetVsBare',
      unit: 'ns',
      skein: { summary: isSetNs },
      referenceName: 'loop with no check',
      reference: { summary: bareNs },
      ratio: pairedRatio(values.isSet, values.bare),
    },
    {
      key: 'isSetStride',
      unit: 'ns',
      skein: { summary: strideNs },
      referenceName: 'loop with no check',
      reference: { summary: bareNs },
      ratio: pairedRatio(values.stride, values.bare),
    },
  ];
  return { rows, details: [recommend(bareNs, isSetNs, strideNs)] };
}
