// The TypeScript start figure's probe, a child process started by
// bench/sections/start.ts as `node [--import tsx] start-probe.mjs ts|mjs N`:
// N warm starts of a Thread whose target is a module that imports another
// (bench/typescript/stamp-module.ts, or its twin bench/plain/stamp-module.mjs),
// each with a standby worker booted and parked; prints the ms from `new Thread`
// to the target's first statement, as a JSON array.
import { Thread, setStandbyThreads } from 'skein';
// Internal: whether the standby worker has booted (under tsx it also loads tsx first).
import { readyStandbyCount } from '../../dist/internal.js';

const [kind, countText] = process.argv.slice(2);
const count = Number(countText);
if ((kind !== 'ts' && kind !== 'mjs') || !(count >= 1)) {
  console.error('usage: node [--import tsx] start-probe.mjs ts|mjs N');
  process.exit(2);
}
const target = {
  module: new URL(kind === 'ts' ? '../typescript/stamp-module.ts' : './stamp-module.mjs', import.meta.url),
  export: 'stamp',
};

const nap = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wait until a standby worker is parked, for at most 30 s. */
async function standbyReady() {
  const deadline = performance.now() + 30_000;
  while (readyStandbyCount() === 0) {
    if (performance.now() > deadline) throw new Error('no standby worker was ready in 30 s');
    await nap(5);
  }
}

/** Wait until flag[0] is 1, for at most 30 s. */
async function flagged(flag) {
  const waited = Atomics.waitAsync(flag, 0, 0, 30_000);
  if ((waited.async ? await waited.value : waited.value) === 'timed-out') {
    throw new Error('the thread did not reach its target in 30 s');
  }
}

/** One warm start: ms from `new Thread` to the target's first statement. */
async function startOnce() {
  await standbyReady();
  // A moment for the replacement's boot (if any) to settle, as between the other start figures' starts.
  await nap(20);
  const stamp = new BigInt64Array(new SharedArrayBuffer(8));
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const startedAt = process.hrtime.bigint();
  const thread = new Thread({ target, args: [stamp, flag] });
  thread.start();
  await flagged(flag);
  if (!(await thread.join(30_000))) throw new Error('failed to join the thread in 30 s');
  if (thread.exception !== undefined) throw thread.exception;
  return Number(stamp[0] - startedAt) / 1e6;
}

setStandbyThreads(1);
// One start first, not counted: the main side's own code runs for the first time.
await startOnce();
const values = [];
for (let i = 0; i < count; i++) values.push(await startOnce());
console.log(JSON.stringify(values));
