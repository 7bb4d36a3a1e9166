/**
 * skein in a browser — the package's `browser` export: the shared-memory
 * primitives, shared between a page and the module Web Workers it makes
 * (post one to a worker inside a value encoded with {@link encodeMessage},
 * and revive it there with {@link decodeMessage}); and threads and pools on
 * module Web Workers that skein starts from its own worker entry
 * (`worker/entry.js`, beside this file), written so that a bundler (Vite,
 * webpack 5, Parcel) bundles that entry with the app as it does an app's
 * own worker.
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
import { setWorkerEntry } from './thread/entry-url.js';
import { setWorkerFactory } from './thread/worker-factory.js';

export * from './api.js';

/** The web's Worker, the one part of it needed here (skein is type-checked without the DOM's types). */
declare const Worker: new (url: URL, options: { type: 'module' }) => unknown;

// Workers start from the worker entry beside this file (see scripts/build.ts,
// which keeps this module's code in dist/browser/index.js, so that the
// relative URL holds). The call is written as bundlers recognise a worker:
// `new Worker(new URL(literal, import.meta.url), literal options)` — Vite
// refuses options that are not a static object — so that a bundled app
// gets the entry and its chunks bundled as a worker of its own.
setWorkerFactory(() => new Worker(new URL('./worker/entry.js', import.meta.url), { type: 'module' }));
// The hub wants the entry's URL as well; read through a variable so that a
// bundler does not take this second `new URL(…, import.meta.url)` for an
// asset and copy the entry alone, without its chunks. Under a bundler it
// points where the entry is not, and nothing uses it: the factory makes
// every worker of the page.
const here = import.meta.url;
setWorkerEntry(new URL('./worker/entry.js', here));
