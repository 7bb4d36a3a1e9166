import { checkCanBlock } from '../platform.js';
import { checkInteger } from '../errors.js';
import { kSemaphoreId } from './layout.js';
import { checkHandle, kSharedMemory, type SharedHandle, slotsFor } from './memory.js';
import { deadlineAfter, remainingUntil, toTimeoutMs } from './timeout.js';
import { waitAsyncFor } from './wait-async.js';
import { registerReviver } from '../thread/transfer.js';

// Memory layout, three Int32 slots:
//   (slot 0) the type tag kSemaphoreId (see memory.ts)
//   kValue  the counter: how many more acquire() calls may pass at once
//   kBound  the most the counter may reach (a BoundedSemaphore), or -1
const kValue = 1;
const kBound = 2;
const kUnbounded = -1;

/** Where a Semaphore lives: its buffer and the byte offset of its first slot. */
export interface SemaphoreMemory {
  /** The shared memory holding the Semaphore. */
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the Semaphore's first slot inside {@link SemaphoreMemory.buffer}. */
  readonly byteOffset: number;
}

let adopting: SemaphoreMemory | undefined;
/** Set by BoundedSemaphore's constructor for the Semaphore constructor it calls. */
let bounding: number | undefined;

function checkValue(value: unknown): number {
  return checkInteger(value, 'the semaphore initial value', 0);
}

/**
 * A counter of permits shared by every thread: Python's
 * `threading.Semaphore` on shared memory. {@link Semaphore.acquire} takes a
 * permit, blocking while there is none; {@link Semaphore.release} gives
 * permits back. Use it to let at most N threads or tasks into a section at
 * once. Pass it to a thread or pool task and it arrives working, on the same
 * memory.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(2); // at most two downloads at a time
 * const download = (slots: Semaphore, url: string) => {
 *   slots.acquire();
 *   try {
 *     return fetchSync(url);
 *   } finally {
 *     slots.release();
 *   }
 * };
 * ```
 */
export class Semaphore {
  /** Bytes of shared memory a Semaphore occupies. */
  static readonly SIZE = 12;

  readonly #buffer: SharedArrayBuffer;
  readonly #byteOffset: number;
  readonly #i32: Int32Array;

  /**
   * Create a Semaphore holding `value` permits (default 1).
   *
   * @throws RangeError if `value` is not an integer ≥ 0 (TypeError if it is not a number).
   */
  constructor(value = 1) {
    const adopted = adopting;
    adopting = undefined;
    if (adopted === undefined) checkValue(value);
    const slots = slotsFor(adopted, Semaphore.SIZE, kSemaphoreId);
    this.#buffer = slots.buffer;
    this.#byteOffset = slots.byteOffset;
    this.#i32 = slots.i32;
    const bound = bounding;
    bounding = undefined;
    if (adopted === undefined) {
      slots.i32[kValue] = value;
      slots.i32[kBound] = bound ?? kUnbounded;
    }
  }

  /**
   * The Semaphore on memory that already holds one — a
   * {@link BoundedSemaphore} if it was made as one.
   *
   * @throws TypeError if `buffer` is not a `SharedArrayBuffer`.
   * @throws RangeError if `byteOffset` is not a multiple of 4 or leaves fewer than {@link Semaphore.SIZE} bytes.
   * @throws TypeError ("invalid handle") if the memory does not hold a Semaphore.
   */
  static fromBuffer(buffer: SharedArrayBuffer, byteOffset = 0): Semaphore {
    checkHandle(buffer, byteOffset, Semaphore.SIZE, kSemaphoreId, 'Semaphore');
    adopting = { buffer, byteOffset };
    const bounded = Atomics.load(new Int32Array(buffer, byteOffset, 3), kBound) !== kUnbounded;
    return bounded ? new BoundedSemaphore() : new Semaphore();
  }

  /** The shared memory holding this Semaphore; send it anywhere and rebuild with {@link Semaphore.fromBuffer}. */
  get buffer(): SharedArrayBuffer {
    return this.#buffer;
  }

  /** Byte offset of this Semaphore inside {@link Semaphore.buffer}. */
  get byteOffset(): number {
    return this.#byteOffset;
  }

