/**
 * What a skein worker asks of its host runtime, on Node (and Bun and
 * Deno): to exit, to hear of an uncaught error or a `process.exit()` in the
 * job it runs, and the context that tells what scheduled the code running
 * now. The browser build uses src/worker/process.browser.ts instead.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** A value carried by everything the code running now schedules (a timer, a promise reaction), read back later. */
export interface ScheduleContext<T> {
  /** Carry `value` from now on, in this turn and what it schedules. */
  enterWith(value: T): void;
  /** The value carried by the code running now, if any. */
  getStore(): T | undefined;
}

/** A new {@link ScheduleContext}: Node's AsyncLocalStorage. */
export function newScheduleContext<T>(): ScheduleContext<T> {
  return new AsyncLocalStorage<T>();
}

/** End this worker now, with exit code `code`: nothing scheduled runs after it. */
export function exitWorker(code: number): void {
  process.exit(code);
}

/** Call `handler` with each error nothing caught: a throw from a callback, a rejection nobody handled. */
export function onUncaughtError(handler: (error: unknown) => void): void {
  process.on('uncaughtException', handler);
  process.on('unhandledRejection', handler);
}

/** Call `handler` with the exit code when code in this worker calls `process.exit()`. */
export function onWorkerExit(handler: (code: number) => void): void {
  process.on('exit', (code) => handler(code ?? 0));
}
