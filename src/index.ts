/**
 * skein — threads for TypeScript that stop when you ask.
 *
 * Python's `threading` and `concurrent.futures` on Node.js worker threads,
 * built around a shared-memory {@link Event} that a thread sees even while
 * it is busy in synchronous code.
 *
 * @packageDocumentation
 */
import { setWorkerEntry } from './thread/entry-url.js';

export * from './api.js';

// Workers start from the worker entry beside this file (see scripts/build.ts).
// This must run in this file, so nothing inside skein imports it.
setWorkerEntry(new URL('./worker/entry.js', import.meta.url));
