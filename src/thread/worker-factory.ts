/**
 * What makes a skein worker on a page: a function in the browser build's
 * package index (src/browser.ts) that calls
 * `new Worker(new URL('./worker/entry.js', import.meta.url), { type: 'module' })`
 * literally — the one form a bundler (Vite, webpack 5, Parcel) recognises
 * as a worker, so that it bundles skein's worker entry with the app — and
 * src/thread/exec-argv.browser.ts uses to make every worker of that realm.
 * Unset on Node, and in a skein worker of a bundled app, which starts its
 * own workers (a pool in a thread) from its own entry's URL.
 */

let factory: (() => unknown) | undefined;

/**
 * @internal Make every skein worker of this realm with `make`, a function
 * that returns a new module Web Worker started from skein's worker entry.
 * The first call wins: the package index makes it once, as it loads.
 */
export function setWorkerFactory(make: () => unknown): void {
  factory ??= make;
}

/** @internal The factory set by {@link setWorkerFactory}; undefined if none was. */
export function workerFactory(): (() => unknown) | undefined {
  return factory;
}
