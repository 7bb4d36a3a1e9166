// Memory per idle thread: RSS growth of a fresh process when it starts N
// idle skein Threads (parked in event.wait(), or on their own stopEvent())
// or N raw Workers (parked in Atomics.wait), one child process per run, the
// kinds in turn.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FigureRow, SectionResult } from '../lib/figures.js';
import type { Plan } from '../lib/plan.js';
import { interleave, pairedRatio, summarize } from '../lib/stats.js';

const probe = fileURLToPath(new URL('../plain/memory-probe.mjs', import.meta.url));
const run = promisify(execFile);

/** MiB of RSS per idle thread of `kind`, measured by a fresh child process. */
async function perThreadMiB(kind: 'raw' | 'skein' | 'skein-stop', count: number): Promise<number> {
  const { stdout } = await run(process.execPath, [probe, kind, String(count)], { timeout: 60_000 });
  const { perThreadBytes } = JSON.parse(stdout) as { perThreadBytes: number };
  return perThreadBytes / 2 ** 20;
}

/** Measure the memory an idle skein Thread holds against an idle raw Worker. */
export async function measureMemory(plan: Plan): Promise<SectionResult> {
  const values = await interleave(plan.memoryRuns, [
    ['skein', () => perThreadMiB('skein', plan.idleThreads)],
    ['raw', () => perThreadMiB('raw', plan.idleThreads)],
    ['stop', () => perThreadMiB('skein-stop', plan.idleThreads)],
  ]);
  const note = `RSS growth with ${plan.idleThreads} idle threads ÷ ${plan.idleThreads}, after gc, in a fresh process per run that has already started and ended one thread; ${plan.memoryRuns} runs per kind taken in turn`;
  const rows: FigureRow[] = [
    {
      key: 'memory',
      unit: 'MiB',
      skein: { summary: summarize(values.skein) },
      referenceName: 'raw Worker parked in Atomics.wait',
      reference: { summary: summarize(values.raw) },
      ratio: pairedRatio(values.skein, values.raw),
      target: { on: 'ratio', atMost: 1.1 },
      note,
    },
    {
      // What a thread that can be stopped holds: its target reaches skein's stopEvent().
      key: 'memoryStop',
      unit: 'MiB',
      skein: { summary: summarize(values.stop) },
      referenceName: 'raw Worker parked in Atomics.wait',
      reference: { summary: summarize(values.raw) },
      ratio: pairedRatio(values.stop, values.raw),
      target: { on: 'ratio', atMost: 1.1 },
      note,
    },
  ];
  return { rows };
}
