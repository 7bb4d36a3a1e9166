// The memory figure's probe, a child process started by
// bench/sections/memory.ts as `node memory-probe.mjs KIND N`:
// it starts N idle threads of KIND — `raw` Workers, `skein` Threads parked
// on an Event they were given, or `skein-stop` Threads parked on their own
// stopEvent() (what a thread that can be stopped does) — measures how much
// the process RSS grew, and prints {"perThreadBytes": …}.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { Event, Thread, setStandbyThreads, stopEvent } from 'skein';

// Threads only: the standby worker skein keeps booted (one idle worker) is not a thread's cost.
setStandbyThreads(0);

const [kind, countText] = process.argv.slice(2);
const count = Number(countText);
if (!['raw', 'skein', 'skein-stop'].includes(kind) || !(count >= 1)) {
  console.error('usage: node memory-probe.mjs raw|skein|skein-stop N');
  process.exit(2);
}
// gc() without `node --expose-gc`: skein passes the process's execArgv to its
// workers explicitly, and Node refuses --expose-gc there.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const nap = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wait until gate[1] (threads running) reaches `value`, for at most 30 s. */
async function running(gate, value) {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const seen = Atomics.load(gate, 1);
    if (seen >= value) return;
    if (performance.now() > deadline) throw new Error(`only ${seen} of ${value} threads started in 30 s`);
    const waited = Atomics.waitAsync(gate, 1, seen, 1_000);
    if (waited.async) await waited.value;
  }
}

/** The skein thread's target: count itself in, then park until released. */
function parkSkein(gate, release) {
  Atomics.add(gate, 1, 1);
  Atomics.notify(gate, 1);
  release.wait();
}

/** The `skein-stop` thread's target: count itself in, then park until asked to stop. */
function parkOnStop(gate) {
  Atomics.add(gate, 1, 1);
  Atomics.notify(gate, 1);
  stopEvent().wait();
}

/** Start `n` idle threads; returns how to release them and wait for their end. */
function startIdle(n, gate) {
  if (kind === 'raw') {
    const url = new URL('./idle-worker.mjs', import.meta.url);
    const workers = Array.from({ length: n }, () => new Worker(url, { workerData: { gate } }));
    return async () => {
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
      await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
    };
  }
  if (kind === 'skein-stop') {
    const threads = Array.from({ length: n }, () => new Thread({ target: parkOnStop, args: [gate] }));
    for (const thread of threads) thread.start();
    return async () => {
      await Promise.all(threads.map((thread) => thread.stop()));
    };
  }
  const release = new Event();
  const threads = Array.from({ length: n }, () => new Thread({ target: parkSkein, args: [gate, release] }));
  for (const thread of threads) thread.start();
  return async () => {
    release.set();
    await Promise.all(threads.map((t) => t.join()));
  };
}

const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await nap(20);
  }
};

// One thread first, so that what every process pays once (the worker
// machinery, skein's modules) is not counted per thread.
const warmGate = new Int32Array(new SharedArrayBuffer(8));
const endWarm = startIdle(1, warmGate);
await running(warmGate, 1);
await endWarm();

await settle();
const before = process.memoryUsage().rss;
const gate = new Int32Array(new SharedArrayBuffer(8));
const end = startIdle(count, gate);
await running(gate, count);
await nap(100); // let the new threads finish their start-up allocations
await settle();
const after = process.memoryUsage().rss;
await end();
console.log(JSON.stringify({ kind, count, perThreadBytes: (after - before) / count }));
