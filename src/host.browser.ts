/**
 * src/host.ts for browsers: the same names, from a page's or a Web
 * Worker's globals. A skein worker gets its start data in its first message
 * (src/worker/entry.browser.ts keeps it before any of skein loads); a port
 * cannot be read synchronously in a browser, so a watched port keeps what
 * arrives for {@link receiveMessageOnPort}, and {@link messageArrival} says
 * when something did.
 */

import type * as workerThreads from 'node:worker_threads';

/** Whether this is the page's own thread (its window), not a Web Worker. */
export const isMainThread: boolean =
  typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'undefined';

/**
 * This thread's id: 0 on the page; in a worker, a random id in
 * [1, 2^30), since a browser numbers no threads and a worker that skein
 * did not start has nobody to ask. (RLock stores it as its owner: two of a
 * page's workers draw the same id with a chance of about n²/2^31 for n
 * workers, one in 20 million for 10.)
 */
export const threadId: number = isMainThread ? 0 : 1 + (crypto.getRandomValues(new Uint32Array(1))[0]! % (2 ** 30 - 1));

/** Whether `value` is an error object made by any realm (`instanceof Error` sees only this one's). */
export function isNativeError(value: unknown): value is Error {
  const isError = (Error as { isError?: (value: unknown) => boolean }).isError;
  return isError !== undefined ? isError(value) : Object.prototype.toString.call(value) === '[object Error]';
}

/** What a skein worker was started with (see src/worker/entry.browser.ts). */
interface StartData {
  workerData: unknown;
  entry: string;
}

const started = (globalThis as { [key: symbol]: StartData | undefined })[Symbol.for('skein.workerStart')];

/** The data this worker was started with: a skein worker's boot record; null elsewhere. */
export const workerData: typeof workerThreads.workerData = started?.workerData ?? null;

/** The URL of the worker entry this skein worker was started from; undefined elsewhere. */
export const ownEntryUrl: string | undefined = started?.entry;

/** The port to the thread that started this skein worker (its page, or the worker that made it); null elsewhere. */
export const parentPort: typeof workerThreads.parentPort =
  started === undefined
    ? null
    : ({
        postMessage(message: unknown, transfer: readonly unknown[] = []) {
          (globalThis as unknown as { postMessage(m: unknown, t: readonly unknown[]): void }).postMessage(
            message,
            transfer,
          );
        },
      } as unknown as workerThreads.MessagePort);

/** The web's MessageChannel (Node's class is the same one). */
export const MessageChannel: typeof workerThreads.MessageChannel = (
  globalThis as unknown as { MessageChannel: typeof workerThreads.MessageChannel }
).MessageChannel;
/** The web's MessagePort. */
export const MessagePort: typeof workerThreads.MessagePort = (
  globalThis as unknown as { MessagePort: typeof workerThreads.MessagePort }
).MessagePort;

/** Call `callback` once this turn of the event loop is over (a browser has no `setImmediate`: a 0 ms timer). */
export function afterThisTurn(callback: () => void): void {
  setTimeout(callback, 0);
}

/** Write `text` to the error stream: the console's, in a browser (without the last line's newline). */
export function writeError(text: string): void {
  console.error(text.endsWith('\n') ? text.slice(0, -1) : text);
}

/** What a watched port has received and not yet been read, and who waits for more. */
interface Inbox {
  messages: unknown[];
  waiters: (() => void)[];
}

const inboxes = new WeakMap<object, Inbox>();

/** Keep the messages that arrive in `port` for {@link receiveMessageOnPort} (a port is watched once). */
export function watchPort(port: workerThreads.MessagePort): void {
  if (inboxes.has(port)) return;
  const inbox: Inbox = { messages: [], waiters: [] };
  inboxes.set(port, inbox);
  (port as unknown as EventTarget).addEventListener('message', (event) => {
    inbox.messages.push((event as MessageEvent).data);
    for (const wake of inbox.waiters.splice(0)) wake();
  });
  port.start();
}

/**
 * The oldest message a watched port has received and not given yet, as
 * `{ message }`; undefined if there is none yet (or the port is not
 * watched): one still on its way arrives only once this thread's event
 * loop runs (see {@link messageArrival}).
 */
export function receiveMessageOnPort(
  port: workerThreads.MessagePort,
): ReturnType<typeof workerThreads.receiveMessageOnPort> {
  const inbox = inboxes.get(port);
  if (inbox === undefined || inbox.messages.length === 0) return undefined;
  return { message: inbox.messages.shift() };
}

/**
 * Undefined if a message is waiting in the watched `port`; else a promise
 * that resolves when one arrives (the port is watched from now on).
 */
export function messageArrival(port: workerThreads.MessagePort): Promise<void> | undefined {
  watchPort(port);
  const inbox = inboxes.get(port)!;
  if (inbox.messages.length > 0) return undefined;
  return new Promise((resolve) => inbox.waiters.push(resolve));
}
