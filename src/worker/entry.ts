/**
 * The file every skein worker starts from (`new Worker(entry)` in the hub).
 * Never imported by main-side code.
 */
import { workerData } from 'node:worker_threads';
import type { ThreadLaunch } from '../thread/protocol.js';
import { runThread } from './runtime.js';
import { installSynchronousStdio } from './stdio.js';

installSynchronousStdio();

const launch = (workerData as { skein?: ThreadLaunch } | null)?.skein;
if (launch?.kind !== 'thread') {
  throw new Error('skein worker entry started without a thread launch; it is started only by skein');
}
await runThread(launch);
