// `npm run stress`: every stress scenario at full size, one after another,
// then a summary with the figures. Bounded: each scenario has its own time
// limit and the whole run stops itself after 290 s. Exit code 1 if any
// scenario fails or leaves a worker behind.
//
// STRESS_SEED=n replays the random parts (fault placement, the forced-stop
// race, the property-based schedules); by default a fresh seed is drawn and
// printed.
import { within } from '../helpers/bounded.js';
import { expectNoLiveWorkers, liveWorkerCount } from '../helpers/leak-check.js';
import { runChurn } from './scenarios/churn.js';
import { runClosedStdout } from './scenarios/closed-stdout.js';
import { runBarrierRounds, runBoundedBuffer } from './scenarios/condbar.js';
import { runDoneCallbacks } from './scenarios/done-callbacks.js';
import { checkEventSchedules } from './scenarios/event-schedules.js';
import { runFaultInjection } from './scenarios/faults.js';
import { runForcedStopRace } from './scenarios/forced-race.js';
import { runLocks } from './scenarios/locks.js';
import { runQueues } from './scenarios/queues.js';
import { checkFutureTransitions } from './scenarios/future-transitions.js';
import { runSharedEvent } from './scenarios/shared-event.js';
import { runSignalScenario } from './scenarios/signals.js';

const kBudgetMs = 290_000;
const seed =
  process.env.STRESS_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.STRESS_SEED);
const started = performance.now();

const watchdog = setTimeout(() => {
  console.error(`stress: still running after ${kBudgetMs / 1000} s — giving up`);
  process.exit(1);
}, kBudgetMs);
watchdog.unref();

/** The figures the summary adds up. */
const totals = {
  tasks: 0,
  crashes: 0,
  futuresSettled: 0,
  threads: 0,
  childProcesses: 0,
  leaks: 0,
  properties: 0,
  schedules: 0,
};
const failures: string[] = [];

/**
 * Run one scenario within `limitMs`: it returns a line of figures and its
 * problems. Afterwards no worker may be left alive.
 */
