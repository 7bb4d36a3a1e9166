import { checkCanBlock } from '../platform.js';
import { threadId } from '../host.js';
import { RuntimeError } from '../errors.js';
import { kRLockId } from './layout.js';
import { freeLock, isLocked, takeLock, takeLockAsync } from './lock-word.js';
import { checkHandle, kSharedMemory, type SharedHandle, slotsFor } from './memory.js';
import { toTimeoutMs } from './timeout.js';
import type { Takeable } from './wait-steps.js';
import { registerReviver } from '../thread/transfer.js';

// Memory layout, four Int32 slots:
//   (slot 0) the type tag kRLockId (see memory.ts)
//   kState   the lock word (see lock-word.ts)
//   kOwner   the thread holding it: its worker threadId + 1 (the main
//            thread's is 0, so 1), or 0 when free
//   kCount   how many times the owner has acquired it without releasing
const kState = 1;
const kOwner = 2;
const kCount = 3;

/** This thread, as the owner slot records it. */
const self = threadId + 1;

/** Where an RLock lives: its buffer and the byte offset of its first slot. */
export interface RLockMemory {
  /** The shared memory holding the RLock. */
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the RLock's first slot inside {@link RLockMemory.buffer}. */
  readonly byteOffset: number;
}

let adopting: RLockMemory | undefined;

/**
 * How a Condition waits on an RLock, as CPython's Condition uses an RLock's
 * `_is_owned`, `_release_save` and `_acquire_restore`.
 * @internal
 */
export const kIsOwned: unique symbol = Symbol('skein.RLock.isOwned');
/** @internal See {@link kIsOwned}. */
export const kReleaseSave: unique symbol = Symbol('skein.RLock.releaseSave');
/** @internal See {@link kIsOwned}. */
export const kAcquireRestore: unique symbol = Symbol('skein.RLock.acquireRestore');

/**
 * A new RLock on fresh (zeroed) memory at `byteOffset` of `buffer`: a
 * primitive that keeps its own RLock inside its memory (a Condition).
 * @internal
 */
export function embedRLock(buffer: SharedArrayBuffer, byteOffset: number): RLock {
  Atomics.store(new Int32Array(buffer, byteOffset, 1), 0, kRLockId);
  return RLock.fromBuffer(buffer, byteOffset);
}

/**
 * A reentrant lock shared by every thread: Python's `threading.RLock` on
 * shared memory. The thread that holds it may acquire it again (code that
 * holds the lock can call code that takes it too); it is free once that
 * thread has released it as many times as it acquired it. Only the holder
 * may release it. Tasks of one pool worker run on the same thread, so they
 * count as one holder, as in Python's ThreadPoolExecutor.
 *
 * @example
 * ```ts
 * const lock = new RLock();
 * const update = (lock: RLock) => {
 *   lock.acquire();
 *   try {
 *     validate(lock); // takes the lock again: fine, this thread holds it
 *   } finally {
 *     lock.release();
 *   }
 * };
 * ```
 */
export class RLock {
  /** Bytes of shared memory an RLock occupies. */
  static readonly SIZE = 16;

  readonly #buffer: SharedArrayBuffer;
  readonly #byteOffset: number;
  readonly #i32: Int32Array;

  /** Create an RLock, initially free, on fresh shared memory. */
  constructor() {
    const slots = slotsFor(adopting, RLock.SIZE, kRLockId);
    adopting = undefined;
    this.#buffer = slots.buffer;
    this.#byteOffset = slots.byteOffset;
    this.#i32 = slots.i32;
  }

  /**
   * An RLock on memory that already holds one — the receiving end of
   * {@link RLock.buffer} sent over any channel.
   *
   * @throws TypeError if `buffer` is not a `SharedArrayBuffer`.
   * @throws RangeError if `byteOffset` is not a multiple of 4 or leaves fewer than {@link RLock.SIZE} bytes.
   * @throws TypeError ("invalid handle") if the memory does not hold an RLock.
   */
  static fromBuffer(buffer: SharedArrayBuffer, byteOffset = 0): RLock {
    checkHandle(buffer, byteOffset, RLock.SIZE, kRLockId, 'RLock');
    adopting = { buffer, byteOffset };
    return new RLock();
  }

  /** The shared memory holding this RLock; send it anywhere and rebuild with {@link RLock.fromBuffer}. */
  get buffer(): SharedArrayBuffer {
    return this.#buffer;
  }

