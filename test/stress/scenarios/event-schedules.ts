// Property: random schedules of set / clear / isSet / wait / waitAsync on one
// Event, run for real on 2–4 pool workers at once and on the main thread
// (set / clear / isSet / waitAsync, between the driver's turns), never lose
// a wake-up and never report the flag clear when it was set in time.
//
// Every operation is logged with its result and the CLOCK_MONOTONIC readings
// (process.hrtime, one clock for every thread of the process) taken just
// before it began and just after it returned. The oracle asserts only what
// holds under every interleaving consistent with those readings:
//
//   (A) A call that reports the flag set (isSet, wait, waitAsync → true)
//       overlaps or follows some set(): the flag starts clear, and only
//       set() sets it.
//   (B) A call that reports the flag clear (→ false) after a timeout of T ms
//       began at `a` and looked at the flag for the last time at `a + T` or
//       later. So no set() may have returned before `a + T` with no clear()
//       that could have run between it and the call's end: the flag was then
//       set, and stayed set, before the timeout.
//   (C) No lost wake-up: a wait with no practical timeout returns true. The
//       driver sets the Event whenever every worker is either blocked in such
//       a wait or done (nobody else could set it then), so each one has a
//       set() to see; one that sleeps through it shows up as no progress.
import fc from 'fast-check';
import { Event, ThreadPoolExecutor } from 'skein';
import { within } from '../../helpers/bounded.js';

/** Operation codes of a schedule (shipped to the workers as numbers). */
export const Op = { set: 0, clear: 1, isSet: 2, wait: 3, waitAsync: 4, waitForever: 5, waitAsyncForever: 6 } as const;
const opNames = ['set', 'clear', 'isSet', 'wait', 'waitAsync', 'waitForever', 'waitAsyncForever'];

// Shared control words of one run (runProgram, shipped as source, uses the
// numbers): 0 workers arrived at the start, 1 blocked in a forever-wait,
// 2 done, 3 a generation bumped and notified on every change of 1 or 2.
const kBlocked = 1;
const kDone = 2;
const kGeneration = 3;

/** How long a "forever" wait may block before the run fails: no correct run comes near it. */
const kForeverMs = 20_000;
/** Clock slack between a wait's own deadline (performance.now) and hrtime, in ns. */
const kSlackNs = 250_000;

/** One logged call: code, timeout argument, result (1 true, 0 false), hrtime before and after (ns). */
type Entry = [op: number, arg: number, result: number, start: number, end: number];

/**
 * The program one worker (or the main thread) runs: [op, timeout] pairs.
 * Self-contained — it is shipped as source. `lanes` is how many workers to
 * wait for at the start; 0 on the main thread, which must not block.
 */
const runProgram = async (
  event: Event,
  shared: Int32Array,
  ops: number[],
  lanes: number,
  foreverMs: number,
): Promise<number[]> => {
  const now = (): number => Number(process.hrtime.bigint());
  const bump = (): void => {
    Atomics.add(shared, 3, 1);
    Atomics.notify(shared, 3);
  };
  // Start together, so that the programs really overlap; a worker that is
  // late only makes the schedule more sequential, which the oracle allows.
  Atomics.add(shared, 0, 1);
  const until = performance.now() + 2_000;
  while (Atomics.load(shared, 0) < lanes && performance.now() < until);
  const log: number[] = [];
  for (let i = 0; i < ops.length; i += 2) {
    const op = ops[i]!;
    const arg = ops[i + 1]!;
    let result = false;
    const start = now();
    if (op === 0) event.set();
    else if (op === 1) event.clear();
    else if (op === 2) result = event.isSet();
    else if (op === 3) result = event.wait(arg);
    else if (op === 4) result = await event.waitAsync(arg);
    else {
      Atomics.add(shared, 1, 1);
      bump();
      result = op === 5 ? event.wait(foreverMs) : await event.waitAsync(foreverMs);
      Atomics.sub(shared, 1, 1);
      bump();
    }
    log.push(op, arg, result ? 1 : 0, start, now());
  }
  Atomics.add(shared, 2, 1);
  bump();
  return log;
};

/** A program: a list of [op, timeoutMs]. */
type Program = [op: number, arg: number][];

/** A schedule: one program per worker, and one (maybe empty) for the main thread. */
export interface Schedule {
  workers: Program[];
  main: Program;
}

const flagOps = fc.constantFrom<[number, number]>([Op.set, 0], [Op.clear, 0], [Op.isSet, 0]);
const shortTimeout = fc.constantFrom(0, 1, 3, 10);

/** Arbitrary schedules: 2–4 worker programs of 1–8 operations; a main-thread program of 0–6, which never blocks. */
export const scheduleArbitrary: fc.Arbitrary<Schedule> = fc.record({
  workers: fc.array(
    fc.array(
      fc.oneof(
        flagOps,
        fc.tuple(fc.constantFrom(Op.wait, Op.waitAsync), shortTimeout),
        fc.constantFrom<[number, number]>([Op.waitForever, 0], [Op.waitAsyncForever, 0]),
      ),
      { minLength: 1, maxLength: 8 },
    ),
    { minLength: 2, maxLength: 4 },
  ),
  main: fc.array(
    fc.oneof(
      flagOps,
      fc.tuple(fc.constant(Op.waitAsync), shortTimeout),
      fc.constant<[number, number]>([Op.waitAsyncForever, 0]),
    ),
    { maxLength: 6 },
  ),
});

