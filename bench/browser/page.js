// The browser figures, in one cross-origin isolated page (bench/browser.mjs drives it in Chromium):
// how soon a busy synchronous loop on a Web Worker notices a stop the page asks for, and pool throughput
// of skein's ThreadPoolExecutor against workerpool's browser build in the same page.
import { Event, Thread, ThreadPoolExecutor } from 'skein';

const quick = new URLSearchParams(location.search).has('quick');
const rounds = quick ? 5 : 50;
const tasks = quick ? 200 : 5_000;
const workers = 2;
/**
 * Spin on the page until `ack[0]` is set, and return when (on the page's clock: the workers' clocks start
 * elsewhere); bounded.
 */
function spinUntilAcked(ack) {
  const limit = performance.now() + 20_000;
  while (Atomics.load(ack, 0) === 0) if (performance.now() > limit) throw new Error('no acknowledgement in 20 s');
  return performance.now();
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Stop notice: the page sets an Event; the thread's busy loop, once it sees it, sets a word the page spins on. */
async function skeinStopNotice() {
  const seen = [];
  for (let round = 0; round < rounds; round++) {
    const stop = new Event();
    const running = new Event();
    const ack = new Int32Array(new SharedArrayBuffer(4));
    const thread = new Thread({
      target: (stop, running, ack) => {
        running.set();
        while (!stop.isSet());
        Atomics.store(ack, 0, 1);
      },
      args: [stop, running, ack],
    });
    thread.start();
    await running.waitAsync(20_000);
    const asked = performance.now();
    stop.set();
    seen.push(spinUntilAcked(ack) - asked);
    await thread.join(20_000);
  }
  return median(seen);
}

/** The same with a raw worker on a raw SharedArrayBuffer (Atomics.store → Atomics.load in its loop), acknowledged alike. */
async function rawStopNotice() {
  const source = `onmessage = ({ data: [flag, ack] }) => {
    Atomics.store(flag, 1, 1);
    while (Atomics.load(flag, 0) === 0);
    Atomics.store(ack, 0, 1);
    postMessage('done');
  };`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const seen = [];
  for (let round = 0; round < rounds; round++) {
    const worker = new Worker(url);
    const flag = new Int32Array(new SharedArrayBuffer(8));
    const ack = new Int32Array(new SharedArrayBuffer(4));
    const done = new Promise((resolve) => (worker.onmessage = resolve));
    worker.postMessage([flag, ack]);
    while (Atomics.load(flag, 1) === 0) await Atomics.waitAsync(flag, 1, 0, 20_000).value;
    const asked = performance.now();
    Atomics.store(flag, 0, 1);
    seen.push(spinUntilAcked(ack) - asked);
    await done;
    worker.terminate();
  }
  return median(seen);
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
  await trip();
  const seen = [];
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    await trip();
    seen.push((performance.now() - start) / 2);
  }
  worker.terminate();
  return median(seen);
}

const work = (n) => {
  let a = 0;
  let b = 1;
  for (let i = 0; i < n; i++) [a, b] = [b, (a + b) % 1_000_007];
  return a;
};

/** Tasks a second through skein's pool of `workers`, its workers started first. */
async function skeinThroughput() {
  const pool = new ThreadPoolExecutor({ maxWorkers: workers });
  await Promise.all(Array.from({ length: workers * 4 }, () => pool.submit(work, 10).result()));
  const start = performance.now();
  await Promise.all(Array.from({ length: tasks }, (_, i) => pool.submit(work, 1_000 + (i % 7)).result()));
  const seconds = (performance.now() - start) / 1000;
  await pool.shutdown();
  return tasks / seconds;
}

/** The same through workerpool's browser build (its default worker, the function sent as source). */
async function workerpoolThroughput() {
  const pool = globalThis.workerpool.pool({ maxWorkers: workers });
  await Promise.all(Array.from({ length: workers * 4 }, () => pool.exec(work, [10])));
  const start = performance.now();
  await Promise.all(Array.from({ length: tasks }, (_, i) => pool.exec(work, [1_000 + (i % 7)])));
  const seconds = (performance.now() - start) / 1000;
  await pool.terminate();
  return tasks / seconds;
}

try {
  const result = {
    rounds,
    tasks,
    workers,
    stopNoticeMs: {
      skein: await skeinStopNotice(),
      rawAtomics: await rawStopNotice(),
      postMessageOneWay: await postMessageOneWay(),
    },
    tasksPerSecond: { skein: await skeinThroughput(), workerpool: await workerpoolThroughput() },
  };
  globalThis.benchResult = result;
} catch (error) {
  globalThis.benchResult = { error: String(error?.stack ?? error) };
}
