/**
 * Every message between skein's main side and its workers, in one place:
 * how a worker boots, the job it is given (a thread, or a place in a pool),
 * what it reports back, and what it asks of the hub. Each message a worker
 * can send has a validator: code running in a thread can post anything on
 * the ports it can reach, so nothing that arrives is believed before it is
 * checked.
 *
 * The life of every worker is the same: it boots with a {@link WorkerBoot},
 * parks on its wake word until its first message is in its port, and then
 * runs what that message says — one thread ({@link ThreadJob}, or a
 * {@link ThreadHandover} for a thread whose job was posted elsewhere), or
 * tasks of a pool until the pool closes it ({@link PoolAssignment}). A
 * standby worker is one booted before it has its first message; a fresh
 * worker is booted with it already there.
 */
import type { ResourceLimits } from 'node:worker_threads';
import { MessagePort } from '../host.js';
import { ControlBlock } from './control-block.js';
import { checkSerializedError, type SerializedError } from './error-codec.js';
import type { SourceOrigin } from './origin.js';

/** How the worker finds the function to run. */
export type TargetDescriptor =
  /**
   * A function shipped as source and compiled in the worker; `definedIn`
   * is the file its relative `import()` specifiers resolve against (the
   * module that made the thread or submitted the task), when it has one,
   * and `origin` the file and line it was written at, when known.
   */
  | {
      kind: 'inline';
      source: string;
      name: string;
      method: boolean;
      definedIn?: string | undefined;
      origin?: SourceOrigin;
    }
  /** An export of a module imported in the worker. */
  | { kind: 'module'; url: string; exportName: string };

/** How the worker finds a Thread subclass whose run() it calls. */
export type ClassDescriptor =
  /**
   * Shipped as the sources of its class chain, base-most first, down from
   * Thread or from `root`: the nearest ancestor that declares its module
   * (`Timer`, or a user's exported class), imported in the worker.
   */
  | {
      kind: 'inline';
      classes: InlineClass[];
      root?: { url: string; exportName: string };
      /** The file their relative `import()` specifiers resolve against, when they have one. */
      definedIn?: string | undefined;
    }
  /** Exported by a module (the class declares `static module = import.meta.url`). */
  | { kind: 'module'; url: string; exportName: string };

/** One class of an inline class chain. */
export interface InlineClass {
  source: string;
  name: string;
  /** The identifier after `extends` in its source, bound to the class before it. */
  base: string | undefined;
  /** Where it was written, when known. */
  origin?: SourceOrigin;
}

/**
 * What every skein worker is created with (its `workerData.skein`): small,
 * and always cloneable, so creating a worker never fails on a job's data.
 */
export interface WorkerBoot {
  /** The process-wide counters. */
  globals: SharedArrayBuffer;
  /** Where the main thread's TypeScript loader (tsx) was loaded from, if any. */
  loaderHints: string[];
  /** The control block of the thread this worker will be: its identity, unless a handover brings another. */
  control: SharedArrayBuffer;
  /** The worker's end of its port: its first message arrives here, and what it reports goes back. */
  port: MessagePort;
  /** One Int32, a {@link Wake} state: set to `woken` (and notified) once the first message is in `port`. */
  wake: SharedArrayBuffer;
  /** Whether to rehearse a start while parked (a standby worker: see src/worker/boot.ts). */
  rehearse: boolean;
  /**
   * Whether the hub takes the worker back after a thread that leaves it
   * clean (standby is on, on the main thread). If not, the worker takes no
   * snapshot of itself to compare with (~0.4 MiB of a worker's memory) and
   * exits with its thread.
   */
  reusable: boolean;
}

/**
 * What a worker rewrites each dynamic `import(` of an inline source written
 * in a known file to (src/worker/load-target.ts): a call naming that file
 * first, `__skeinImportFrom("file:///…", ` — `import` is syntax, not a name
 * a scope can bind. (src/thread/target.ts undoes it in a source sent on.)
 */
export const kImportFrom = '__skeinImportFrom';

/** The states of a worker's wake word. */
export const Wake = {
  /** The worker is booting (or running a job, before it is released). */
  booting: 0,
  /** Its first message is in its port: set by the owner, after posting it. */
  woken: 1,
  /** The worker is parked, ready for its first message: set by the worker, from `booting` only. */
  parked: 2,
} as const;

