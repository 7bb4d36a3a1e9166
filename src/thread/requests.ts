/**
 * What a skein worker may ask of the hub — start a thread on its behalf,
 * force-stop one it started, start the relay — arrives on the worker's
 * parentPort. The hub (the main thread, or a worker skein did not create)
 * serves it; a skein worker whose own workers ask (a pool created inside a
 * thread) passes the request on to its parent, so that it reaches the main
 * thread.
 */
import type { Worker } from 'node:worker_threads';
import { isMainThread, parentPort } from '../host.js';
import { isRelayStartRequest, startRelay } from '../relay/relay.js';
import { terminateLaunched } from './hub.js';
import { isSpawnRequest, isTerminateRequest } from './protocol.js';
import { isHub } from './realm.js';
import { serveSpawnRequest } from './spawn-server.js';

/**
 * Serve, or pass on, the requests of `worker`. `attribution.ident` is the
 * thread it runs: a forced stop is honoured only for a thread it started.
 * Anything that is not a well-formed request is ignored: code in a thread
 * can post anything on its parentPort.
 */
export function serveRequests(worker: Worker, attribution: { readonly ident: number }): void {
  worker.on('message', (message: unknown) => {
    if (isSpawnRequest(message)) {
      if (isHub) serveSpawnRequest(message, attribution.ident);
      else parentPort?.postMessage(message, [message.handover.port]);
    } else if (isTerminateRequest(message)) {
      if (isHub) terminateLaunched(message.ident, attribution.ident);
      else parentPort?.postMessage(message);
    } else if (isRelayStartRequest(message)) {
      // The relay lives on the main thread's side, whoever asks first.
      if (isMainThread) startRelay();
      else parentPort?.postMessage(message);
    }
  });
}
