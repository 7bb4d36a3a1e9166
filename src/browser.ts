/**
 * skein in a browser — the package's `browser` export: the shared-memory
 * primitives, shared between a page and the module Web Workers it makes
 * (post one to a worker inside a value encoded with {@link encodeMessage},
 * and revive it there with {@link decodeMessage}); and threads and pools on
 * module Web Workers that skein starts from its own worker entry
 * (`worker/entry.js`, beside this file).
 *
 * The page must be cross-origin isolated (COOP `same-origin`, COEP
 * `require-corp` or `credentialless`): without it the first call that
 * needs shared memory throws a NotSupportedError naming the headers. The
 * page's main thread may not block: there, each blocking form (`wait()`,
 * `acquire()`, `get()`, `joinSync()`…) throws a NotSupportedError naming
 * its `Async` form. Queue items must be plain data of at most 64 KiB each
 * there. What only Node can do (`resourceLimits`, `stopOnSignals()`,
 * standby threads) throws a NotSupportedError that says so.
 *
 * @packageDocumentation
 */
import { setWorkerEntry } from './thread/hub.js';

export * from './api.js';

// Workers start from the worker entry beside this file (see scripts/build.ts).
setWorkerEntry(new URL('./worker/entry.js', import.meta.url));
