// An idle raw Worker for the memory figure (started by memory-probe.mjs):
// says it runs, then parks in Atomics.wait until released — as an idle skein
// thread parked in event.wait() does.
import { workerData } from 'node:worker_threads';

const { gate } = workerData;
Atomics.add(gate, 1, 1);
Atomics.notify(gate, 1);
while (Atomics.load(gate, 0) === 0) Atomics.wait(gate, 0, 0);
