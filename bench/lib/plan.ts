import type { Mode } from './cli.js';

/** How many runs each section makes, and how big each run is. */
export interface Plan {
  readonly mode: Mode;
  /** Stop notice: runs per side, and wake-ups per run (a run's value is their median). */
  readonly stopRuns: number;
  readonly wakesPerRun: number;
  /** isSet(): runs per loop kind (many short ones, so that the kinds take turns often), and iterations per run. */
  readonly loopRuns: number;
  readonly loopIterations: number;
  /** Pools: throughput runs per library and tasks per run; round-trip runs, and turns (of 20 one-at-a-time tasks) per library per run. */
  readonly poolRuns: number;
  readonly throughputTasks: number;
  /** Timing cost: rounds (a fresh pair of pools each), pairs of bursts (timing on, off) per round, and tasks per burst. */
  readonly timingRounds: number;
  readonly timingPairs: number;
  readonly timingTasks: number;
  readonly roundTripRuns: number;
  readonly roundTripTasks: number;
  /** Cancel: cancellations per library. */
  readonly cancelRuns: number;
  /** Start: runs per kind, and starts per run. */
  readonly startRuns: number;
  readonly startsPerRun: number;
  /** Starts per run of the back-to-back start figures. */
  readonly backToBackStarts: number;
  /** Memory: child processes per kind, and idle threads in each. */
  readonly memoryRuns: number;
  readonly idleThreads: number;
  /** Queue: runs per figure, items per throughput run, hand-off runs and hand-offs per run, items per 4×4 run. */
  readonly queueRuns: number;
  readonly queueItems: number;
  readonly handoffRuns: number;
  readonly handoffWakes: number;
  readonly fanItems: number;
  /** Wire format: runs per value, and the share of each value's round trips per run. */
  readonly wireRuns: number;
  readonly wireScale: number;
  /** Moving data: runs per contestant, and tasks (4 MiB in, 1 MiB out) per run. */
  readonly moveRuns: number;
  readonly moveTasks: number;
}

/** The plan for `mode`: the full suite stays under 3 minutes on 2 cores, `--quick` under 30 s. */
export function planFor(mode: Mode): Plan {
  const full = mode === 'full';
  return {
    mode,
    stopRuns: full ? 15 : 5,
    wakesPerRun: full ? 20 : 10,
    loopRuns: full ? 41 : 9,
    loopIterations: full ? 4_000_000 : 2_000_000,
    poolRuns: full ? 7 : 2,
    throughputTasks: full ? 20_000 : 5_000,
    timingRounds: full ? 21 : 2,
    timingPairs: full ? 30 : 5,
    timingTasks: full ? 5_000 : 1_000,
    roundTripRuns: full ? 9 : 3,
    roundTripTasks: full ? 60 : 25,
    cancelRuns: full ? 9 : 2,
    startRuns: full ? 7 : 2,
    startsPerRun: full ? 5 : 3,
    backToBackStarts: full ? 20 : 5,
    memoryRuns: full ? 7 : 2,
    idleThreads: 8,
    queueRuns: full ? 7 : 2,
    queueItems: full ? 100_000 : 20_000,
    handoffRuns: full ? 15 : 3,
    handoffWakes: full ? 20 : 10,
    fanItems: full ? 100_000 : 20_000,
    wireRuns: full ? 9 : 3,
    wireScale: full ? 1 : 0.25,
    moveRuns: full ? 5 : 1,
    moveTasks: full ? 200 : 40,
  };
}
