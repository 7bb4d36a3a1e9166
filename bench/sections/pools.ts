// Pool throughput (many trivial tasks at once, 2 workers) and one-at-a-time
// round trip, for every pool, taken in turn round after round.
import {
  formatNumber,
  formatSide,
  ratioOf,
  sideOf,
  type FigureRow,
  type SectionResult,
  type Side,
} from '../lib/figures.js';
import type { Plan } from '../lib/plan.js';
import { closeAll, isLoaded, openAll, type Contender, type Missing, type OpenPool } from '../lib/pools.js';
import { interleave, interleaveSamples, median, summarize } from '../lib/stats.js';
import { within } from '../lib/wait.js';
import { ThreadPoolExecutor } from 'skein';

const kWorkers = 2;

/** Tasks per second for `count` trivial tasks submitted at once. */
async function throughput(pool: OpenPool, count: number): Promise<number> {
  const pending = new Array<PromiseLike<number>>(count);
  const start = performance.now();
  for (let i = 0; i < count; i++) pending[i] = pool.run(i);
  const results = await within(Promise.all(pending), `run ${count} tasks`);
  const seconds = (performance.now() - start) / 1e3;
  for (let i = 0; i < count; i++)
    if (results[i] !== i + 1) throw new Error(`task ${i} returned ${results[i]}, expected ${i + 1}`);
  return count / seconds;
}

/** µs from submitting one trivial task to having its result. */
/** Tasks a pool runs one after another before the next pool takes its turn. */
const kTripsPerTurn = 20;

/**
 * One turn of one-at-a-time round trips: `kTripsPerTurn` tasks, each
 * submitted once the previous one's result is back; µs per round trip.
 * A turn is short (a millisecond or two), so the pools still take turns
 * often, but each is measured in its steady state — tasks back to back —
 * not just after another library has run.
 */
async function roundTrips(pool: OpenPool, x: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < kTripsPerTurn; i++) await pool.run(x + i);
  return ((performance.now() - start) * 1e3) / kTripsPerTurn;
}

/**
 * What recording `stats()` timing costs: throughput of two skein pools alike
 * but for `recordTiming`. The cost is a per cent or so, and this shared
 * machine's speed swings by more than that from one burst to the next, so
 * the pools run many short bursts in pairs (back to back, in alternating
 * order). A pair of pools also keeps a bias of its own for its whole life
 * (where its workers landed, what its code compiled to: up to ±10% seen),
 * so that is done in rounds, each with a fresh pair of pools: a round's
 * value is the median of its pairs' ratios (returned as the timed side's
 * median rate and the untimed one's rate that gives that ratio), the
 * figure the median of the rounds'.
 */
async function timingCost(plan: Plan): Promise<{ timed: number[]; untimed: number[] }> {
  const open = (recordTiming: boolean): { pool: ThreadPoolExecutor; run: OpenPool } => {
    const pool = new ThreadPoolExecutor({ maxWorkers: kWorkers, recordTiming });
    return { pool, run: { run: (x) => pool.submit((y: number) => y + 1, x), close: () => pool.shutdown() } };
  };
  const timed: number[] = [];
  const untimed: number[] = [];
  for (let round = 0; round < plan.timingRounds; round++) {
    // Made in alternating order too: the pool made first boots its workers first.
    const madeFirst = open(round % 2 === 0);
    const madeSecond = open(round % 2 !== 0);
    const [on, off] = round % 2 === 0 ? [madeFirst, madeSecond] : [madeSecond, madeFirst];
    try {
      // Both warmed alike: workers started, code compiled.
      for (const side of [on, off, on, off]) await throughput(side.run, plan.timingTasks);
      const rates: number[] = [];
      const ratios: number[] = [];
      for (let pair = 0; pair < plan.timingPairs; pair++) {
        const first = (pair + round) % 2 === 0 ? on : off;
        const second = first === on ? off : on;
        const a = await throughput(first.run, plan.timingTasks);
        const b = await throughput(second.run, plan.timingTasks);
        const [onRate, offRate] = first === on ? [a, b] : [b, a];
        rates.push(onRate);
        ratios.push(onRate / offRate);
      }
      const rate = median(rates);
      timed.push(rate);
      untimed.push(rate / median(ratios));
    } finally {
      await Promise.all([on.pool.shutdown(), off.pool.shutdown()]);
    }
  }
  return { timed, untimed };
}

