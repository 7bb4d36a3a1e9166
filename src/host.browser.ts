/**
 * src/host.ts for browsers: the same names, from a page's or a Web
 * Worker's globals.
 */

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
