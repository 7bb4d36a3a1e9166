import { checkCanBlock } from '../platform.js';
import { RuntimeError } from '../errors.js';
import { kLockId } from './layout.js';
import { checkHandle, kSharedMemory, type SharedHandle, slotsFor } from './memory.js';
import { freeLock, isLocked, takeLock, takeLockAsync } from './lock-word.js';
import { toTimeoutMs } from './timeout.js';
import { registerReviver } from '../thread/transfer.js';

// Memory layout, two Int32 slots:
//   (slot 0) the type tag kLockId (see memory.ts)
//   kState   the lock word (see lock-word.ts)
const kState = 1;

/** Where a Lock lives: its buffer and the byte offset of its first slot. */
export interface LockMemory {
  /** The shared memory holding the Lock. */
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the Lock's first slot inside {@link LockMemory.buffer}. */
  readonly byteOffset: number;
}

let adopting: LockMemory | undefined;

/**
 * A mutual-exclusion lock shared by every thread: Python's
 * `threading.Lock` on shared memory.
 *
 * One thread at a time holds it: {@link Lock.acquire} blocks until the lock
 * is free, {@link Lock.release} frees it. As in Python, any thread may
 * release it, not only the one that acquired it. Pass a Lock to a thread
 * (in `args`, as a field of a `Thread` subclass, or as an argument of a pool
 * task) and the thread receives a working Lock on the same memory.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * const bump = (lock: Lock, counter: Int32Array) => {
 *   for (let i = 0; i < 1000; i++) {
 *     lock.acquire();
 *     try {
 *       counter[0] = counter[0]! + 1; // a read-modify-write no other thread interleaves with
 *     } finally {
 *       lock.release();
 *     }
 *   }
 * };
 * ```
 */
export class Lock {
  /** Bytes of shared memory a Lock occupies. */
  static readonly SIZE = 8;

  readonly #buffer: SharedArrayBuffer;
  readonly #byteOffset: number;
  readonly #i32: Int32Array;

  /** Create a Lock, initially unlocked, on fresh shared memory. */
  constructor() {
    const slots = slotsFor(adopting, Lock.SIZE, kLockId);
    adopting = undefined;
    this.#buffer = slots.buffer;
    this.#byteOffset = slots.byteOffset;
    this.#i32 = slots.i32;
  }

  /**
   * A Lock on memory that already holds one — the receiving end of
   * {@link Lock.buffer} sent over any channel.
   *
   * @throws TypeError if `buffer` is not a `SharedArrayBuffer`.
   * @throws RangeError if `byteOffset` is not a multiple of 4 or leaves fewer than {@link Lock.SIZE} bytes.
   * @throws TypeError ("invalid handle") if the memory does not hold a Lock.
   * @example
   * ```ts
   * const same = Lock.fromBuffer(lock.buffer, lock.byteOffset);
   * ```
   */
  static fromBuffer(buffer: SharedArrayBuffer, byteOffset = 0): Lock {
    checkHandle(buffer, byteOffset, Lock.SIZE, kLockId, 'Lock');
    adopting = { buffer, byteOffset };
    return new Lock();
  }

  /** The shared memory holding this Lock; send it anywhere and rebuild with {@link Lock.fromBuffer}. */
  get buffer(): SharedArrayBuffer {
    return this.#buffer;
  }

  /** Byte offset of this Lock inside {@link Lock.buffer}. */
  get byteOffset(): number {
    return this.#byteOffset;
  }

  /** Whether some thread holds the lock now. Never blocks. */
  locked(): boolean {
    return isLocked(this.#i32, kState);
  }

  /**
   * Take the lock, blocking the calling thread until it is free or
   * `timeoutMs` elapses. `0` only tries (Python's `blocking=False`). It
   * blocks the whole calling thread — on the main thread the event loop
   * too; use {@link Lock.acquireAsync} there.
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means forever, negative acts as 0.
   * @returns true once the lock is held; false if the timeout elapsed first.
   * @throws TypeError if `timeoutMs` is not a number; RangeError if it is NaN.
   */
  acquire(timeoutMs?: number): boolean {
    const timeout = toTimeoutMs(timeoutMs);
    checkCanBlock(timeout, 'lock.acquire()', 'await lock.acquireAsync()');
    return takeLock(this.#i32, kState, timeout);
  }

  /**
   * Take the lock without blocking the event loop: resolves true once the
   * lock is held, false when `timeoutMs` elapses first. The pending wait
   * keeps the process alive, as a blocked acquire would.
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means forever, negative acts as 0.
   * @throws TypeError if `timeoutMs` is not a number; RangeError if it is NaN (thrown, not rejected).
   * @example
   * ```ts
   * if (await lock.acquireAsync(5_000)) {
   *   try { update(shared); } finally { lock.release(); }
   * }
   * ```
   */
  acquireAsync(timeoutMs?: number): Promise<boolean> {
    return takeLockAsync(this.#i32, kState, toTimeoutMs(timeoutMs));
  }

  /**
   * Free the lock and wake the threads waiting for it; one of them takes it.
   * Any thread may release it.
   *
   * @throws RuntimeError `release unlocked lock` if it is not held.
   */
  release(): void {
    if (!freeLock(this.#i32, kState)) throw new RuntimeError('release unlocked lock');
  }

  /** @internal Where this Lock lives, for sending it to a thread. */
  [kSharedMemory](): SharedHandle {
    return { kind: 'Lock', buffer: this.#buffer, byteOffset: this.#byteOffset };
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Lock { locked: ${this.locked()} }`;
  }
}

// Revivable when it arrives in a thread (see prepareDecode in src/thread/transfer.ts).
registerReviver('Lock', (buffer, byteOffset) => Lock.fromBuffer(buffer, byteOffset));
