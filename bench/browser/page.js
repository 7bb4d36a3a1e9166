// The browser figures, in one cross-origin isolated page (bench/browser.mjs drives it in Chromium):
// how soon a busy synchronous loop on a Web Worker notices a stop the page asks for, and pool throughput
// of skein's ThreadPoolExecutor against workerpool's browser build in the same page.
//
// Where the time of a run goes, and why it is measured this way (an earlier form took minutes and measured
// the scheduler): the page never spins. On a 2-core machine a page spinning until the worker acknowledged
// took one core while the worker's loop spun on the other, so anything else that ran (the browser's own
// processes, the engine compiling a new worker's code on background threads) took a core from one of them
// for a time slice — milliseconds — and that was most of each sample. Instead, the worker stamps when its
// loop saw the stop, on the clock a page and its workers share (`performance.timeOrigin + now()`), and the
// page waits with `Atomics.waitAsync`. One thread (and one raw worker) runs every round, so that no round
// times a worker just started; the first rounds are warm-up, not counted.
import { Event, Thread, ThreadPoolExecutor } from 'skein';

const search = new URLSearchParams(location.search);
const quick = search.has('quick');
const rounds = Number(search.get('rounds') ?? (quick ? 20 : 200));
const warmUp = 5;
const tasks = Number(search.get('tasks') ?? (quick ? 2_000 : 20_000));
const runs = Number(search.get('runs') ?? (quick ? 1 : 7));
const workers = 2;
const kBoundMs = 20_000;

/** Now, on the clock the page and its workers share. */
const now = () => performance.timeOrigin + performance.now();

/** Wait, without blocking the page, until `words[index]` is at least `atLeast`; bounded. */
async function waitWord(words, index, atLeast) {
  const limit = performance.now() + kBoundMs;
  for (;;) {
    const value = Atomics.load(words, index);
    if (value >= atLeast) return;
    if (performance.now() > limit) throw new Error(`word ${index} did not reach ${atLeast} in ${kBoundMs} ms`);
    await Atomics.waitAsync(words, index, value, 1_000).value;
  }
}

const sorted = (values) => [...values].sort((a, b) => a - b);
/** The median, with the range, of `values`. */
const summary = (values) => {
  const s = sorted(values);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1], n: s.length };
};

/**
 * The stop notice of each round past the warm-up: when the loop saw the stop minus when the page asked.
 * `words[0]` is the round the loop spins on (1-based), `words[1]` the rounds it has seen stopped.
 */
async function timeRounds(words, seenAt, ask) {
  const askedAt = [];
  for (let round = 0; round < warmUp + rounds; round++) {
    await waitWord(words, 0, round + 1);
    askedAt.push(now());
    ask(round);
    await waitWord(words, 1, round + 1);
  }
  return summary(askedAt.slice(warmUp).map((asked, i) => seenAt[warmUp + i] - asked));
}

/** Stop notice: the page sets a round's Event; the thread's busy loop (`while (!stop.isSet());`) sees it. */
async function skeinStopNotice() {
  const stops = Array.from({ length: warmUp + rounds }, () => new Event());
  const words = new Int32Array(new SharedArrayBuffer(8));
  const seenAt = new Float64Array(new SharedArrayBuffer(8 * stops.length));
  const thread = new Thread({
    target: (stops, words, seenAt) => {
      for (let round = 0; round < stops.length; round++) {
        const stop = stops[round];
        Atomics.store(words, 0, round + 1);
        Atomics.notify(words, 0);
        while (!stop.isSet());
        seenAt[round] = performance.timeOrigin + performance.now();
        Atomics.store(words, 1, round + 1);
        Atomics.notify(words, 1);
      }
    },
    args: [stops, words, seenAt],
  });
  thread.start();
  const notice = await timeRounds(words, seenAt, (round) => stops[round].set());
  if (!(await thread.join(kBoundMs))) throw new Error('the stop-notice thread did not end');
  return notice;
}

