// A worker of the raw worker_threads pool in bench/lib/raw-pool.ts: answers
// each [id, x] with [id, x + 1].
import { parentPort } from 'node:worker_threads';
import inc from './tasks.mjs';

parentPort.on('message', ([id, x]) => parentPort.postMessage([id, inc(x)]));
