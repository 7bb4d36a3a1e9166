import type { Event } from '../sync/event.js';
import { checkMemory } from '../sync/memory.js';
import { kControlBlockId } from '../sync/layout.js';
import { initJobSlot, kJobSlotBytes, stopEventOf } from './job-slot.js';

// A thread's control block: the shared memory through which every thread
// that holds a handle sees its lifecycle without a message round trip — so
// joinSync() works while the owner's event loop is blocked, and a crash seen
// by the hub is visible to an owner in another thread.
const kTag = 0;
/** Lifecycle slot, one of the `ThreadState` values; notified on every change. */
export const kState = 1;
const kEndClaim = 2;
const kEndReason = 3;
const kExitCode = 4;
const kIdent = 5;
/** The thread's job slot (its stop request), counted in job slots: bytes 32–47. */
const kJobSlot = 2;
const kSize = (kJobSlot + 1) * kJobSlotBytes;

/** Where a thread is in its life. */
export const ThreadState = {
  initial: 0,
  /** start() has returned; the worker is being created. */
  started: 1,
  /** The target is running in the worker. */
  running: 2,
  /** The thread has ended; its outcome is final. */
  ended: 3,
} as const;

/** How a thread ended. */
export const EndReason = {
  none: 0,
  /** run() returned or its promise fulfilled; the result message was posted. */
  returned: 1,
  /** run() threw or its promise rejected; the error message was posted. */
  raised: 2,
  /** A StopError ended the thread: a clean stop. */
  stopped: 3,
  /** The target called process.exit(code); the code is in the block. */
  exited: 4,
  /** The worker ran out of memory under its resourceLimits. */
  outOfMemory: 5,
  /** The worker died without reporting (a crash of the runtime itself). */
  crashed: 6,
  /** The worker was terminated from outside (a forced stop). */
  terminated: 7,
} as const;
export type EndReason = (typeof EndReason)[keyof typeof EndReason];

/** The shared control block of one thread. */
export class ControlBlock {
  readonly buffer: SharedArrayBuffer;
  readonly i32: Int32Array;
  /** The thread's stop request, read inside it through `stopEvent()`. */
  readonly stopEvent: Event;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.i32 = new Int32Array(buffer, 0, kSize / 4);
    this.stopEvent = stopEventOf(buffer, kJobSlot);
  }

  /** A fresh block for a thread that has not started, its stop request unset. */
  static create(): ControlBlock {
    const buffer = new SharedArrayBuffer(kSize);
    const i32 = new Int32Array(buffer);
    i32[kTag] = kControlBlockId;
    initJobSlot(i32, kJobSlot);
    return new ControlBlock(buffer);
  }

  /** Whether `buffer` holds a thread control block (checked before trusting a message that carries one). */
  static holdsOne(buffer: unknown): buffer is SharedArrayBuffer {
    return (
      buffer instanceof SharedArrayBuffer &&
      buffer.byteLength >= kSize &&
      Atomics.load(new Int32Array(buffer, 0, 1), kTag) === kControlBlockId
    );
  }

  /** The block behind `buffer`, as sent to another thread. */
  static fromBuffer(buffer: SharedArrayBuffer): ControlBlock {
    checkMemory(buffer, 0, kSize, 'thread control block');
    if (Atomics.load(new Int32Array(buffer, 0, 1), kTag) !== kControlBlockId) {
      throw new TypeError('invalid handle: the buffer does not hold a skein thread control block');
    }
    return new ControlBlock(buffer);
  }

  get state(): number {
    return Atomics.load(this.i32, kState);
  }

  get ident(): number {
    return Atomics.load(this.i32, kIdent);
  }

  get endReason(): EndReason {
    return Atomics.load(this.i32, kEndReason) as EndReason;
  }

  get exitCode(): number {
    return Atomics.load(this.i32, kExitCode);
  }

  /** Record the ident and move to `started`. */
  markStarted(ident: number): void {
    Atomics.store(this.i32, kIdent, ident);
    this.#setState(ThreadState.started);
  }

  /**
   * The target is about to run. Not notified: waiters wait for `ended`,
   * and a notify that wakes an owner costs the thread tens of µs before its
   * target runs.
   */
  markRunning(): void {
    Atomics.store(this.i32, kState, ThreadState.running);
  }

  /** Undo markStarted() when the thread could not be launched at all. */
  markUnstarted(): void {
    this.#setState(ThreadState.initial);
  }

  /**
   * End the thread with `reason`, once: the first caller wins and gets true.
   * Several parties race to end a thread (the runtime when run() settles, its
   * exit handler when the target calls process.exit, the hub when the worker
   * dies); claiming first and publishing `ended` last means whoever sees
   * `ended` also sees the reason and exit code that go with it.
   */
  end(reason: EndReason, exitCode = 0): boolean {
    if (Atomics.compareExchange(this.i32, kEndClaim, 0, 1) !== 0) return false;
    Atomics.store(this.i32, kEndReason, reason);
    Atomics.store(this.i32, kExitCode, exitCode);
    this.#setState(ThreadState.ended);
    return true;
  }

  #setState(state: number): void {
    Atomics.store(this.i32, kState, state);
    Atomics.notify(this.i32, kState);
  }
}