/** The same with a raw worker on raw shared memory: `Atomics.store` on the page, `Atomics.load` in its loop. */
async function rawStopNotice() {
  const source = `onmessage = ({ data: [flags, words, seenAt] }) => {
    for (let round = 0; round < flags.length; round++) {
      Atomics.store(words, 0, round + 1);
      Atomics.notify(words, 0);
      while (Atomics.load(flags, round) === 0);
      seenAt[round] = performance.timeOrigin + performance.now();
      Atomics.store(words, 1, round + 1);
      Atomics.notify(words, 1);
    }
  };`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url);
  const flags = new Int32Array(new SharedArrayBuffer(4 * (warmUp + rounds)));
  const words = new Int32Array(new SharedArrayBuffer(8));
  const seenAt = new Float64Array(new SharedArrayBuffer(8 * flags.length));
  worker.postMessage([flags, words, seenAt]);
  try {
    return await timeRounds(words, seenAt, (round) => Atomics.store(flags, round, 1));
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
}

/** A postMessage round trip to an idle worker, halved: what a message-based stop costs at best (a busy loop never sees one). */
async function postMessageOneWay() {
  const url = URL.createObjectURL(new Blob(['onmessage = () => postMessage(0);'], { type: 'text/javascript' }));
  const worker = new Worker(url);
  const trip = () =>
    new Promise((resolve) => {
      worker.onmessage = resolve;
      worker.postMessage(0);
    });
  for (let i = 0; i < warmUp; i++) await trip();
  const seen = [];
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    await trip();
    seen.push((performance.now() - start) / 2);
  }
  worker.terminate();
  URL.revokeObjectURL(url);
  return summary(seen);
}

/** The task of the throughput runs: trivial, as in the Node bench's, so that the pools' own cost is what is timed. */
const work = (x) => x + 1;

/** Tasks a second for `tasks` tasks submitted at once through `run` (one task's promise). */
async function rate(run) {
  const start = performance.now();
  await Promise.all(Array.from({ length: tasks }, (_, i) => run(i)));
  return tasks / ((performance.now() - start) / 1000);
}

/**
 * Throughput of skein's pool and workerpool's, each opened once (as the Node bench's pools are): a first run
 * each to start the workers and compile the code on both sides, not counted; then run after run in turn, so
 * that both see the same drift of the machine.
 */
async function throughput() {
  const skeinPool = new ThreadPoolExecutor({ maxWorkers: workers });
  // workerpool's default worker, the function sent as source.
  const workerPool = globalThis.workerpool.pool({ maxWorkers: workers });
  const pools = {
    skein: (x) => skeinPool.submit(work, x).result(),
    workerpool: (x) => workerPool.exec(work, [x]),
  };
  const rates = { skein: [], workerpool: [] };
  try {
    for (const run of Object.values(pools)) await rate(run);
    for (let round = 0; round < runs; round++) {
      for (const [name, run] of Object.entries(pools)) rates[name].push(await rate(run));
    }
  } finally {
    await skeinPool.shutdown();
    await workerPool.terminate();
  }
  return { skein: summary(rates.skein), workerpool: summary(rates.workerpool) };
}

/** How long each part of the run took, in ms (where the time of a run goes). */
const phaseMs = {};
async function timed(name, part) {
  const start = performance.now();
  const value = await part();
  phaseMs[name] = Math.round(performance.now() - start);
  return value;
}

try {
  const result = {
    rounds,
    warmUp,
    tasks,
    runs,
    workers,
    userAgent: navigator.userAgent,
    stopNoticeMs: {
      skein: await timed('skeinStopNotice', skeinStopNotice),
      rawAtomics: await timed('rawStopNotice', rawStopNotice),
      postMessageOneWay: await timed('postMessageOneWay', postMessageOneWay),
    },
    tasksPerSecond: await timed('throughput', throughput),
    phaseMs,
  };
  globalThis.benchResult = result;
} catch (error) {
  globalThis.benchResult = { error: String(error?.stack ?? error) };
}
