/**
 * src/worker/entry.ts for browsers: the module every skein Web Worker
 * starts from (dist/browser/worker/entry.js). A Web Worker gets its start
 * data in its first message, not at creation: it is kept where
 * src/host.browser.ts finds it, before any of skein is loaded — so the
 * runtime is imported only then. Its creator's side is in
 * src/thread/exec-argv.browser.ts.
 */
const scope = globalThis as unknown as {
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void, options: { once: true }): void;
  [key: symbol]: unknown;
};
const start = await new Promise<{ workerData: unknown }>((resolve) => {
  scope.addEventListener('message', (event) => resolve(event.data as { workerData: unknown }), { once: true });
});
// This module's own URL is the worker's entry, which the workers it starts
// (a pool in a thread) start from: under a bundler, the file the bundler
// made of it, wherever that went (the runtime, imported below, may be a
// chunk elsewhere).
scope[Symbol.for('skein.workerStart')] = { workerData: start.workerData, entry: import.meta.url };
await import('./entry.js');
