// The raw Worker of the start figure (bench/sections/start.ts): its first
// statement stamps the time the worker began running code.
import { workerData } from 'node:worker_threads';

workerData.stamp[0] = process.hrtime.bigint();
Atomics.store(workerData.flag, 0, 1);
Atomics.notify(workerData.flag, 0);
