/**
 * Messages between a ThreadPoolExecutor and its workers.
 *
 * Tasks go out in batches — one message carries every task dispatched to a
 * worker in one turn — and each result comes back in a message of its own,
 * posted before the worker starts its next task: a result, once computed,
 * is never lost with its worker, even if the worker is terminated during
 * the next task.
 */
import type { MessagePort } from 'node:worker_threads';
import type { TargetDescriptor } from '../thread/protocol.js';

// The worker's mailbox: shared Int32 slots.
/** Bumped (and notified) by the pool after it posts a batch: the idle worker waits on it. */
export const kWork = 0;
/**
 * The id of the task the worker is running now, 0 between tasks, or
 * {@link kDoomed} once the pool has claimed the running task for a forced
 * stop.
 */
export const kRunning = 1;
/**
 * Written into {@link kRunning} by the pool, with a compare-and-swap from the
 * task's id, just before it terminates the worker for a forced stop: a
 * worker that finds it there when its task ends starts no other task, so
 * the termination can only ever hit the task it was meant for.
 */
export const kDoomed = -1;
/** 1 while the worker is parked in Atomics.wait: only then does the pool pay for a notify. */
export const kParked = 2;
/**
 * 1 while the pool is waiting synchronously for lone tasks' results (see
 * ThreadPoolExecutor's #awaitBriefly): the next task comes within
 * microseconds of each result, so the idle worker spins instead of parking.
 */
export const kEager = 3;
/** Bytes of a mailbox. */
export const kMailboxSize = 16;

/** workerData of a pool worker. */
export interface PoolBoot {
  kind: 'pool';
  name: string;
  /** The worker's own control block (its identity as a thread). */
  control: SharedArrayBuffer;
  globals: SharedArrayBuffer;
  mailbox: SharedArrayBuffer;
  port: MessagePort;
  loaderHints: string[];
  /** Run once in each worker before its first task. */
  initializer: TargetDescriptor | undefined;
  initargs: unknown[];
  initHasEvents: boolean;
}

/**
 * How a batch lays out each task: {@link kTaskStride} consecutive slots of
 * one flat array — id, function (its descriptor the first time this worker
 * sees it, then just its number), stop slot, arguments, whether they hold
 * Events. Flat, because cloning one array is cheaper than one per task.
 */
export const kTaskStride = 5;

/** The function slot of a task: its number, or [number, descriptor] the first time. */
export type TaskFunctionRef = number | [number, TargetDescriptor];

/** Pool → worker. */
export type PoolCommand =
  | { type: 'run'; tasks: unknown[] }
  /** A new slab of per-task stop Events, before any task that uses it. */
  | { type: 'slab'; index: number; buffer: SharedArrayBuffer }
  /** Finish the queued tasks, then exit. */
  | { type: 'close' };

/** Task status in a result. */
export const TaskStatus = { ok: 0, error: 1, stopped: 2 } as const;

/** Worker → pool. */
export type PoolReport =
  /**
   * One task's outcome. `slot` tells this copy of the task from an earlier
   * one the pool took back from this worker (which has another slot).
   */
  | { type: 'done'; id: number; slot: number; status: number; value: unknown; hasEvents: boolean }
  /** The initializer failed: the pool is broken. */
  | { type: 'broken'; error: import('../thread/error-codec.js').SerializedError };