  /** How many permits are free now (Python's private `_value`). Never blocks. */
  get value(): number {
    return Atomics.load(this.#i32, kValue);
  }

  /** Take a permit if one is free: one compare-and-swap. */
  #tryTake(): boolean {
    const i32 = this.#i32;
    for (let value = Atomics.load(i32, kValue); value > 0; value = Atomics.load(i32, kValue)) {
      if (Atomics.compareExchange(i32, kValue, value, value - 1) === value) return true;
    }
    return false;
  }

  /**
   * Take a permit, blocking the calling thread while there is none, until
   * `timeoutMs` elapses. `0` only tries. It blocks the whole calling thread;
   * use {@link Semaphore.acquireAsync} on the main thread.
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means forever, negative acts as 0.
   * @returns true once a permit is taken; false if the timeout elapsed first.
   * @throws TypeError if `timeoutMs` is not a number; RangeError if it is NaN.
   */
  acquire(timeoutMs?: number): boolean {
    const timeout = toTimeoutMs(timeoutMs);
    checkCanBlock(timeout, 'semaphore.acquire()', 'await semaphore.acquireAsync()');
    const deadline = deadlineAfter(timeout);
    for (;;) {
      if (this.#tryTake()) return true;
      const left = remainingUntil(deadline);
      if (left === 0) return false;
      Atomics.wait(this.#i32, kValue, 0, left);
    }
  }

  /**
   * Take a permit without blocking the event loop: resolves true once one is
   * taken, false when `timeoutMs` elapses first.
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means forever, negative acts as 0.
   * @throws TypeError if `timeoutMs` is not a number; RangeError if it is NaN (thrown, not rejected).
   */
  acquireAsync(timeoutMs?: number): Promise<boolean> {
    const deadline = deadlineAfter(toTimeoutMs(timeoutMs));
    if (this.#tryTake()) return Promise.resolve(true);
    const loop = async (): Promise<boolean> => {
      for (;;) {
        const left = remainingUntil(deadline);
        if (left === 0) return false;
        await waitAsyncFor(this.#i32, kValue, 0, left);
        if (this.#tryTake()) return true;
      }
    };
    return loop();
  }

  /**
   * Give `n` permits back (default 1) and wake the threads waiting for one.
   *
   * @throws RangeError if `n` is not an integer ≥ 1 (TypeError if it is not a
   *   number); for a {@link BoundedSemaphore}, `Semaphore released too many
   *   times` if the permits would exceed its initial value.
   */
  release(n = 1): void {
    checkInteger(n, '`n`', 1, Infinity);
    const i32 = this.#i32;
    const bound = Atomics.load(i32, kBound);
    for (;;) {
      const value = Atomics.load(i32, kValue);
      if ((bound !== kUnbounded && value + n > bound) || value + n > 0x7fffffff) {
        throw new RangeError('Semaphore released too many times');
      }
      if (Atomics.compareExchange(i32, kValue, value, value + n) === value) break;
    }
    // Every waiter, not n: an async waiter whose timeout just passed may
    // still be registered and would swallow a wake (see Lock.release).
    Atomics.notify(i32, kValue);
  }

  /** @internal Where this Semaphore lives, for sending it to a thread. */
  [kSharedMemory](): SharedHandle {
    return { kind: 'Semaphore', buffer: this.#buffer, byteOffset: this.#byteOffset };
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `${this.constructor.name} { value: ${this.value} }`;
  }
}

/**
 * A Semaphore whose permits may never exceed its initial value: Python's
 * `threading.BoundedSemaphore`. A release without a matching acquire — a
 * bug — throws instead of silently letting one more thread in.
 *
 * @example
 * ```ts
 * const pool = new BoundedSemaphore(4);
 * pool.release(); // RangeError: Semaphore released too many times
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  /**
   * Create a BoundedSemaphore holding `value` permits (default 1), at most.
   *
   * @throws RangeError if `value` is not an integer ≥ 0 (TypeError if it is not a number).
   */
  constructor(value = 1) {
    if (adopting === undefined) bounding = checkValue(value);
    super(value);
  }
}

// Revivable when it arrives in a thread (see prepareDecode in src/thread/transfer.ts).
registerReviver('Semaphore', (buffer, byteOffset) => Semaphore.fromBuffer(buffer, byteOffset));
