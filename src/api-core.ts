/**
 * The exports that work on every platform skein runs on, browsers
 * included: the shared-memory primitives, sleeping, the errors they raise,
 * and the message encoding that shares primitives over any channel. Both
 * the package's API (src/api.ts) and its browser build (src/browser.ts)
 * export all of it.
 *
 * @module
 */
export { Event, type EventMemory } from './sync/event.js';
export { Lock, type LockMemory } from './sync/lock.js';
export { RLock, type RLockMemory } from './sync/rlock.js';
export { Semaphore, BoundedSemaphore, type SemaphoreMemory } from './sync/semaphore.js';
export { Queue, LifoQueue, PriorityQueue, SimpleQueue } from './sync/queue.js';
export type { PriorityKey } from './sync/priority.js';
export { Condition, type ConditionMemory } from './sync/condition.js';
export { Barrier, type BarrierMemory, type BarrierOptions } from './sync/barrier.js';
export { sleep, sleepSync } from './sync/sleep.js';
export {
  RuntimeError,
  StopError,
  CancelledError,
  TimeoutError,
  InvalidStateError,
  NotSupportedError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  BrokenBarrierError,
} from './errors.js';
export { encodeMessage, decodeMessage, isSkeinMessage, type SkeinMessage } from './thread/messages.js';
