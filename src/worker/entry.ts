/**
 * The file every skein worker starts from. Never imported by main-side code.
 */
import { ownEntryUrl, workerData } from '../host.js';
import { adoptRelayPort, type RelayBoot } from '../relay/relay.js';
import { setWorkerEntry } from '../thread/hub.js';
import { isWorkerBoot } from '../thread/protocol.js';
import { runWorker } from './boot.js';
import { installSynchronousStdio } from './stdio.js';

installSynchronousStdio();
adoptRelayPort((workerData as { relay?: RelayBoot } | null)?.relay);
// A thread may start threads and pools of its own: their workers start here too.
setWorkerEntry(new URL(ownEntryUrl ?? import.meta.url));

const boot = (workerData as { skein?: unknown } | null)?.skein;
if (!isWorkerBoot(boot)) {
  throw new Error('the skein worker entry was started without a skein boot record; only skein starts it');
}
await runWorker(boot);