/** Measure pool throughput and round trip for every contender that loads. */
export async function measurePools(plan: Plan, contenders: ReadonlyArray<Contender | Missing>): Promise<SectionResult> {
  const { pools, failed } = await openAll(contenders, kWorkers);
  // From here on, a contender whose pool failed counts as missing.
  const measured = contenders.map((c) => failed.find((f) => f.name === c.name) ?? c);
  try {
    const values: Record<string, number[]> = {};
    // One round first, not counted, for every pool alike: a burst of that
    // size compiles code paths the warm-up's 100 tasks do not (skein's first
    // 20,000-task bursts run at a fraction of its later ones), and the
    // figure is what a program that has run a while gets.
    const rates = await interleave(
      plan.poolRuns + 1,
      [...pools].map(([name, pool]) => [name, () => throughput(pool, plan.throughputTasks)] as const),
    );
    for (const [name, runs] of Object.entries(rates)) values[`${name} throughput`] = runs.slice(1);
    const timing = await timingCost(plan);
    values['skein timed throughput'] = timing.timed;
    values['skein untimed throughput'] = timing.untimed;
    // A round trip is short enough for the load of this shared machine to
    // change between two runs: the pools take turns every kTripsPerTurn tasks.
    const trips = await interleaveSamples(
      plan.roundTripRuns,
      plan.roundTripTasks,
      [...pools].map(([name, pool]) => [name, (i: number) => roundTrips(pool, i * kTripsPerTurn)] as const),
    );
    for (const [name, runs] of Object.entries(trips)) values[`${name} round trip`] = runs;
    return { ...report(plan, measured, values), failures: failed.map((f) => f.missing) };
  } finally {
    await closeAll(pools);
  }
}

function report(
  plan: Plan,
  contenders: ReadonlyArray<Contender | Missing>,
  values: Record<string, number[]>,
): SectionResult {
  const side = (name: string, figure: string): Side => {
    const entry = contenders.find((c) => c.name === name);
    return sideOf(values[`${name} ${figure}`], entry && 'missing' in entry ? entry.missing : `${name} not measured`);
  };
  const paired = (figure: string) => ratioOf(values[`skein ${figure}`], values[`piscina ${figure}`]);
  const rows: FigureRow[] = [
    {
      key: 'poolThroughput',
      unit: 'tasks/s',
      skein: side('skein', 'throughput'),
      referenceName: 'piscina',
      reference: side('piscina', 'throughput'),
      ...paired('throughput'),
      // Issue #11's target for the one-runtime pool (it was 5× for the batching one).
      target: { on: 'ratio', atLeast: 10 },
      note: `${formatNumber(plan.throughputTasks)} tasks \`x + 1\` submitted at once, ${kWorkers} workers, ${plan.poolRuns} runs per pool taken in turn after one not counted`,
    },
    {
      key: 'poolThroughputRaw',
      unit: 'tasks/s',
      skein: side('skein', 'throughput'),
      referenceName: 'raw worker_threads',
      reference: side('raw', 'throughput'),
      ...ratioOf(values['skein throughput'], values['raw throughput']),
      note: 'the throughput workload against the raw pool: one `postMessage` per task, 16 in flight per worker, no stop, no error handling — what worker_threads alone does',
    },
    {
      key: 'poolTiming',
      unit: 'tasks/s',
      skein: sideOf(values['skein timed throughput'], 'skein not measured'),
      referenceName: 'skein, recordTiming: false',
      reference: sideOf(values['skein untimed throughput'], 'skein without timing not measured'),
      ...ratioOf(values['skein timed throughput'], values['skein untimed throughput']),
      target: { on: 'ratio', atLeast: 0.97 },
      note: `the throughput workload, skein's default pool (recording each task's wait and run time for \`stats()\`) against one with \`recordTiming: false\`, in ${plan.timingRounds} rounds, each with a fresh pair of pools alone running ${plan.timingPairs} pairs of bursts of ${formatNumber(plan.timingTasks)} tasks (back to back, in alternating order); a round's ratio is the median of its pairs', the figure the median of the rounds'`,
    },
    {
      key: 'roundTrip',
      unit: 'µs',
      skein: side('skein', 'round trip'),
      referenceName: 'piscina',
      reference: side('piscina', 'round trip'),
      ...paired('round trip'),
      target: { on: 'ratio', atMost: 0.5 },
      note: `tasks awaited one after another, ${kTripsPerTurn} per turn, the pools taking turns; a run is the median of ${plan.roundTripTasks} turns per pool; ${plan.roundTripRuns} runs`,
    },
  ];
  const lines = [
    '| Pool | Throughput | One-at-a-time round trip |',
    '| --- | --- | --- |',
    ...contenders.map((c) =>
      isLoaded(c)
        ? `| ${c.label} | ${formatSide(side(c.name, 'throughput'), 'tasks/s')} | ${formatSide(side(c.name, 'round trip'), 'µs')} |`
        : `| ${c.name} | skipped | ${c.missing} |`,
    ),
  ];
  const bars = (figure: string) =>
    contenders.filter(isLoaded).map((c) => ({ label: c.name, summary: summarize(values[`${c.name} ${figure}`]!) }));
  const skipped = contenders
    .filter((c): c is Missing => !isLoaded(c))
    .map((c) => ({ label: c.name, skipped: c.missing }));
  return {
    rows,
    notes: contenders.filter((c): c is Missing => !isLoaded(c)).map((c) => c.missing),
    details: [
      `**Every pool, ${kWorkers} workers** (median and range of ${plan.poolRuns} throughput runs and ${plan.roundTripRuns} round-trip runs):\n\n${lines.join('\n')}`,
    ],
    bars: [
      {
        title: `Pool throughput, ${kWorkers} workers (tasks/s)`,
        unit: 'tasks/s',
        better: 'higher',
        bars: bars('throughput'),
        skipped,
      },
      { title: 'One-at-a-time round trip (µs)', unit: 'µs', better: 'lower', bars: bars('round trip'), skipped },
    ],
  };
}
