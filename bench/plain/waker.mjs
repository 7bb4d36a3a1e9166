// The waker of the stop-notice figure: a raw worker started by
// bench/sections/stop-notice.ts. For each sample it waits until the waiter
// has parked, lets it settle into its futex wait, stamps the time and wakes
// it — with a raw Atomics.notify, or with skein's Event.set() — so both
// waiters are woken by the same thread in the same way.
import { parentPort } from 'node:worker_threads';
import { Event } from 'skein';
import { blockUntil, kDone, kFlag, kParked } from './slots.mjs';

const nap = new Int32Array(new SharedArrayBuffer(4));

parentPort.on('message', ({ ctl, setAt, from, count, event }) => {
  const skeinEvent = event === undefined ? undefined : Event.fromBuffer(event.buffer, event.byteOffset);
  for (let i = from; i < from + count; i++) {
    blockUntil(ctl, kParked, i + 1, `see the waiter park for sample ${i}`);
    // 1 ms is ample for the waiter to get from its store into the futex wait.
    Atomics.wait(nap, 0, 0, 1);
    setAt[i] = process.hrtime.bigint();
    if (skeinEvent !== undefined) {
      skeinEvent.set();
    } else {
      Atomics.store(ctl, kFlag, 1);
      Atomics.notify(ctl, kFlag);
    }
    blockUntil(ctl, kDone, i + 1, `see the waiter wake for sample ${i}`);
  }
  parentPort.postMessage('done');
});
