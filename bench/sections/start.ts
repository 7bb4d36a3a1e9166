// Thread start → target running: from the line that creates the thread to
// the first line of its code, stamped by the thread itself on the monotonic
// clock. Reference: a raw `new Worker` of a one-file ES module. And the same
// for a TypeScript module target under tsx, against its JavaScript twin
// under plain node, each measured in child processes of its own.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Thread, setStandbyThreads } from 'skein';
import type { FigureRow, SectionResult } from '../lib/figures.js';
import type { Plan } from '../lib/plan.js';
import { interleave, interleaveSamples, median, pairedRatio, summarize } from '../lib/stats.js';
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

const stampModule = { module: new URL('../plain/stamp-module.mjs', import.meta.url), export: 'stamp' };

/** A module-target thread's start, its module shared (`shareModules`) or not. */
const startSkeinModule =
  (shareModules: boolean): Starter =>
  async (stamp, flag) => {
    const thread = new Thread({ target: stampModule, args: [stamp, flag], shareModules });
    thread.start();
    await waitForSlot(flag, 0, 1, 'see a skein module-target thread start');
    await within(thread.join(), 'join a skein module-target thread');
  };

/**
 * Back to back: `starts` starts, each as soon as the previous thread has
 * ended (joined) — a server starting a thread per request — with the
 * default standby; the median ms from creating each to its first statement.
 */
async function backToBack(start: Starter, starts: number): Promise<number> {
  await pause(kBetweenStartsMs); // the standby is booted before the first
  setStandbyThreads(standbyCount.warm);
  const times: number[] = [];
  for (let i = 0; i < starts; i++) {
    const stamp = new BigInt64Array(new SharedArrayBuffer(8));
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const startedAt = hrtimeNs();
    await start(stamp, flag);
    times.push(Number(stamp[0]! - startedAt) / 1e6);
  }
  return median(times);
}

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

const startProbe = fileURLToPath(new URL('../plain/start-probe.mjs', import.meta.url));
const run = promisify(execFile);

/**
 * The median of `starts` warm starts of a module target that imports
 * another, in a fresh child process: `ts` runs bench/typescript/stamp-module.ts
 * under `node --import tsx`, `mjs` its twin bench/plain/stamp-module.mjs
 * under plain node (see bench/plain/start-probe.mjs).
 */
async function moduleStartMs(kind: 'ts' | 'mjs', starts: number): Promise<number> {
  const loader = kind === 'ts' ? ['--import', 'tsx'] : [];
  const { stdout } = await run(process.execPath, [...loader, startProbe, kind, String(starts)], {
    timeout: 120_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return median(JSON.parse(stdout) as number[]);
}

/** Measure thread start latency, fresh and warm, against a raw Worker; and a .ts module target's against .mjs. */
export async function measureStart(plan: Plan): Promise<SectionResult> {
  // One start of each kind first: the module loads once per process.
  await startOnce(startRaw)();
  await startOnce(startSkein, standbyCount.fresh)();
  const values = await interleaveSamples(plan.startRuns, plan.startsPerRun, [
    ['fresh', startOnce(startSkein, standbyCount.fresh)],
    ['warm', startOnce(startSkein, standbyCount.warm)],
    ['raw', startOnce(startRaw)],
  ]);
  const backToBackRuns = await interleave(plan.startRuns, [
    ['inline', () => backToBack(startSkein, plan.backToBackStarts)],
    ['module', () => backToBack(startSkeinModule(false), plan.backToBackStarts)],
    ['shared', () => backToBack(startSkeinModule(true), plan.backToBackStarts)],
    ['raw', () => backToBack(startRaw, plan.backToBackStarts)],
  ]);
  const modules = await interleave(plan.startRuns, [
    ['ts', () => moduleStartMs('ts', plan.startsPerRun)],
    ['mjs', () => moduleStartMs('mjs', plan.startsPerRun)],
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
    {
      key: 'startBackToBack',
      ...common,
      reference: { summary: summarize(backToBackRuns.raw) },
      skein: { summary: summarize(backToBackRuns.inline) },
      ratio: pairedRatio(backToBackRuns.inline, backToBackRuns.raw),
      target: { on: 'ratio', atMost: 0.05 },
      note: `${plan.backToBackStarts} starts per run, each as soon as the previous thread has joined (no pause), the median; an inline target: a finished thread's worker, left clean, serves the next one; ${plan.startRuns} runs`,
    },
    {
      key: 'startBackToBackModule',
      ...common,
      reference: { summary: summarize(backToBackRuns.raw) },
      skein: { summary: summarize(backToBackRuns.module) },
      ratio: pairedRatio(backToBackRuns.module, backToBackRuns.raw),
      note: `as above with a module target: a worker that imported a module keeps its state, so it is never given another thread — each start takes a standby worker or waits for one to boot (the README's "Fast start")`,
    },
    {
      key: 'startBackToBackShared',
      ...common,
      reference: { summary: summarize(backToBackRuns.raw) },
      skein: { summary: summarize(backToBackRuns.shared) },
      ratio: pairedRatio(backToBackRuns.shared, backToBackRuns.raw),
      target: { on: 'ratio', atMost: 0.05 },
      note: `as above with a module target and \`shareModules: true\`: the thread may find the module as the last one left it, so a finished thread's worker, its module loaded, serves the next one`,
    },
    {
      key: 'startTypeScript',
      unit: 'ms',
      skein: { summary: summarize(modules.ts) },
      referenceName: 'the same target as .mjs under plain node',
      reference: { summary: summarize(modules.mjs) },
      ratio: pairedRatio(modules.ts, modules.mjs),
      target: { on: 'ratio', atMost: 2 },
      note: `a module target importing another module, .ts under \`node --import tsx\` against .mjs under \`node\`: median of ${plan.startsPerRun} warm starts (a standby worker parked before each) in a fresh process per run, after one start not counted; ${plan.startRuns} runs of each kind taken in turn`,
    },
  ];
  return { rows };
}
