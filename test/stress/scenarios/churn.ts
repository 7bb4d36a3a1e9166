// Churn: thread after thread started, asked to stop (or forced) and joined.
// Nothing may be left behind: no worker alive by Node's own accounting
// (async_hooks WORKER resources), no thread in enumerate(), no stoppable
// registered, and the process's memory back near where it started.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  enumerate,
  liveStoppables,
  Thread,
  ThreadPoolExecutor,
  stopEvent,
  throwIfStopped,
  type StopOutcome,
} from 'skein';
import { within } from '../../helpers/bounded.js';
import { expectNoLiveWorkers, liveWorkerCount } from '../../helpers/leak-check.js';

/** Options of {@link runChurn}. */
export interface ChurnOptions {
  /** start → stop → join cycles, in all; every tenth also creates, uses and shuts down a pool. */
  cycles: number;
  /** Cycles run side by side. */
  lanes: number;
  /** Cycles run first, before the memory baseline is taken. */
  warmup: number;
}

/** What a churn run saw. */
export interface ChurnReport {
  cycles: number;
  /** Pools created, used and shut down (half of them without waiting). */
  pools: number;
  outcomes: Record<StopOutcome, number>;
  /** Workers still alive (async_hooks WORKER resources) once every cycle is done. */
  liveWorkers: number;
  /** Threads enumerate() still lists besides the main thread. */
  liveThreads: number;
  /** Stoppables still registered. */
  liveStoppables: number;
  /** Resident set size after the warm-up and at the end, each after a full collection. */
  rssBaselineMb: number;
  rssEndMb: number;
  problems: string[];
}

// The ways a thread can wait for its stop request, and one that ignores it.
const targets: { name: string; fn: () => unknown; deaf?: boolean }[] = [
  {
    name: 'hot loop',
    fn: () => {
      const stop = stopEvent();
      let spins = 0;
      while (!stop.isSet()) spins++;
      return spins >= 0;
    },
  },
  { name: 'wait', fn: () => stopEvent().wait() },
  { name: 'waitAsync', fn: async () => stopEvent().waitAsync() },
  {
    name: 'throwIfStopped',
    fn: () => {
      for (;;) {
        throwIfStopped();
        stopEvent().wait(5);
      }
    },
  },
  { name: 'returns at once', fn: () => true },
  {
    name: 'deaf',
    deaf: true,
    fn: () => {
      for (;;);
    },
  },
];

// A full collection before each memory reading, without --expose-gc on the
// command line (under tsx, that flag would make every worker load tsx).
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

function rssMb(): number {
  collect();
  return process.memoryUsage().rss / 2 ** 20;
}

/** A pool's whole life: create, run a task, shut down — waiting or not — and see the task's result. */
async function poolCycle(n: number, problems: string[]): Promise<void> {
  const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
  const task = pool.submit((n: number) => n * 2, n);
  await pool.shutdown({ wait: n % 20 === 0 });
  if ((await within(task.result(), 30_000, `finish the task of pool ${n}`)) !== n * 2)
    problems.push(`pool ${n}: wrong result`);
}

/** Run one cycle: start a thread of the kind `n` picks, stop it, join it, check how it ended. */
async function cycle(n: number, outcomes: Record<StopOutcome, number>, problems: string[]): Promise<void> {
  if (n % 10 === 0) await poolCycle(n, problems);
  const { name, fn, deaf } = targets[n % targets.length]!;
  const thread = new Thread({ target: fn, name: `churn-${n}` });
  thread.start();
  const outcome = await within(
    deaf ? thread.stop({ timeout: 0, force: true }) : thread.stop(),
    30_000,
    `stop churn thread ${n} (${name})`,
  );
  outcomes[outcome]++;
  if (!(await thread.join(30_000))) problems.push(`cycle ${n} (${name}): join timed out`);
  if (outcome !== (deaf ? 'forced' : 'stopped')) problems.push(`cycle ${n} (${name}): stop gave ${outcome}`);
  if (!deaf && thread.exception !== undefined) problems.push(`cycle ${n} (${name}): ${String(thread.exception)}`);
  if (thread.isAlive()) problems.push(`cycle ${n} (${name}): alive after join`);
}

/** Run `cycles` start → stop → join cycles, `lanes` at a time, and report what is left. */
export async function runChurn(options: ChurnOptions): Promise<ChurnReport> {
  const { cycles, lanes, warmup } = options;
  const outcomes: Record<StopOutcome, number> = { stopped: 0, forced: 0, alive: 0 };
  const problems: string[] = [];
  let next = 0;
  const lane = async (until: number): Promise<void> => {
    while (next < until) await cycle(next++, outcomes, problems);
  };
  const runLanes = (until: number): Promise<unknown[]> => Promise.all(Array.from({ length: lanes }, () => lane(until)));
  await runLanes(Math.min(warmup, cycles));
  await expectNoLiveWorkers(10_000);
  const rssBaselineMb = rssMb();
  await runLanes(cycles);
  await expectNoLiveWorkers(10_000).catch((error: Error) => problems.push(error.message));
  return {
    cycles: next,
    pools: Math.ceil(next / 10),
    outcomes,
    liveWorkers: liveWorkerCount(),
    liveThreads: enumerate().length - 1,
    liveStoppables: liveStoppables().length,
    rssBaselineMb,
    rssEndMb: rssMb(),
    problems,
  };
}
