// Thread start → target running: from the line that creates the thread to
// the first line of its code, stamped by the thread itself on the monotonic
// clock. Reference: a raw `new Worker` of a one-file ES module.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { Thread, setStandbyThreads } from 'skein';
import type { FigureRow, SectionResult } from '../lib/figures.js';
import type { Plan } from '../lib/plan.js';
import { interleaveSamples, pairedRatio, summarize } from '../lib/stats.js';
import { hrtimeNs, pause, waitForSlot, within } from '../lib/wait.js';

const stampWorker = new URL('../plain/stamp-worker.mjs', import.meta.url);

/** The thread's first statement stamps the time; then it says so. */
function stampTarget(stamp: BigInt64Array, flag: Int32Array): void {
  stamp[0] = process.hrtime.bigint();
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

// "fresh" is a thread on a worker started for it (standby off); "warm" is
// the default start, on the standby worker skein keeps booted ahead of need.
const standbyCount: Record<'fresh' | 'warm', number> = { fresh: 0, warm: 1 };

/** Time between starts: long enough for skein to boot the replacement standby worker off the critical path. */
const kBetweenStartsMs = 150;

type Starter = (stamp: BigInt64Array, flag: Int32Array) => Promise<void>;

const startRaw: Starter = async (stamp, flag) => {
  const worker = new Worker(stampWorker, { workerData: { stamp, flag } });
  const exited = once(worker, 'exit');
  await waitForSlot(flag, 0, 1, 'see a raw worker start');
  await within(exited, 'end a raw worker');
};

const startSkein: Starter = async (stamp, flag) => {
  const thread = new Thread({ target: stampTarget, args: [stamp, flag] });
  thread.start();
  await waitForSlot(flag, 0, 1, 'see a skein thread start');
  await within(thread.join(), 'join a skein thread');
};

/** One start: ms from creating the thread to its first statement, after a pause. */
const startOnce = (start: Starter, standby?: number) => async (): Promise<number> => {
  if (standby !== undefined) setStandbyThreads(standby);
  await pause(kBetweenStartsMs);
  const stamp = new BigInt64Array(new SharedArrayBuffer(8));
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const startedAt = hrtimeNs();
  await start(stamp, flag);
  return Number(stamp[0]! - startedAt) / 1e6;
};

/** Measure thread start latency, fresh and warm, against a raw Worker. */
export async function measureStart(plan: Plan): Promise<SectionResult> {
  // One start of each kind first: the module loads once per process.
  await startOnce(startRaw)();
  await startOnce(startSkein, standbyCount.fresh)();
  const values = await interleaveSamples(plan.startRuns, plan.startsPerRun, [
    ['fresh', startOnce(startSkein, standbyCount.fresh)],
    ['warm', startOnce(startSkein, standbyCount.warm)],
    ['raw', startOnce(startRaw)],
  ]);
  const common = {
    unit: 'ms',
    referenceName: 'raw new Worker (ES module)',
    reference: { summary: summarize(values.raw) },
  } as const;
  const rows: FigureRow[] = [
    {
      key: 'startFresh',
      ...common,
      skein: { summary: summarize(values.fresh) },
      ratio: pairedRatio(values.fresh, values.raw),
      note: `median of ${plan.startsPerRun} starts of each kind per run, the kinds taking turns start by start, ${plan.startRuns} runs; from \`new Thread\`/\`new Worker\` to the thread's first statement, ${kBetweenStartsMs} ms apart`,
    },
    {
      key: 'startWarm',
      ...common,
      skein: { summary: summarize(values.warm) },
      ratio: pairedRatio(values.warm, values.raw),
      target: { on: 'value', atMost: 1 },
      note: `warm = the default start, on the standby worker skein keeps booted (replaced off the critical path between starts, ${kBetweenStartsMs} ms apart); fresh = standby off`,
    },
  ];
  return { rows };
}