async function scenario(
  name: string,
  limitMs: number,
  body: () => Promise<{ figures: string; problems: string[] }>,
): Promise<void> {
  const t0 = performance.now();
  let line: string;
  let problems: string[];
  try {
    ({ figures: line, problems } = await within(body(), limitMs, `finish the ${name} scenario`));
  } catch (error) {
    line = 'aborted';
    problems = [String((error as Error)?.stack ?? error)];
  }
  try {
    await expectNoLiveWorkers(10_000);
  } catch {
    totals.leaks += liveWorkerCount();
    problems.push(`leak: ${liveWorkerCount()} worker(s) still alive after the scenario`);
  }
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${name.padEnd(22)} ${seconds.padStart(6)} s  ${line}`);
  for (const problem of problems.slice(0, 10)) console.log(`       ${problem.split('\n').join('\n       ')}`);
  if (problems.length > 10) console.log(`       … and ${problems.length - 10} more`);
  if (problems.length > 0) failures.push(name);
}

console.log(`skein stress run — seed ${seed} (STRESS_SEED=${seed} replays it)\n`);

// Churn first: its memory baseline must not include what later scenarios free.
await scenario('churn', 100_000, async () => {
  const r = await runChurn({ cycles: 1_000, lanes: 2, warmup: 50 });
  totals.threads += r.cycles;
  totals.tasks += r.pools;
  totals.futuresSettled += r.pools;
  totals.leaks += r.liveWorkers;
  const problems = [...r.problems];
  const growth = (r.rssEndMb - r.rssBaselineMb) / r.rssBaselineMb;
  if (growth > 0.1) problems.push(`RSS grew ${(growth * 100).toFixed(1)}% over its baseline`);
  if (r.liveWorkers > 0) problems.push(`${r.liveWorkers} workers alive`);
  if (r.liveThreads > 0) problems.push(`${r.liveThreads} threads still in enumerate()`);
  if (r.liveStoppables > 0) problems.push(`${r.liveStoppables} stoppables still registered`);
  return {
    figures:
      `${r.cycles} start→stop→join cycles (${r.outcomes.stopped} stopped, ${r.outcomes.forced} forced), ${r.pools} pools, ` +
      `${r.liveWorkers} workers left, RSS ${r.rssBaselineMb.toFixed(1)} → ${r.rssEndMb.toFixed(1)} MiB (${(growth * 100).toFixed(1)}%)`,
    problems,
  };
});

await scenario('fault injection', 120_000, async () => {
  const r = await runFaultInjection({ tasks: 10_000, faultRate: 0.05, maxWorkers: 4, seed, timeoutMs: 110_000 });
  const crashes = r.faults.exit + r.faults.throw + r.faults.oom + r.faults.loop;
  totals.tasks += r.tasks;
  totals.crashes += crashes;
  totals.futuresSettled += r.settled;
  const problems = [...r.problems];
  if (r.settled !== r.tasks) problems.push(`${r.tasks - r.settled} futures never settled`);
  if (r.correct !== r.tasks - crashes) problems.push(`${r.tasks - crashes - r.correct} wrong results`);
  if (r.workersAtEnd !== r.maxWorkers)
    problems.push(`the pool ended with ${r.workersAtEnd} of ${r.maxWorkers} workers`);
  return {
    figures:
      `${r.tasks} tasks, ${crashes} faults (exit ${r.faults.exit}, throw ${r.faults.throw}, oom ${r.faults.oom}, ` +
      `deaf loop ${r.faults.loop}, forced ${r.forced}), ${r.settled} settled, ${r.correct} correct, ` +
      `workers at end ${r.workersAtEnd}/${r.maxWorkers}`,
    problems,
  };
});

await scenario('forced-stop race', 60_000, async () => {
  const r = await runForcedStopRace(500, seed);
  totals.tasks += r.rounds * 3;
  totals.futuresSettled += r.rounds * 3;
  return {
    figures: `${r.rounds} rounds: ${r.forced} forced, ${r.stopped} ended just in time, ${r.siblingsDone} of ${r.rounds * 2} siblings untouched`,
    problems: r.problems,
  };
});

await scenario('locks', 60_000, async () => {
  const r = await runLocks(6, 20_000, seed);
  totals.threads += 6;
  return {
    figures:
      `6 threads + the main thread, ${r.entered.lock} Lock / ${r.entered.rlock} RLock / ${r.entered.semaphore} ` +
      `Semaphore(2) sections, ${r.timeouts} timed-out acquires, at most ${r.mostInside} inside the semaphore`,
    problems: r.problems,
  };
});

await scenario('queues', 120_000, async () => {
  const r = await runQueues({ producers: 4, consumers: 4, perProducer: 5_000, rounds: 40, seed });
  totals.threads += r.threads;
  return {
    figures:
      `${r.items} items through a Queue(32) by 4 + 4 threads (${r.relayed} through the relay), ` +
      `${r.shutdownRounds} shutdowns under blocked threads (${r.immediateRounds} immediate, ${r.refused} items refused or dropped)`,
    problems: r.problems,
  };
});

await scenario('Condition and Barrier', 90_000, async () => {
  const buffer = await runBoundedBuffer(4, 3, 2_000, 8, seed);
  const rounds = await runBarrierRounds(4, 300, 10, seed);
  totals.threads += 7 + 4;
  return {
    figures:
      `bounded buffer: ${buffer.items} items through 8 slots, 4 producer threads + the main thread, 3 consumers, ` +
      `${buffer.timeouts} timed-out waits; barrier: ${rounds.passed} rounds passed, ${rounds.broken} broken by a late party`,
    problems: [...buffer.problems, ...rounds.problems],
  };
});

await scenario('Event schedules', 60_000, async () => {
  const r = await checkEventSchedules(1_000, seed);
  totals.properties++;
  totals.schedules += r.schedules;
  return {
    figures: `${r.schedules} schedules on 2–4 threads (${r.withMain} with the main thread too), ${r.operations} operations checked`,
    problems: [],
  };
});

await scenario('Future transitions', 30_000, async () => {
  const r = await checkFutureTransitions(10_000, seed);
  totals.properties++;
  totals.schedules += r.sequences;
  return { figures: `${r.sequences} call sequences, ${r.calls} calls checked`, problems: [] };
});

await scenario('signals', 90_000, async () => {
  const problems: string[] = [];
  const runs: [string, Awaited<ReturnType<typeof runSignalScenario>>][] = [];
  const plan: ['SIGTERM' | 'SIGINT', 'polite' | 'deaf'][] = [
    ['SIGTERM', 'polite'],
    ['SIGINT', 'polite'],
    ['SIGTERM', 'polite'],
    ['SIGINT', 'polite'],
    ['SIGTERM', 'deaf'],
    ['SIGINT', 'deaf'],
  ];
  // Two children at a time: they mostly wait.
  for (let i = 0; i < plan.length; i += 2) {
    const pair = plan.slice(i, i + 2);
    const results = await Promise.all(pair.map(([signal, mode]) => runSignalScenario(signal, mode)));
    for (const [j, run] of results.entries()) runs.push([`${pair[j]![1]} ${pair[j]![0]}`, run]);
  }
  for (const [label, run] of runs) {
    const deaf = label.startsWith('deaf');
    if (run.code !== (deaf ? 3 : 0)) problems.push(`${label}: exit code ${run.code}\n${run.stderr}`);
    if (run.finallies.length !== (deaf ? 0 : 8)) problems.push(`${label}: ${run.finallies.length} finally blocks ran`);
    if (run.leftovers.length !== (deaf ? 8 : 0)) problems.push(`${label}: ${run.leftovers.length} files left`);
  }
  totals.childProcesses += runs.length;
  totals.threads += runs.length * 8;
  const clean = runs.filter(
    ([label, run]) => !label.startsWith('deaf') && run.code === 0 && run.finallies.length === 8,
  ).length;
  const forced = runs.filter(([label, run]) => label.startsWith('deaf') && run.code === 3).length;
  return {
    figures: `${runs.length} child processes × 8 threads: ${clean} clean exits (every finally), ${forced} forced by a second signal`,
    problems,
  };
});

await scenario('closed stdout', 60_000, async () => {
  const problems: string[] = [];
  const rounds = 5;
  for (let i = 0; i < rounds; i++) {
    const { code, stderr } = await runClosedStdout();
    if (code !== 0 || !stderr.includes('outcomes stopped,stopped,stopped,stopped'))
      problems.push(`round ${i}: exit ${code}\n${stderr}`);
  }
  totals.childProcesses += rounds;
  totals.threads += rounds * 2;
  totals.tasks += rounds * 202;
  totals.futuresSettled += rounds * 202;
  return {
    figures: `${rounds} child processes, 2 threads + 202 pool tasks each printing into a closed pipe, all stopped`,
    problems,
  };
});

await scenario('done callbacks', 60_000, async () => {
  const r = await runDoneCallbacks(10, 200);
  totals.tasks += r.submittedFromCallbacks;
  totals.futuresSettled += r.completedFromCallbacks;
  return {
    figures:
      `${r.submittedFromCallbacks} submits from callbacks (${r.completedFromCallbacks} completed), ` +
      `${r.shutdownsFromCallbacks} shutdowns from callbacks, ${r.refusedAfterShutdown} later submits refused`,
    problems: r.problems,
  };
});

await scenario('shared Event', 60_000, async () => {
  const problems: string[] = [];
  const rounds = 5;
  let ended = 0;
  for (let i = 0; i < rounds; i++) {
    const r = await runSharedEvent(50);
    ended += r.ended;
    problems.push(...r.problems);
  }
  totals.threads += rounds * 50;
  return { figures: `${rounds} rounds × 50 threads in wait/waitAsync/hot loops/sleeps: ${ended} ended`, problems };
});

clearTimeout(watchdog);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `\nsummary (${seconds} s, seed ${seed}): ${totals.tasks} pool tasks run, ${totals.crashes} crashes injected, ` +
    `${totals.futuresSettled} futures settled, ${totals.threads} threads, ${totals.childProcesses} child processes, ` +
    `${totals.leaks} leaks found, ${totals.properties} properties checked over ${totals.schedules} schedules`,
);
if (failures.length > 0) {
  console.log(`FAILED: ${failures.join(', ')}`);
  process.exit(1);
}
console.log('all scenarios passed');
