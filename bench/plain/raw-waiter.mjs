// The reference waiter of the stop-notice figure: a raw worker started by
// bench/sections/stop-notice.ts that parks in Atomics.wait, sample after
// sample, and stamps the moment it wakes.
import { workerData } from 'node:worker_threads';
import { kDone, kFlag, kParked } from './slots.mjs';

const { ctl, wokeAt, count } = workerData;
for (let i = 0; i < count; i++) {
  Atomics.store(ctl, kParked, i + 1);
  Atomics.notify(ctl, kParked);
  while (Atomics.load(ctl, kFlag) === 0) Atomics.wait(ctl, kFlag, 0);
  wokeAt[i] = process.hrtime.bigint();
  // Reset before saying "done": the waker does not set again until we park.
  Atomics.store(ctl, kFlag, 0);
  Atomics.store(ctl, kDone, i + 1);
  Atomics.notify(ctl, kDone);
}
