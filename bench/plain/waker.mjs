// The waker of the stop-notice and queue hand-off figures: a raw worker
// started by bench/sections/stop-notice.ts and queue.ts. It wakes two
// waiters in turn, sample by sample (the order rotating), so that both see
// the same machine: for each sample it waits until the waiter has parked,
// lets it settle into its futex wait, stamps the time and wakes it — with a
// raw Atomics.notify, skein's Event.set(), or a put into the skein Queue the
// waiter is parked on — then waits until the waiter has stamped its wake-up.
import { parentPort } from 'node:worker_threads';
import { Event, Queue } from 'skein';
import { blockUntil, kDone, kFlag, kParked } from './slots.mjs';

const nap = new Int32Array(new SharedArrayBuffer(4));

function wake({ ctl, setAt, event, queue }, i) {
  blockUntil(ctl, kParked, i + 1, `see the waiter park for sample ${i}`);
  // 1 ms is ample for the waiter to get from its store into the futex wait.
  Atomics.wait(nap, 0, 0, 1);
  setAt[i] = process.hrtime.bigint();
  if (event !== undefined) {
    event.set();
  } else if (queue !== undefined) {
    queue.put(i);
  } else {
    Atomics.store(ctl, kFlag, 1);
    Atomics.notify(ctl, kFlag);
  }
  blockUntil(ctl, kDone, i + 1, `see the waiter wake for sample ${i}`);
}

parentPort.on('message', ({ sides, from, count, warm }) => {
  if (warm !== undefined) {
    // Put the items a queue waiter gets before it is measured: both sides compiled.
    const queue = Queue.fromBuffer(warm.buffer, warm.byteOffset);
    for (let i = 0; i < warm.count; i++) queue.put(i);
    parentPort.postMessage('warm');
    return;
  }
  const waiters = sides.map((side) => ({
    ...side,
    event: side.event === undefined ? undefined : Event.fromBuffer(side.event.buffer, side.event.byteOffset),
    queue: side.queue === undefined ? undefined : Queue.fromBuffer(side.queue.buffer, side.queue.byteOffset),
  }));
  for (let i = from; i < from + count; i++) {
    for (let k = 0; k < waiters.length; k++) wake(waiters[(i + k) % waiters.length], i);
  }
  parentPort.postMessage('done');
});
