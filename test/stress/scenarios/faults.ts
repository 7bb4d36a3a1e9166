// Fault injection: many pool tasks, a share of which crash their worker in
// each way a task can — process.exit, a thrown error, out of memory under
// resourceLimits, an infinite loop that ignores its stop request and is
// force-stopped. Every future must settle, every other result be right, and
// the pool end at full strength.
import { Event, ThreadExitError, ThreadPoolExecutor, type Future, type StopOutcome } from 'skein';
import { within } from '../../helpers/bounded.js';
import { poolStats } from '../../helpers/pool.js';
import { seededRandom, shuffle } from './random.js';

/** The ways an injected fault ends its task. */
export const faultKinds = ['exit', 'throw', 'oom', 'loop'] as const;
export type FaultKind = (typeof faultKinds)[number];

/** Options of {@link runFaultInjection}. */
export interface FaultOptions {
  /** Tasks submitted in all. */
  tasks: number;
  /** Share of them that crash, spread evenly over the four kinds. */
  faultRate: number;
  maxWorkers: number;
  /** Seed of the order in which faults are placed among the tasks. */
  seed: number;
  /** Bound on the whole run, after which it fails. */
  timeoutMs: number;
}

/** What a fault-injection run saw. */
export interface FaultReport {
  tasks: number;
  faults: Record<FaultKind, number>;
  settled: number;
  /** Normal tasks whose result was right. */
  correct: number;
  /** Forced stops that reported `"forced"`. */
  forced: number;
  /** Workers the pool held once every future had settled. */
  workersAtEnd: number;
  maxWorkers: number;
  /** Every future whose outcome was not the expected one, described. */
  problems: string[];
}

/** The normal task: a little arithmetic the test repeats to check the result. */
export const mix = (i: number): number => {
  let h = i | 0;
  for (let k = 0; k < 200; k++) h = (Math.imul(h, 31) + k) | 0;
  return h;
};

const asyncMix = async (i: number): Promise<number> => {
  await null;
  let h = i | 0;
  for (let k = 0; k < 200; k++) h = (Math.imul(h, 31) + k) | 0;
  return h;
};

const exitWith = (code: number): never => process.exit(code);

const throwFault = (i: number): never => {
  throw new RangeError(`injected fault ${i}`);
};

const exhaustMemory = (): never => {
  const hoard: number[][] = [];
  for (;;) hoard.push(new Array(100_000).fill(hoard.length));
};

const spinDeaf = (started: Event): never => {
  started.set();
  for (;;);
};

/** Where the faults go: `kinds[i]` is the fault of task i, or undefined for a normal task. */
function placeFaults(tasks: number, rate: number, seed: number): (FaultKind | undefined)[] {
  const random = seededRandom(seed);
  const count = Math.round(tasks * rate);
  const indices = shuffle([...Array(tasks).keys()], random).slice(0, count);
  const kinds: (FaultKind | undefined)[] = new Array(tasks).fill(undefined);
  for (const [n, index] of indices.entries()) kinds[index] = faultKinds[n % faultKinds.length];
  return kinds;
}

/**
 * Submit `tasks` tasks to one pool at once, `faultRate` of them faults, and
 * check every outcome. Infinite loops are stopped with
 * `future.stop({ timeout: 5, force: true })` as soon as they report running.
 */
export async function runFaultInjection(options: FaultOptions): Promise<FaultReport> {
  const { tasks, faultRate, maxWorkers, seed, timeoutMs } = options;
  const kinds = placeFaults(tasks, faultRate, seed);
  const faults: Record<FaultKind, number> = { exit: 0, throw: 0, oom: 0, loop: 0 };
  const problems: string[] = [];
  const pool = new ThreadPoolExecutor({
    maxWorkers,
    threadNamePrefix: 'fault',
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
  });
  let correct = 0;
  let forced = 0;
  let settled = 0;
  const checks: Promise<void>[] = [];
  const expectError = (
    future: Future<unknown>,
    i: number,
    check: (error: unknown) => string | undefined,
  ): Promise<void> =>
    future.then(
      () => void problems.push(`task ${i}: expected a failure, got a result`),
      (error: unknown) => {
        const problem = check(error);
        if (problem !== undefined) problems.push(`task ${i}: ${problem}`);
      },
    );
  try {
    for (let i = 0; i < tasks; i++) {
      const kind = kinds[i];
      let check: Promise<void>;
      if (kind === undefined) {
        const future = i % 10 === 0 ? pool.submit(asyncMix, i) : pool.submit(mix, i);
        check = future.then(
          (value) => (value === mix(i) ? void correct++ : void problems.push(`task ${i}: wrong result ${value}`)),
          (error: unknown) => void problems.push(`task ${i}: failed with ${String(error)}`),
        );
      } else {
        faults[kind]++;
        if (kind === 'exit') {
          const code = 1 + (i % 100);
          check = expectError(pool.submit(exitWith, code), i, (error) =>
            error instanceof ThreadExitError &&
            error.reason === 'exit' &&
            error.exitCode === code &&
            error.message.includes(`called process.exit(${code})`)
              ? undefined
              : `process.exit(${code}) gave ${String(error)}`,
          );
        } else if (kind === 'throw') {
          check = expectError(pool.submit(throwFault, i), i, (error) =>
            error instanceof RangeError && error.message === `injected fault ${i}`
              ? undefined
              : `throw gave ${String(error)}`,
          );
        } else if (kind === 'oom') {
          check = expectError(pool.submit(exhaustMemory), i, (error) =>
            error instanceof ThreadExitError &&
            error.reason === 'out-of-memory' &&
            /ran out of memory/.test(error.message)
              ? undefined
              : `out of memory gave ${String(error)}`,
          );
        } else {
          const started = new Event();
          const future = pool.submit(spinDeaf, started);
          check = (async () => {
            if (!(await started.waitAsync(timeoutMs))) return void problems.push(`task ${i}: the loop never started`);
            const outcome: StopOutcome = await future.stop({ timeout: 5, force: true });
            if (outcome === 'forced' && future.cancelled()) forced++;
            else problems.push(`task ${i}: forced stop gave ${outcome}, cancelled ${future.cancelled()}`);
          })();
        }
      }
      checks.push(check.finally(() => void settled++));
    }
    await within(
      Promise.all(checks),
      timeoutMs,
      `settle ${tasks} futures with ${Math.round(tasks * faultRate)} faults`,
    );
    const workersAtEnd = poolStats(pool).workers;
    return { tasks, faults, settled, correct, forced, workersAtEnd, maxWorkers, problems };
  } finally {
    await within(
      pool.shutdown({ cancelFutures: true, stopRunning: true, timeout: 1_000, force: true }),
      30_000,
      'shut the fault pool down',
    );
  }
}
