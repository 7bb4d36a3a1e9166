/**
 * What the host runtime gives skein's threads, on Node (and Bun and Deno,
 * through their Node compatibility): the calling thread's id and whether it
 * is the main thread, its parent's port and the data it was started with,
 * message ports and reading one synchronously, the error stream, and how
 * to recognise an error from another realm (the number of cores is in
 * src/cores.ts, which a thread's worker does without). The
 * browser build uses src/host.browser.ts instead, which exports the same
 * names (see src/platform.ts).
 */
// `node:util/types`, not `node:util`: importing `node:util` as an ES module
// loads three more of Node's modules (its parseArgs, its MIME types) into
// every worker.
import { isNativeError as nativeErrorCheck } from 'node:util/types';
import type { MessagePort } from 'node:worker_threads';

export {
  isMainThread,
  MessageChannel,
  MessagePort,
  parentPort,
  receiveMessageOnPort,
  threadId,
  workerData,
} from 'node:worker_threads';

/** Whether `value` is an error object made by any realm (`instanceof Error` sees only this one's). */
export const isNativeError: (value: unknown) => value is Error = nativeErrorCheck;

/** Call `callback` once this turn of the event loop is over (`setImmediate`). */
export function afterThisTurn(callback: () => void): void {
  setImmediate(callback);
}

/** Write `text` to the error stream (stderr), as it is. */
export function writeError(text: string): void {
  process.stderr.write(text);
}

/**
 * Keep the messages that arrive in `port` for {@link receiveMessageOnPort}.
 * Nothing to do on Node, which reads a port synchronously.
 */
export function watchPort(_port: MessagePort): void {}

/**
 * A promise that resolves once a message is waiting in `port` (watched with
 * {@link watchPort}), or undefined if one is already — always, on Node,
 * where a message posted before is there to read at once.
 */
export function messageArrival(_port: MessagePort): Promise<void> | undefined {
  return undefined;
}

/** The URL of the worker entry this worker was started from, where the runtime says (browsers); else undefined. */
export const ownEntryUrl: string | undefined = undefined;
