/**
 * The file every skein worker starts from. Never imported by main-side code.
 */
import { workerData } from 'node:worker_threads';
import type { PoolBoot } from '../executor/protocol.js';
import type { StandbyBoot } from '../thread/hub.js';
import type { WorkerBoot } from '../thread/protocol.js';
import { installSynchronousStdio } from './stdio.js';

installSynchronousStdio();

const boot = (workerData as { skein?: WorkerBoot | PoolBoot | StandbyBoot } | null)?.skein;
if (boot?.kind === 'thread') {
  const { runThreadFrom } = await import('./runtime.js');
  await runThreadFrom(boot);
} else if (boot?.kind === 'standby') {
  const { runStandby } = await import('./standby.js');
  await runStandby(boot);
} else if (boot?.kind === 'pool') {
  const { runPool } = await import('./pool-runtime.js');
  await runPool(boot);
} else {
  throw new Error('the skein worker entry was started without a skein boot record; only skein starts it');
}