/** A thread to run, posted by its owner into the thread's port before the worker runs. */
export interface ThreadJob {
  type: 'thread';
  name: string;
  daemon: boolean;
  /** Where the main thread's TypeScript loader (tsx) was loaded from, if any. */
  loaderHints: string[];
  /** The control block of the thread that started this one, absent for the main thread. */
  ownerControl: SharedArrayBuffer | undefined;
  /** The target, absent for a Thread subclass that overrides run() without one. */
  target: TargetDescriptor | undefined;
  /** The Thread subclass, absent for a plain Thread. */
  subclass: ClassDescriptor | undefined;
  /** Encoded arguments (shared-memory primitives replaced by markers when hasEvents). */
  args: unknown[];
  /** Own fields of a Thread subclass instance, encoded the same way. */
  fields: Record<string, unknown> | undefined;
  hasEvents: boolean;
  /** The thread's `shareModules`: it may leave its worker, modules loaded, to a later `shareModules` thread. */
  shareModules: boolean;
}

/**
 * The first message of a worker that runs a thread started from another
 * worker: that worker made the thread's control block and port and posted
 * the {@link ThreadJob} into the port (so an argument that cannot be sent
 * failed there); the job is read from `port`, the outcome goes back on it.
 */
export interface ThreadHandover {
  type: 'handover';
  control: SharedArrayBuffer;
  port: MessagePort;
}

/**
 * The first message of a pool worker: which pool it serves, and how to
 * start. The pool's tasks are records of its task queue (a RecordQueue,
 * src/sync/record-queue.ts, shared by every worker of the pool), each the
 * record of a task (see {@link TaskHeader}); a worker takes the next one whenever it
 * is idle, so tasks start in submission order.
 */
export interface PoolAssignment {
  type: 'pool';
  name: string;
  /** The worker's number in the pool (≥ 1): what it claims a task's job slot with. */
  number: number;
  /** Run once in the worker before its first task. */
  initializer: TargetDescriptor | undefined;
  initargs: unknown[];
  initHasEvents: boolean;
  /** The worker's mailbox (see {@link Mailbox}). */
  mailbox: SharedArrayBuffer;
  /** The pool's task queue. */
  tasks: SharedArrayBuffer;
  /** This worker's results queue (see {@link ResultHeader}): the pool is its only reader. */
  results: SharedArrayBuffer;
  /** The task functions so far, by number; later ones come as {@link PoolCommand}s. */
  functions: TargetDescriptor[];
  /** The job-slot slabs so far; later ones come as {@link PoolCommand}s. */
  slabs: SharedArrayBuffer[];
  /** Tasks the worker runs before it exits, to be replaced (`maxTasksPerWorker`); `Infinity` for no limit. */
  maxTasks: number;
  /** Milliseconds the worker waits idle for a task before it exits (`idleTimeout`); `Infinity` for ever. */
  idleTimeout: number;
}

/**
 * A task's record in the pool's task queue: a header of raw numbers at
 * these byte offsets — id, function number, job slot, and a key (a random
 * number its outcome must carry, which code in another task cannot know:
 * it never leaves the pool, the queue and the worker's own closure, so no
 * task can report for another) — then its argument list in the wire format
 * (src/wire/), or a reference to it deposited with the relay. Raw numbers,
 * not a wire-encoded tuple: no array to build on the pool's thread, which
 * writes every task, or to read on the worker's.
 */
export const TaskHeader = {
  /** float64: the task's id (its future's). */
  id: 0,
  /** uint32: the task function's number. */
  fn: 8,
  /** uint32: the task's job slot. */
  slot: 12,
  /** uint32: the task's key. */
  key: 16,
  /** Bytes of the header; the argument list follows. */
  bytes: 20,
} as const;

/**
 * A task's outcome as a pool worker puts it into its results queue: a
 * header of raw numbers at these byte offsets, then the value in the wire
 * format — the fields of an {@link Outcome} without events, in shared
 * memory instead of a message: no message, and no wake-up of the pool's
 * event loop per outcome while outcomes stream in, and no object to build
 * per outcome on the pool's thread, which reads them all. An outcome the
 * wire format cannot hold, or longer than {@link kResultRecordBytes}, or
 * with the queue full, is posted as a message instead.
 */
export const ResultHeader = {
  /** float64: the task's id. */
  id: 0,
  /** float64: when it started, on the `sharedNow()` clock. */
  startedAt: 8,
  /** float64: how long it ran, in ms. */
  ranFor: 16,
  /** uint32: the task's key. */
  key: 24,
  /** uint32: the index of its status in {@link outcomeStatuses}. */
  status: 28,
  /** uint32: the task's job slot (where the pool finds the task). */
  slot: 32,
  /** Bytes of the header; the value follows. */
  bytes: 36,
} as const;

/** The longest result record, in bytes; a longer outcome goes as a message. */
export const kResultRecordBytes = 4096;
/**
 * How many bytes a results queue may grow to; past that, outcomes go as
 * messages. A burst of trivial tasks submitted at once has its outcomes
 * (~50 bytes each) pile up while the pool's thread is still submitting.
 */
export const kResultBytes = 16 * 1024 * 1024;

