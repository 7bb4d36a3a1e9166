/**
 * The file every skein worker starts from. Never imported by main-side code.
 */
import { workerData } from 'node:worker_threads';
import type { PoolBoot } from '../executor/protocol.js';
import type { StandbyBoot } from '../thread/hub.js';
import type { WorkerBoot } from '../thread/protocol.js';
import { adoptRelayPort, type RelayBoot } from '../relay/relay.js';
import { setWorkerEntry } from '../thread/hub.js';
import { runPool } from './pool-runtime.js';
import { runThreadFrom } from './runtime.js';
import { runStandby } from './standby.js';
import { installSynchronousStdio } from './stdio.js';

installSynchronousStdio();
adoptRelayPort((workerData as { relay?: RelayBoot } | null)?.relay);
// A thread may start threads and pools of its own: their workers start here too.
setWorkerEntry(new URL(import.meta.url));

const boot = (workerData as { skein?: WorkerBoot | PoolBoot | StandbyBoot } | null)?.skein;
if (boot?.kind === 'thread') await runThreadFrom(boot);
else if (boot?.kind === 'standby') await runStandby(boot);
else if (boot?.kind === 'pool') await runPool(boot);
else throw new Error('the skein worker entry was started without a skein boot record; only skein starts it');