  /** Byte offset of this RLock inside {@link RLock.buffer}. */
  get byteOffset(): number {
    return this.#byteOffset;
  }

  /** Whether some thread holds the lock now. Never blocks. */
  locked(): boolean {
    return isLocked(this.#i32, kState);
  }

  /** Held by this thread already: count one more acquire. */
  #reenter(): boolean {
    if (Atomics.load(this.#i32, kOwner) !== self) return false;
    Atomics.add(this.#i32, kCount, 1);
    return true;
  }

  #own(count = 1): void {
    Atomics.store(this.#i32, kOwner, self);
    Atomics.store(this.#i32, kCount, count);
  }

  /**
   * Take the lock — at once if this thread holds it already — blocking the
   * calling thread until it is free or `timeoutMs` elapses. `0` only tries.
   * Use {@link RLock.acquireAsync} on the main thread.
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means forever, negative acts as 0.
   * @returns true once the lock is held; false if the timeout elapsed first.
   * @throws TypeError if `timeoutMs` is not a number; RangeError if it is NaN.
   */
  acquire(timeoutMs?: number): boolean {
    const timeout = toTimeoutMs(timeoutMs);
    checkCanBlock(timeout, 'rlock.acquire()', 'await rlock.acquireAsync()');
    if (this.#reenter()) return true;
    if (!takeLock(this.#i32, kState, timeout)) return false;
    this.#own();
    return true;
  }

  /**
   * Take the lock without blocking the event loop: resolves true once it is
   * held, false when `timeoutMs` elapses first.
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means forever, negative acts as 0.
   * @throws TypeError if `timeoutMs` is not a number; RangeError if it is NaN (thrown, not rejected).
   */
  async acquireAsync(timeoutMs?: number): Promise<boolean> {
    const timeout = toTimeoutMs(timeoutMs);
    if (this.#reenter()) return true;
    if (!(await takeLockAsync(this.#i32, kState, timeout))) return false;
    this.#own();
    return true;
  }

  /**
   * Release one acquire; the lock is free (and its waiters woken) once this
   * thread has released it as many times as it acquired it.
   *
   * @throws RuntimeError `cannot release un-acquired lock` if this thread does not hold it.
   */
  release(): void {
    const i32 = this.#i32;
    if (Atomics.load(i32, kOwner) !== self) throw new RuntimeError('cannot release un-acquired lock');
    if (Atomics.sub(i32, kCount, 1) > 1) return;
    Atomics.store(i32, kOwner, 0);
    freeLock(i32, kState);
  }

  /** @internal Whether the calling thread holds the lock (Python's `_is_owned`). */
  [kIsOwned](): boolean {
    return Atomics.load(this.#i32, kOwner) === self;
  }

  /**
   * @internal Free the lock however many times this thread acquired it
   * (Python's `_release_save`), for a Condition's wait; returns that count
   * for {@link RLock[kAcquireRestore]}. The caller has checked that this
   * thread holds it.
   */
  [kReleaseSave](): number {
    const i32 = this.#i32;
    const count = Atomics.load(i32, kCount);
    Atomics.store(i32, kCount, 0);
    Atomics.store(i32, kOwner, 0);
    freeLock(i32, kState);
    return count;
  }

  /**
   * @internal Take the lock back with `count` acquires (Python's
   * `_acquire_restore`), waiting as long as it takes. Never re-enters: on
   * the main thread another async flow may hold the lock meanwhile, and
   * shares this thread's owner mark.
   */
  [kAcquireRestore](count: number): Takeable {
    const i32 = this.#i32;
    return {
      acquire: (timeoutMs = Infinity) => {
        if (!takeLock(i32, kState, timeoutMs)) return false;
        this.#own(count);
        return true;
      },
      acquireAsync: async () => {
        await takeLockAsync(i32, kState, Infinity);
        this.#own(count);
        return true;
      },
    };
  }

  /** @internal Where this RLock lives, for sending it to a thread. */
  [kSharedMemory](): SharedHandle {
    return { kind: 'RLock', buffer: this.#buffer, byteOffset: this.#byteOffset };
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `RLock { locked: ${this.locked()}, count: ${Atomics.load(this.#i32, kCount)} }`;
  }
}

// Revivable when it arrives in a thread (see prepareDecode in src/thread/transfer.ts).
registerReviver('RLock', (buffer, byteOffset) => RLock.fromBuffer(buffer, byteOffset));
