/**
 * The file every skein worker starts from. Never imported by main-side code.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { PoolBoot } from '../executor/protocol.js';
import type { ThreadJob, WorkerBoot } from '../thread/protocol.js';
import { installSynchronousStdio } from './stdio.js';

installSynchronousStdio();

const boot = (workerData as { skein?: WorkerBoot | PoolBoot } | null)?.skein;
if (boot?.kind === 'thread') {
  // The owner posted the job into the port before this worker was created.
  const job = receiveMessageOnPort(boot.port)?.message as ThreadJob | undefined;
  if (job === undefined) throw new Error('skein thread worker started without a job');
  const { runThread } = await import('./runtime.js');
  await runThread({ ...boot, ...job });
} else if (boot?.kind === 'pool') {
  const { runPool } = await import('./pool-runtime.js');
  await runPool(boot);
} else {
  throw new Error('the skein worker entry was started without a skein boot record; only skein starts it');
}