/**
 * The word of the task queue's owner words (src/sync/record-queue.ts
 * kOwnerWords) that counts the pool's idle workers: each adds 1 while it
 * waits for a task. The pool starts a worker only for tasks no idle worker
 * will take.
 */
export const kIdleWorkersWord = 0;

/**
 * The word of the task queue's owner words that counts the records the
 * workers have taken. The queue is first in, first out, so the record put
 * n-th has been taken once this exceeds n: only then may the job slot of a
 * task cancelled in the queue be reused (the worker that takes it claims
 * its slot).
 */
export const kTakenWord = 1;

/** The first message a worker finds in its port. */
export type FirstMessage = ThreadJob | ThreadHandover | PoolAssignment;

// A pool worker's mailbox: shared Int32 slots.
export const Mailbox = {
  /**
   * The id of the task the worker is running now, 0 between tasks,
   * {@link kDoomed} once the pool has claimed the running task for a forced
   * stop, or {@link kReporting} while the worker reports the task's outcome.
   */
  running: 0,
  /**
   * 1 while the pool waits synchronously for a lone task's result (see the
   * pool's brief wait): the next task comes within microseconds of each
   * result, so the idle worker spins on the task queue before it sleeps.
   */
  eager: 1,
  /** The id of the task whose outcome the worker is reporting (while `running` is {@link kReporting}). */
  reporting: 2,
  /** Bytes of a mailbox. */
  bytes: 12,
} as const;

/**
 * Written into {@link Mailbox.running} by the pool, with a compare-and-swap
 * from the task's id, just before it terminates the worker for a forced
 * stop: a worker that finds it there when its task ends starts no other
 * task, so the termination can only ever hit the task it was meant for.
 */
export const kDoomed = -1;

/**
 * Swapped into {@link Mailbox.running} for the task's id by the worker,
 * with a compare-and-swap, before it reports a task's outcome: the pool's
 * swap for a forced stop then fails, and no termination can land while the
 * worker holds its results queue's lock (which nobody could then free).
 * A swap that finds {@link kDoomed} instead means the termination is
 * coming: the worker reports nothing and waits for it.
 */
export const kReporting = -2;

/** Job slots in one of a pool's slabs: task slot `n` is slot `n % kSlotsPerSlab` of slab `⌊n / kSlotsPerSlab⌋`. */
export const kSlotsPerSlab = 1024;

/** Pool → pool worker, after the assignment: what its tasks need that came after it. */
export type PoolCommand =
  /** A task function, sent to every worker before the first task that uses it is queued. */
  | { type: 'function'; id: number; descriptor: TargetDescriptor }
  /** A new slab of job slots, sent to every worker before the first task that uses it is queued. */
  | { type: 'slab'; index: number; buffer: SharedArrayBuffer };

/** How a job ended, in an {@link Outcome}. */
export type OutcomeStatus = 'ok' | 'error' | 'stopped';

/** Every {@link OutcomeStatus}, in the order a result record numbers them (see {@link ResultHeader}). */
export const outcomeStatuses: readonly OutcomeStatus[] = ['ok', 'error', 'stopped'];

/**
 * How a job ended — a thread's last message to its owner, or a pool task's
 * report. `id` is the task's id (0 for a thread); `value` is the encoded
 * result for `ok`, the {@link SerializedError} for `error`.
 */
export interface Outcome {
  type: 'outcome';
  id: number;
  /** A pool task's key (see {@link TaskHeader}); 0 for a thread. */
  key: number;
  status: OutcomeStatus;
  value: unknown;
  hasEvents: boolean;
  /** A pool task's: when it started, on the `sharedNow()` clock, and how long it ran, in ms (for `pool.stats()`). */
  startedAt?: number;
  ranFor?: number;
  /** A pool task's job slot (see {@link TaskHeader}): where the pool finds the task. */
  slot?: number;
}

/** A pool worker's initializer failed: the pool is broken. */
export interface BrokenReport {
  type: 'broken';
  error: SerializedError;
}

/** Sent by a worker to the hub (over its parentPort) to start a thread on its behalf. */
export interface SpawnRequest {
  type: 'skein:spawn';
  handover: ThreadHandover;
  name: string;
  daemon: boolean;
  /** When the thread's stop request sets itself, on the `sharedNow()` clock; `Infinity` for never. */
  stopAt: number;
  resourceLimits: ResourceLimits | undefined;
  /** The thread's `shareModules`: its worker may serve a later `shareModules` thread. */
  shareModules: boolean;
}

/**
 * Sent by a worker to the hub (over its parentPort) to terminate a thread it
 * started — a forced `thread.stop()`. The hub honours it only from the
 * worker that asked for that thread.
 */
