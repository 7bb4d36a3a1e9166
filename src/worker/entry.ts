/**
 * The file every skein worker starts from (`new Worker(entry)` in the hub).
 * Never imported by main-side code.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { ThreadJob, WorkerBoot } from '../thread/protocol.js';
import { runThread } from './runtime.js';
import { installSynchronousStdio } from './stdio.js';

installSynchronousStdio();

const boot = (workerData as { skein?: WorkerBoot } | null)?.skein;
// The owner posted the job into the port before this worker was created.
const job = boot?.kind === 'thread' ? (receiveMessageOnPort(boot.port)?.message as ThreadJob | undefined) : undefined;
if (boot === undefined || job === undefined) {
  throw new Error('skein worker entry started without a thread to run; it is started only by skein');
}
await runThread({ ...boot, ...job });
