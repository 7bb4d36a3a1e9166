/**
 * Every public export of skein, in one module: the package index re-exports
 * it, and the worker compiles inline targets with it in scope. (Internal
 * modules import this, never the index, so that the index's own code stays
 * in its own file — see src/index.ts.)
 *
 * @module
 */
export * from './api-core.js';
export { Thread, type ThreadOptions, type ThreadSettings } from './thread/thread.js';
export { currentThread, mainThread, enumerate, activeCount, MainThread, DummyThread } from './thread/current.js';
export {
  moduleTargets,
  type ModuleTarget,
  type TypedModuleTarget,
  type UntypedModuleTarget,
  type ModuleTargets,
  type TypedModuleTargets,
  type ThreadArgs,
  type OptionalArgs,
  type RequiredArgs,
} from './thread/target.js';
export { setStandbyThreads } from './thread/hub.js';
export { setExcepthook, getExcepthook, type ExceptHook, type ExceptHookArgs } from './thread/excepthook.js';
export { stopEvent, stopSignal, throwIfStopped } from './thread/stop.js';
export { Timer } from './thread/timer.js';
export { move, type Movable } from './thread/move.js';
export { stopOnSignals, type StopOnSignalsOptions } from './thread/stop-on-signals.js';
export {
  registerStoppable,
  unregisterStoppable,
  liveStoppables,
  type Stoppable,
  type StopOptions,
  type StopOutcome,
} from './thread/stoppables.js';
export { ThreadExitError, BrokenThreadPool } from './errors.js';
export { registerErrorClass, type ErrorClass } from './thread/error-codec.js';
export { Future, type FutureState, type DoneCallback } from './executor/future.js';
export {
  ThreadPoolExecutor,
  type ThreadPoolExecutorOptions,
  type ShutdownOptions,
  type PoolStatistics,
} from './executor/thread-pool-executor.js';
export type { Percentiles } from './executor/histogram.js';
export type { MapOptions } from './executor/map.js';
export { TaskGroup } from './executor/task-group.js';
export {
  wait,
  asCompleted,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  ALL_COMPLETED,
  type ReturnWhen,
  type WaitOptions,
  type DoneAndNotDone,
  type CompletedFuture,
  type CompletedFutureOf,
} from './executor/wait.js';
