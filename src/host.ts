/**
 * What the host runtime tells about the calling thread, on Node (and Bun
 * and Deno, through their Node compatibility): its id and whether it is
 * the main thread, from `node:worker_threads`; and how to recognise an
 * error from another realm. The browser build uses src/host.browser.ts
 * instead, which exports the same names (see src/platform.ts).
 */
import { types } from 'node:util';
import { isMainThread, threadId } from 'node:worker_threads';

export { isMainThread, threadId };

/** Whether `value` is an error object made by any realm (`instanceof Error` sees only this one's). */
export const isNativeError: (value: unknown) => value is Error = types.isNativeError;
