// Cancelling a running CPU-bound task on a 1-worker pool: did its finally
// block run, how long until the cancelled task settled, and how long the
// next task then takes (a pool that terminates the worker must start a new
// one first). Each library's own way to cancel: an AbortSignal for piscina
// and tinypool, promise.cancel() for workerpool, future.stop() for skein.
import { formatSide, ratioOf, sideOf, type FigureRow, type SectionResult, type Side } from '../lib/figures.js';
import type { Plan } from '../lib/plan.js';
import { closeAll, isLoaded, openAll, type Contender, type Missing, type OpenPool } from '../lib/pools.js';
import { interleave, summarize } from '../lib/stats.js';
import { pause, settled, waitForSlot, within } from '../lib/wait.js';

interface CancelRuns {
  finallyRan: number[];
  settleMs: number[];
  nextMs: number[];
}

/** Cancel one spinning task and time what follows; the values go into `runs`. */
async function cancelOnce(pool: OpenPool, runs: CancelRuns): Promise<number> {
  const marks = new Int32Array(new SharedArrayBuffer(8));
  const task = pool.spin!(marks);
  const outcome = settled(task.settled);
  await waitForSlot(marks, 0, 1, 'see the CPU-bound task start');
  await pause(2); // let it spin
  const cancelledAt = performance.now();
  void Promise.resolve(task.cancel()).catch(() => {});
  await within(outcome, 'settle the cancelled task');
  const settledAt = performance.now();
  await within(pool.run(1), 'run a task after the cancel');
  const nextDoneAt = performance.now();
  runs.finallyRan.push(Atomics.load(marks, 1));
  runs.settleMs.push(settledAt - cancelledAt);
  runs.nextMs.push(nextDoneAt - settledAt);
  return settledAt - cancelledAt;
}

/** Measure cancellation of a running task for every contender that can cancel one. */
export async function measureCancel(
  plan: Plan,
  contenders: ReadonlyArray<Contender | Missing>,
): Promise<SectionResult> {
  const { pools, failed } = await openAll(contenders, 1);
  const skipped = new Map<string, string>();
  for (const c of [...contenders, ...failed]) if (!isLoaded(c)) skipped.set(c.name, c.missing);
  const runs = new Map<string, CancelRuns>();
  for (const [name, pool] of pools) {
    if (pool.spin === undefined) skipped.set(name, pool.spinMissing ?? `${name} cannot cancel a running task`);
    else runs.set(name, { finallyRan: [], settleMs: [], nextMs: [] });
  }
  try {
    await interleave(
      plan.cancelRuns,
      [...runs].map(([name, into]) => [name, () => cancelOnce(pools.get(name)!, into)] as const),
    );
  } finally {
    await closeAll(pools);
  }

  const side = (name: string, figure: 'finallyRan' | 'settleMs' | 'nextMs'): Side => {
    const values = runs.get(name)?.[figure];
    if (values !== undefined && figure === 'finallyRan')
      return { count: values.filter((v) => v === 1).length, of: values.length };
    return sideOf(values, skipped.get(name) ?? `${name} not measured`);
  };
  const paired = (figure: 'settleMs' | 'nextMs') => ratioOf(runs.get('skein')?.[figure], runs.get('piscina')?.[figure]);
  const rows: FigureRow[] = [
    {
      key: 'cancelFinally',
      unit: 'runs',
      skein: side('skein', 'finallyRan'),
      referenceName: 'piscina (AbortSignal)',
      reference: side('piscina', 'finallyRan'),
      target: { on: 'every-run' },
      note: `${plan.cancelRuns} cancels per pool taken in turn, each of a task spinning in synchronous code for 2 ms`,
    },
    {
      key: 'cancelSettle',
      unit: 'ms',
      skein: side('skein', 'settleMs'),
      referenceName: 'piscina (AbortSignal)',
      reference: side('piscina', 'settleMs'),
      ...paired('settleMs'),
    },
    {
      key: 'cancelNext',
      unit: 'ms',
      skein: side('skein', 'nextMs'),
      referenceName: 'piscina (AbortSignal)',
      reference: side('piscina', 'nextMs'),
      ...paired('nextMs'),
      target: { on: 'value', atMost: 1 },
      note: 'from the cancelled task settling to the result of a trivial task submitted then',
    },
  ];
  const how: Record<string, string> = {
    piscina: 'AbortSignal',
    tinypool: 'AbortSignal',
    workerpool: 'promise.cancel()',
    skein: 'future.stop()',
  };
  const lines = [
    '| Pool (how it cancels) | finally ran | cancel → settled | next task after |',
    '| --- | --- | --- | --- |',
    ...contenders
      .filter((c) => c.name !== 'raw')
      .map((c) => {
        const label = isLoaded(c) ? c.label : c.name;
        if (!runs.has(c.name)) return `| ${label} | skipped: ${skipped.get(c.name)} | | |`;
        return (
          `| ${label} (${how[c.name] ?? 'cancel'}) | ${formatSide(side(c.name, 'finallyRan'), 'runs')} | ` +
          `${formatSide(side(c.name, 'settleMs'), 'ms')} | ${formatSide(side(c.name, 'nextMs'), 'ms')} |`
        );
      }),
  ];
  return {
    rows,
    notes: [...skipped.values()].filter((why) => why.startsWith('skein')),
    failures: failed.map((f) => f.missing),
    details: [
      `**Cancelling a running CPU-bound task, 1-worker pool** (median and range of ${plan.cancelRuns} runs):\n\n${lines.join('\n')}`,
    ],
    bars: [
      {
        title: 'Next task after a cancel, 1 worker (ms)',
        unit: 'ms',
        better: 'lower',
        bars: [...runs].map(([name, r]) => ({ label: name, summary: summarize(r.nextMs) })),
        skipped: [...skipped].filter(([name]) => name !== 'raw').map(([label, why]) => ({ label, skipped: why })),
      },
    ],
  };
}
