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
scope[Symbol.for('skein.workerStart')] = await new Promise<unknown>((resolve) => {
  scope.addEventListener('message', (event) => resolve(event.data), { once: true });
});
await import('./entry.js');
