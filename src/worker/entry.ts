/**
 * The file every skein worker starts from. Never imported by main-side code.
 */
import { ownEntryUrl, workerData } from '../host.js';
import { setWorkerEntry } from '../thread/entry-url.js';
import { isWorkerBoot } from '../thread/protocol.js';
import { runWorker } from './boot.js';
import { installSynchronousStdio } from './stdio.js';

installSynchronousStdio();
// A thread may start threads and pools of its own: their workers start here too.
setWorkerEntry(new URL(ownEntryUrl ?? import.meta.url));

const boot = (workerData as { skein?: unknown } | null)?.skein;
if (!isWorkerBoot(boot)) {
  throw new Error('the skein worker entry was started without a skein boot record; only skein starts it');
}
// Not awaited at the top level: a module that awaits at its top level is in
// asynchronous evaluation for as long as it waits (here, the worker's whole
// life), and V8 can fail a check and abort the whole process when a worker
// ends during such an evaluation (nodejs/node#53238, #62114). A rejection is
// still uncaught in this worker, as when it was awaited: it dies of it.
void runWorker(boot);