function describeEntry(lane: number, [op, arg, result, start, end]: Entry): string {
  const timed = op === Op.wait || op === Op.waitAsync ? `(${arg})` : '';
  return `lane ${lane} ${opNames[op]}${timed} → ${result === 1} [${start}, ${end}]`;
}

/** Check the oracle over every logged call; returns the violations found. */
export function checkOracle(lanes: Entry[][]): string[] {
  const all = lanes.flatMap((entries, lane) => entries.map((entry) => ({ lane, entry })));
  const sets = all.filter(({ entry }) => entry[0] === Op.set).map(({ entry }) => entry);
  const clears = all.filter(({ entry }) => entry[0] === Op.clear).map(({ entry }) => entry);
  const problems: string[] = [];
  for (const { lane, entry } of all) {
    const [op, arg, result, start, end] = entry;
    if (op === Op.set || op === Op.clear) continue;
    const forever = op === Op.waitForever || op === Op.waitAsyncForever;
    if (result === 1) {
      if (!sets.some((set) => set[3] < end))
        problems.push(`(A) ${describeEntry(lane, entry)} with no set() begun before it ended`);
      continue;
    }
    if (forever) {
      problems.push(`(C) ${describeEntry(lane, entry)}: the wait missed every set()`);
      continue;
    }
    const timeoutNs = op === Op.isSet ? 0 : arg * 1e6;
    const lastLook = start + timeoutNs - (timeoutNs === 0 ? 0 : kSlackNs);
    const missed = sets.find(
      (set) => set[4] < lastLook && !clears.some((clear) => clear[4] > set[3] && clear[3] < end),
    );
    if (missed !== undefined) {
      problems.push(
        `(B) ${describeEntry(lane, entry)} although set() [${missed[3]}, ${missed[4]}] returned in time and no clear() followed`,
      );
    }
  }
  return problems;
}

/**
 * Run `schedule` on `pool` (at least 4 workers) with a fresh Event, the main
 * program alongside on this thread; the main thread is also the driver that
 * sets the Event when every program is blocked in a forever-wait or done.
 * Returns the logs, the driver's own sets last.
 */
export async function runSchedule(pool: ThreadPoolExecutor, schedule: Schedule): Promise<Entry[][]> {
  const event = new Event();
  const shared = new Int32Array(new SharedArrayBuffer(16));
  const { workers, main } = schedule;
  const lanes = workers.length + (main.length > 0 ? 1 : 0);
  const futures = workers.map((program) =>
    pool.submit(runProgram, event, shared, program.flat(), workers.length, kForeverMs),
  );
  const mainLog = main.length > 0 ? runProgram(event, shared, main.flat(), 0, kForeverMs) : undefined;
  const driverSets: Entry[] = [];
  for (;;) {
    const generation = Atomics.load(shared, kGeneration);
    const done = Atomics.load(shared, kDone);
    if (done === lanes) break;
    if (Atomics.load(shared, kBlocked) + done === lanes) {
      const start = Number(process.hrtime.bigint());
      event.set();
      driverSets.push([Op.set, 0, 0, start, Number(process.hrtime.bigint())]);
    }
    const { async, value } = Atomics.waitAsync(shared, kGeneration, generation, kForeverMs);
    const outcome = async ? await value : value;
    if (outcome === 'timed-out') {
      throw new Error(
        `no progress for ${kForeverMs / 1000} s: ${Atomics.load(shared, kBlocked)} blocked, ${Atomics.load(shared, kDone)} of ${lanes} done, ` +
          `flag ${event.isSet()} — a lost wake-up`,
      );
    }
  }
  const logs = await within(
    Promise.all([...futures.map((future) => future.result()), ...(mainLog ? [mainLog] : [])]),
    30_000,
    'collect the logs of a schedule',
  );
  const entries = logs.map((log) => {
    const lane: Entry[] = [];
    for (let i = 0; i < log.length; i += 5) lane.push(log.slice(i, i + 5) as Entry);
    return lane;
  });
  entries.push(driverSets);
  return entries;
}

/** What {@link checkEventSchedules} ran. */
export interface EventPropertyReport {
  schedules: number;
  operations: number;
  /** Schedules in which the main thread took part. */
  withMain: number;
  seed: number;
}

/**
 * Check the Event property over `numRuns` random schedules on a 4-worker
 * pool. Throws fast-check's report (seed, shrunk counterexample) on failure.
 */
export async function checkEventSchedules(numRuns: number, seed: number): Promise<EventPropertyReport> {
  const pool = new ThreadPoolExecutor({ maxWorkers: 4, threadNamePrefix: 'event-schedule' });
  let schedules = 0;
  let operations = 0;
  let withMain = 0;
  try {
    await fc.assert(
      fc.asyncProperty(scheduleArbitrary, async (schedule) => {
        schedules++;
        const logs = await runSchedule(pool, schedule);
        operations += logs.reduce((sum, lane) => sum + lane.length, 0);
        if (schedule.main.length > 0) withMain++;
        const problems = checkOracle(logs);
        if (problems.length > 0) throw new Error(problems.join('\n'));
      }),
      { numRuns, seed },
    );
  } finally {
    await within(pool.shutdown(), 30_000, 'shut the schedule pool down');
  }
  return { schedules, operations, withMain, seed };
}
