/**
 * skein — threads for TypeScript that stop when you ask.
 *
 * Python's `threading` and `concurrent.futures` on Node.js worker threads,
 * built around a shared-memory {@link Event} that a thread sees even while
 * it is busy in synchronous code.
 *
 * @packageDocumentation
 */
export { Event, type EventMemory } from './sync/event.js';
export { sleep, sleepSync } from './sync/sleep.js';
export {
  Thread,
  RuntimeError,
  currentThread,
  mainThread,
  enumerate,
  activeCount,
  type ThreadOptions,
} from './thread/thread.js';
export type { ModuleTarget } from './thread/target.js';
export { setExcepthook, getExcepthook, type ExceptHook, type ExceptHookArgs } from './thread/excepthook.js';
export { stopEvent, throwIfStopped } from './thread/stop.js';
export { NotSupportedError, StopError, ThreadExitError } from './errors.js';
