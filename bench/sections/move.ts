// Moving data (issue #14): 200 tasks, each given a 4 MiB Uint8Array to
// checksum, each returning the checksum and a 1 MiB Uint8Array, on 2
// workers — skein with move() both ways, piscina with Piscina.move both
// ways, the main thread alone, skein copying both ways, and one
// structuredClone of each argument and result (the platform's cost of a
// copy). The contestants take turns run by run.
import { Piscina } from 'piscina';
import { move, ThreadPoolExecutor } from 'skein';
import { formatNumber, type FigureRow, type SectionResult } from '../lib/figures.js';
import type { Plan } from '../lib/plan.js';
import { interleave, pairedRatio, summarize } from '../lib/stats.js';
import { within } from '../lib/wait.js';

const kWorkers = 2;
const kArgBytes = 4 * 1024 * 1024;
const kResultBytes = 1024 * 1024;
const checksumFile = new URL('../plain/checksum.mjs', import.meta.url);

interface Checked {
  sum: number;
  out: Uint8Array;
}

/** skein's task: the function of plain/checksum.mjs, sent as source; `move` is in scope there by name. */
function checksumMoved(bytes: Uint8Array): Checked {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum = (Math.imul(sum, 31) + bytes[i]!) | 0;
  const out = new Uint8Array(1024 * 1024);
  out[0] = sum & 0xff;
  return { sum, out: move(out) };
}

/** The same, copying its result. */
function checksumCopied(bytes: Uint8Array): Checked {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum = (Math.imul(sum, 31) + bytes[i]!) | 0;
  const out = new Uint8Array(1024 * 1024);
  out[0] = sum & 0xff;
  return { sum, out };
}

/** The inputs of one run, made before it is timed: one buffer per task (a moved one is gone after). */
function inputs(tasks: number): Uint8Array[] {
  return Array.from({ length: tasks }, (_, i) => new Uint8Array(kArgBytes).fill(i & 0xff));
}

/** Check a run's results, so that no contestant is timed doing less than the others. */
function check(results: readonly Checked[], tasks: number): void {
  if (results.length !== tasks) throw new Error(`${results.length} results for ${tasks} tasks`);
  for (const { sum, out } of results) {
    if (out.byteLength !== kResultBytes || out[0] !== (sum & 0xff)) throw new Error('a task returned a wrong result');
  }
}

/** MiB/s of checksummed input: all tasks submitted at once, until every result is in. */
async function timed(tasks: number, run: (bytes: Uint8Array[]) => Promise<Checked[]>): Promise<number> {
  const data = inputs(tasks);
  const start = performance.now();
  const results = await within(run(data), `checksum ${tasks} buffers`);
  const seconds = (performance.now() - start) / 1e3;
  check(results, tasks);
  return (tasks * kArgBytes) / (1024 * 1024) / seconds;
}

/**
 * Milliseconds per task for one structuredClone of its argument and one of
 * its result, each clone held to the end, as a run holds them: a pool
 * given every task at once holds a copy of each argument until a worker
 * takes it, and the caller holds every result. (Clones dropped at once
 * cost less: the allocator hands the same memory back.)
 */
function cloneCost(tasks: number): number {
  const data = inputs(tasks);
  const result = new Uint8Array(kResultBytes);
  const held: unknown[] = [];
  const start = performance.now();
  for (const bytes of data) held.push(structuredClone(bytes), structuredClone({ sum: 1, out: result }));
  return (performance.now() - start) / tasks;
}

/** Measure the five contestants and the three ratios of issue #14. */
export async function measureMove(plan: Plan): Promise<SectionResult> {
  const tasks = plan.moveTasks;
  const skein = new ThreadPoolExecutor({ maxWorkers: kWorkers });
  const piscina = new Piscina({ filename: checksumFile.href, minThreads: kWorkers, maxThreads: kWorkers });
  try {
    // Warm: every worker started, the task compiled, a few buffers through.
    const warm = inputs(2 * kWorkers);
    await Promise.all(warm.map((bytes) => skein.submit(checksumCopied, bytes)));
    await Promise.all(warm.map((bytes) => piscina.run(bytes) as Promise<Checked>));
    const values = await interleave(plan.moveRuns, [
      ['skeinMove', () => timed(tasks, (data) => Promise.all(data.map((b) => skein.submit(checksumMoved, move(b)))))],
      [
        'piscina',
        () => timed(tasks, (data) => Promise.all(data.map((b) => piscina.run(Piscina.move(b)) as Promise<Checked>))),
      ],
      ['main', () => timed(tasks, async (data) => data.map((b) => checksumCopied(b)))],
      ['skeinCopy', () => timed(tasks, (data) => Promise.all(data.map((b) => skein.submit(checksumCopied, b))))],
      ['clone', () => cloneCost(tasks)],
    ]);
    // What copying costs a task: the time per task the copying run took beyond the moving one.
    const msPerTask = (mibPerSecond: number): number => 1e3 / (mibPerSecond / (kArgBytes / (1024 * 1024)));
    const copyCost = values.skeinCopy.map((copy, i) => Math.max(0, msPerTask(copy) - msPerTask(values.skeinMove[i]!)));
    const how = `${tasks} tasks, each a 4 MiB Uint8Array to checksum, returning the sum and a 1 MiB Uint8Array; ${kWorkers} workers; ${plan.moveRuns} runs`;
    const rows: FigureRow[] = [
      {
        key: 'moveVsPiscina',
        unit: 'MiB/s',
        skein: { summary: summarize(values.skeinMove) },
        referenceName: 'piscina + Piscina.move',
        reference: { summary: summarize(values.piscina) },
        ratio: pairedRatio(values.skeinMove, values.piscina),
        target: { on: 'ratio', atLeast: 1 },
        note: `${how}; skein with move() both ways`,
      },
      {
        key: 'moveVsMain',
        unit: 'MiB/s',
        skein: { summary: summarize(values.skeinMove) },
        referenceName: 'main thread alone',
        reference: { summary: summarize(values.main) },
        ratio: pairedRatio(values.skeinMove, values.main),
        target: { on: 'ratio', atLeast: 1.5 },
      },
      {
        key: 'copyVsClone',
        unit: 'ms',
        skein: { summary: summarize(copyCost) },
        referenceName: 'structuredClone of arg + result',
        reference: { summary: summarize(values.clone) },
        ratio: pairedRatio(copyCost, values.clone),
        target: { on: 'ratio', atMost: 1.2 },
        note: 'per task: how much longer the copying run took than the moving one, against one structuredClone of a 4 MiB argument and of a 1 MiB result on the main thread, held as a run holds them',
      },
    ];
    const med = (xs: number[]): string => formatNumber(summarize(xs).median);
    const table = [
      '| skein + move | piscina + Piscina.move | main thread alone | skein copying | structuredClone per task |',
      '| --- | --- | --- | --- | --- |',
      `| ${med(values.skeinMove)} MiB/s | ${med(values.piscina)} MiB/s | ${med(values.main)} MiB/s | ${med(values.skeinCopy)} MiB/s | ${med(values.clone)} ms |`,
    ];
    return { rows, details: [`**Moving data** (${how}; medians):\n\n${table.join('\n')}`] };
  } finally {
    await Promise.all([skein.shutdown(), piscina.destroy()]);
  }
}