export interface TerminateRequest {
  type: 'skein:terminate';
  ident: number;
}

/**
 * Sent by a worker to the hub (over its parentPort) once its thread has
 * ended and the worker is as clean as a standby worker (see
 * src/worker/isolation.ts): it waits for another first message on the seat
 * it brings — its next control block, the owner's end of its next port, and
 * its next wake word.
 */
export interface ReleaseReport {
  type: 'skein:release';
  control: SharedArrayBuffer;
  port: MessagePort;
  wake: SharedArrayBuffer;
  /**
   * Whether a thread this worker ran may have left module state in it (it
   * imported a module, under `shareModules`): then it serves only a later
   * `shareModules` thread.
   */
  modules: boolean;
}

/** Why a message was refused: what was expected of it. */
export type Refusal = string;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Whether `message`, received from a worker, is a well-formed request to
 * start a thread: every field the hub uses has the right type and the
 * control block is one. Anything else is ignored.
 */
export function isSpawnRequest(message: unknown): message is SpawnRequest {
  if (!isRecord(message) || message.type !== 'skein:spawn') return false;
  const handover = message.handover;
  return (
    isRecord(handover) &&
    handover.type === 'handover' &&
    handover.port instanceof MessagePort &&
    ControlBlock.holdsOne(handover.control) &&
    typeof message.name === 'string' &&
    typeof message.daemon === 'boolean' &&
    typeof message.stopAt === 'number' &&
    (message.resourceLimits === undefined || isRecord(message.resourceLimits)) &&
    typeof message.shareModules === 'boolean'
  );
}

/** Whether `message`, received from a worker, is a well-formed request to terminate a thread. */
export function isTerminateRequest(message: unknown): message is TerminateRequest {
  return isRecord(message) && message.type === 'skein:terminate' && Number.isInteger(message.ident);
}

/** Whether `message`, received from a worker, is a well-formed {@link ReleaseReport}. */
export function isReleaseReport(message: unknown): message is ReleaseReport {
  return (
    isRecord(message) &&
    message.type === 'skein:release' &&
    message.port instanceof MessagePort &&
    message.wake instanceof SharedArrayBuffer &&
    message.wake.byteLength >= 4 &&
    typeof message.modules === 'boolean' &&
    ControlBlock.holdsOne(message.control)
  );
}

const statuses: readonly unknown[] = outcomeStatuses;

/**
 * Check a message that claims to be an {@link Outcome}: undefined if it is
 * one, else why not. A message without a `type: 'outcome'`, an integer
 * `id` and an integer `key` is not even trying: `'not an outcome'` (a pool
 * ignores it; only a report with the right task's key can fail that task).
 */
export function checkOutcome(message: unknown): Refusal | undefined {
  if (!isRecord(message) || message.type !== 'outcome') return 'not an outcome';
  if (!Number.isInteger(message.id) || !Number.isInteger(message.key)) return 'not an outcome';
  if (!statuses.includes(message.status)) return `its status is not one of ${statuses.join(', ')}`;
  if (typeof message.hasEvents !== 'boolean') return 'its hasEvents is not a boolean';
  if (message.status === 'error') return checkSerializedError(message.value);
  return undefined;
}

/** Whether `message` is a well-formed {@link BrokenReport}. */
export function isBrokenReport(message: unknown): message is BrokenReport {
  return isRecord(message) && message.type === 'broken' && checkSerializedError(message.error) === undefined;
}

/** Whether `value` is a {@link WorkerBoot}: what makes a worker a skein worker (checked in the worker). */
export function isWorkerBoot(value: unknown): value is WorkerBoot {
  return (
    isRecord(value) &&
    value.globals instanceof SharedArrayBuffer &&
    value.control instanceof SharedArrayBuffer &&
    value.wake instanceof SharedArrayBuffer &&
    value.wake.byteLength >= 4 &&
    value.port instanceof MessagePort &&
    Array.isArray(value.loaderHints) &&
    typeof value.rehearse === 'boolean' &&
    typeof value.reusable === 'boolean'
  );
}

/** Whether `message` is one of the first messages a worker can be given (checked in the worker). */
export function isFirstMessage(message: unknown): message is FirstMessage {
  if (!isRecord(message)) return false;
  switch (message.type) {
    case 'thread':
      return typeof message.name === 'string' && Array.isArray(message.args);
    case 'handover':
      return message.port instanceof MessagePort && message.control instanceof SharedArrayBuffer;
    case 'pool':
      return (
        typeof message.name === 'string' &&
        Number.isInteger(message.number) &&
        message.mailbox instanceof SharedArrayBuffer &&
        message.tasks instanceof SharedArrayBuffer &&
        Array.isArray(message.functions) &&
        Array.isArray(message.slabs)
      );
    default:
      return false;
  }
}
