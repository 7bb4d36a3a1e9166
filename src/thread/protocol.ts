/**
 * The typed messages between a thread's owner, the hub that creates workers
 * (always the main thread) and the worker runtime.
 */
import { MessagePort, type ResourceLimits } from 'node:worker_threads';
import { ControlBlock } from './control-block.js';
import type { SerializedError } from './error-codec.js';
import type { SourceOrigin } from './origin.js';

/** How the worker finds the function to run. */
export type TargetDescriptor =
  /** A function shipped as source and compiled in the worker, as the file and line it was written at (`origin`) when known. */
  | { kind: 'inline'; source: string; name: string; method: boolean; origin?: SourceOrigin }
  /** An export of a module imported in the worker. */
  | { kind: 'module'; url: string; exportName: string };

/** How the worker finds a Thread subclass whose run() it calls. */
export type ClassDescriptor =
  /**
   * Shipped as the sources of its class chain, base-most first, down from
   * Thread or from `root`: the nearest ancestor that declares its module
   * (`Timer`, or a user's exported class), imported in the worker.
   */
  | { kind: 'inline'; classes: InlineClass[]; root?: { url: string; exportName: string } }
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
 * What a worker is created with (its workerData): small, and always
 * cloneable, so creating a worker never fails on the thread's arguments.
 */
export interface WorkerBoot {
  kind: 'thread';
  name: string;
  daemon: boolean;
  /** The thread's ControlBlock. */
  control: SharedArrayBuffer;
  /** The process-wide counters. */
  globals: SharedArrayBuffer;
  /**
   * The thread's channel to its owner. The owner has already posted the
   * {@link ThreadJob} into it; the outcome goes back through it.
   */
  port: MessagePort;
  resourceLimits: ResourceLimits | undefined;
  /**
   * When the thread's stop request sets itself (the `timeout` option), on
   * the `sharedNow()` clock; `Infinity` for never. The hub enforces it, so it
   * holds even once the thread that started this one has ended.
   */
  stopAt: number;
  /** Where the main thread's TypeScript loader (tsx) was loaded from, if any. */
  loaderHints: string[];
}

/**
 * What the thread runs, posted by the owner into the thread's port before
 * the worker runs — so an argument that cannot be cloned fails there,
 * before any worker is created or woken.
 */
export interface ThreadJob {
  ident: number;
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
  /** Encoded arguments (Events replaced by markers when hasEvents). */
  args: unknown[];
  /** Own fields of a Thread subclass instance, encoded the same way. */
  fields: Record<string, unknown> | undefined;
  hasEvents: boolean;
}

/** Everything about one thread, as the worker runtime sees it. */
export interface ThreadLaunch extends ThreadJob {
  /** The thread's ControlBlock. */
  control: SharedArrayBuffer;
  /** The thread's channel to its owner; the outcome goes back through it. */
  port: MessagePort;
}

/** Sent by a worker to the hub (over its parentPort) to start a thread on its behalf. */
export interface SpawnRequest {
  type: 'skein:spawn';
  boot: WorkerBoot;
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

/** The last message a thread sends its owner. */
export type ThreadOutcome =
  | { type: 'result'; value: unknown; hasEvents: boolean }
  | { type: 'error'; error: SerializedError }
  | { type: 'stopped' };

/**
 * Whether `message`, received from a worker, is a well-formed request to
 * start a thread. Code in a thread can post anything on its parentPort: the
 * hub acts on a request only when every field it uses has the right type
 * and the control block is one, and ignores anything else.
 */
export function isSpawnRequest(message: unknown): message is SpawnRequest {
  if (typeof message !== 'object' || message === null || (message as SpawnRequest).type !== 'skein:spawn') return false;
  const boot = (message as Partial<SpawnRequest>).boot as Partial<WorkerBoot> | null | undefined;
  return (
    typeof boot === 'object' &&
    boot !== null &&
    boot.kind === 'thread' &&
    typeof boot.name === 'string' &&
    typeof boot.daemon === 'boolean' &&
    typeof boot.stopAt === 'number' &&
    Array.isArray(boot.loaderHints) &&
    boot.port instanceof MessagePort &&
    boot.globals instanceof SharedArrayBuffer &&
    (boot.resourceLimits === undefined || (typeof boot.resourceLimits === 'object' && boot.resourceLimits !== null)) &&
    ControlBlock.holdsOne(boot.control)
  );
}

/** Whether `message`, received from a worker, is a well-formed request to terminate a thread. */
export function isTerminateRequest(message: unknown): message is TerminateRequest {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as TerminateRequest).type === 'skein:terminate' &&
    Number.isInteger((message as TerminateRequest).ident)
  );
}
