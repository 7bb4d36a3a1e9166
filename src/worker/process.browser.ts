/**
 * src/worker/process.ts for browsers, in a module Web Worker: the worker
 * tells the page it ends (a Web Worker that closes itself is not seen to
 * end from outside), uncaught errors come as the worker's `error` and
 * `unhandledrejection` events, and there is no `process.exit()` to hear of.
 */
import type { ScheduleContext } from './process.js';

export type { ScheduleContext };

interface WorkerScope {
  postMessage(message: unknown): void;
  close(): void;
  addEventListener(type: string, listener: (event: Event & Record<string, unknown>) => void): void;
}

const scope = globalThis as unknown as WorkerScope;

/**
 * A browser has no way to tell which job scheduled the code running now:
 * this context carries nothing, so an error thrown later by what a finished
 * pool task left behind is taken as the error of the task running then.
 */
export function newScheduleContext<T>(): ScheduleContext<T> {
  return { enterWith() {}, getStore: () => undefined };
}

/**
 * End this worker: say so to its creator (src/thread/exec-argv.browser.ts
 * reports it as the worker's exit), then close it — the browser runs nothing
 * it had scheduled once the task running now returns.
 */
export function exitWorker(code: number): void {
  scope.postMessage({ type: 'skein:exit', code });
  scope.close();
}

/** Call `handler` with each error nothing caught; the browser does not report it again. */
export function onUncaughtError(handler: (error: unknown) => void): void {
  scope.addEventListener('error', (event) => {
    event.preventDefault();
    handler(event.error ?? new Error(String(event.message)));
  });
  scope.addEventListener('unhandledrejection', (event) => {
    event.preventDefault();
    handler(event.reason);
  });
}

/** No `process.exit()` in a browser: nothing to hear. */
export function onWorkerExit(_handler: (code: number) => void): void {}
