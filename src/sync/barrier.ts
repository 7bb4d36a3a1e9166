import { checkCanBlock } from '../platform.js';
import { BrokenBarrierError, checkInteger, describeValue } from '../errors.js';
import { kBarrierId } from './layout.js';
import { freeLock, takeLock, takeLockAsync } from './lock-word.js';
import { checkHandle, kSharedMemory, type SharedHandle, slotsFor } from './memory.js';
import { deadlineAfter, remainingUntil, toTimeoutMs } from './timeout.js';
import { runAsync, runBlocking, type Steps, sleepStep, type Takeable } from './wait-steps.js';
import { registerReviver } from '../thread/transfer.js';

// Memory layout, eight Int32 slots and a Float64 (40 bytes):
//   (slot 0)   the type tag kBarrierId (see memory.ts)
//   kLock      a lock word (see lock-word.ts) guarding kState, kCount and
//              kBrokenBy; held only between two steps of a wait, never
//              while anyone sleeps
//   kParties   how many parties make a round; set once
//   kState     CPython's _state: kFilling (0), kDraining (1: a round is
//              complete, its parties are leaving), kResetting (-1: reset()
//              while parties were inside), kBroken (-2)
//   kCount     parties inside wait(): arrived and not yet left
//   kSeq       bumped after every change of kState; waiters sleep on it
//   kBrokenBy  why the barrier broke: kByTimeout or kByAbort
//   (slot 7)   unused, so that the timeout is 8-byte aligned in the buffer
//   kTimeoutAt byte 32: the default timeout in ms (Infinity for none); set once
const kLock = 1;
const kParties = 2;
const kState = 3;
const kCount = 4;
const kSeq = 5;
const kBrokenBy = 6;
const kTimeoutAt = 32;

const kFilling = 0;
const kDraining = 1;
const kResetting = -1;
const kBroken = -2;

const kByTimeout = 1;
const kByAbort = 2;

/** Where a Barrier lives: its buffer and the byte offset of its first slot. */
export interface BarrierMemory {
  /** The shared memory holding the Barrier. */
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the Barrier's first slot inside {@link BarrierMemory.buffer}. */
  readonly byteOffset: number;
}

/** Options of {@link Barrier}'s constructor. */
export interface BarrierOptions {
  /**
   * Milliseconds a `wait()` given no timeout waits at most for the other
   * parties before it breaks the barrier. Default: no limit.
   */
  timeout?: number;
}

let adopting: BarrierMemory | undefined;

/** The default timeout from the constructor's options; Python's `action` is refused, saying why. */
function defaultTimeout(options: unknown): number {
  if (options === undefined || options === null) return Infinity;
  if (typeof options === 'function' || (typeof options === 'object' && 'action' in options)) {
    throw new TypeError(
      "Barrier takes no `action`: a function cannot be shared by the threads, and any of them may be the last to arrive; run it in the party whose `wait()` returns 0 (`if (barrier.wait() === 0) action()`) — after the round, not before it as Python's",
    );
  }
  if (typeof options !== 'object') {
    throw new TypeError(
      `Expected \`options\` to be an object such as { timeout: 1000 }, got ${describeValue(options)}`,
    );
  }
  return toTimeoutMs((options as BarrierOptions).timeout, 'timeout');
}

/**
 * A meeting point for a fixed number of threads: Python's
 * `threading.Barrier` on shared memory. Each of `parties` threads calls
 * {@link Barrier.wait}; all of them block until the last one arrives, then
 * all go on together, and the barrier is ready for the next round. A party
 * that times out breaks the barrier: every party waiting, and every later
 * `wait()` until {@link Barrier.reset}, gets a {@link BrokenBarrierError}.
 * Pass a Barrier to threads (in `args`, as a field of a `Thread` subclass,
 * or as an argument of a pool task) and each receives a working Barrier on
 * the same memory.
 *
 * Python's `action` (a function the last party runs before the others are
 * released) is left out: a function cannot be shared by threads, and the
 * last party may be any of them. Run the work in the party whose wait
 * returned 0 instead (after the round, where Python's runs before).
 *
 * @example
 * ```ts
 * const barrier = new Barrier(3, { timeout: 10_000 });
 * const step = (barrier: Barrier, id: number) => {
 *   prepare(id);
 *   if (barrier.wait() === 0) console.log('all three ready'); // one party prints
 *   run(id);
 * };
 * // … start two Threads with step, and take part from the main thread:
 * await barrier.waitAsync();
 * ```
 */
export class Barrier {
  /** Bytes of shared memory a Barrier occupies. */
  static readonly SIZE = kTimeoutAt + 8;

  readonly #buffer: SharedArrayBuffer;
  readonly #byteOffset: number;
  readonly #i32: Int32Array;
  readonly #parties: number;
  readonly #timeout: number;
  readonly #guard: Takeable;

  /**
   * Create a Barrier for `parties` threads (or async flows), on fresh
   * shared memory.
   *
   * @param parties - how many calls to `wait()` make a round: an integer ≥ 1.
   * @param options - `timeout`: how long a `wait()` given no timeout waits at most, in ms.
   * @throws RangeError if `parties` is not an integer ≥ 1 (TypeError if it is not a number).
   * @throws TypeError if `options` is not an object, holds an `action`, or is a function;
   *   TypeError/RangeError if `options.timeout` is not a number or NaN.
   */
  constructor(parties: number, options?: BarrierOptions) {
    const adopted = adopting;
    adopting = undefined;
    const fresh =
      adopted === undefined
        ? { parties: checkInteger(parties, '`parties`', 1), timeout: defaultTimeout(options) }
        : undefined;
    const slots = slotsFor(adopted, Barrier.SIZE, kBarrierId);
    this.#buffer = slots.buffer;
    this.#byteOffset = slots.byteOffset;
    const i32 = (this.#i32 = slots.i32);
    // The parties and the timeout are written once, before the Barrier can
    // reach another thread (whatever sends it there orders these writes
    // before its reads).
    const timeoutView = new DataView(slots.buffer, slots.byteOffset + kTimeoutAt, 8);
    if (fresh !== undefined) {
      i32[kParties] = fresh.parties;
      timeoutView.setFloat64(0, fresh.timeout, true);
    }
    this.#parties = Atomics.load(i32, kParties);
    this.#timeout = timeoutView.getFloat64(0, true);
    this.#guard = {
      acquire: (timeoutMs = Infinity) => takeLock(i32, kLock, timeoutMs),
      acquireAsync: () => takeLockAsync(i32, kLock, Infinity),
    };
  }

  /**
   * A Barrier on memory that already holds one — the receiving end of
   * {@link Barrier.buffer} sent over any channel. Its parties and default
   * timeout come with it.
   *
   * @throws TypeError if `buffer` is not a `SharedArrayBuffer`.
   * @throws RangeError if `byteOffset` is not a multiple of 4 or leaves fewer than {@link Barrier.SIZE} bytes.
   * @throws TypeError ("invalid handle") if the memory does not hold a Barrier.
   * @example
   * ```ts
   * const same = Barrier.fromBuffer(barrier.buffer, barrier.byteOffset);
   * ```
   */
  static fromBuffer(buffer: SharedArrayBuffer, byteOffset = 0): Barrier {
    checkHandle(buffer, byteOffset, Barrier.SIZE, kBarrierId, 'Barrier');
    adopting = { buffer, byteOffset };
    return new Barrier(0);
  }

  /** The shared memory holding this Barrier; send it anywhere and rebuild with {@link Barrier.fromBuffer}. */
  get buffer(): SharedArrayBuffer {
    return this.#buffer;
  }

  /** Byte offset of this Barrier inside {@link Barrier.buffer}. */
  get byteOffset(): number {
    return this.#byteOffset;
  }

  /** How many parties make a round. */
  get parties(): number {
    return this.#parties;
  }

  /** How many parties are waiting in the current round (0 while a round drains or a reset is under way), as Python's `n_waiting`. Never blocks. */
  get nWaiting(): number {
    return Atomics.load(this.#i32, kState) === kFilling ? Atomics.load(this.#i32, kCount) : 0;
  }

  /** Whether the barrier is broken: a party timed out or `abort()` was called, and `reset()` has not been since. Never blocks. */
  get broken(): boolean {
    return Atomics.load(this.#i32, kState) === kBroken;
  }

  /**
   * Wait for the other parties: block the calling thread until `parties`
   * threads have called `wait()`, then return this party's index in the
   * round — `0` to `parties - 1`, a different one for each. Use
   * {@link Barrier.waitAsync} on the main thread. A party that comes while
   * the previous round is still leaving waits for it to leave first.
   *
   * @param timeoutMs - milliseconds to wait at most for the round to fill; omitted means the
   *   barrier's default timeout (none unless given to the constructor), negative acts as 0.
   * @returns this party's index in the round.
   * @throws BrokenBarrierError if the timeout elapses (which breaks the barrier for every party),
   *   if the barrier is or becomes broken (`abort()`, another party's timeout), or if `reset()` is
   *   called while this party waits.
   * @throws TypeError if `timeoutMs` is not a number; RangeError if it is NaN.
   * @example
   * ```ts
   * for (let round = 0; round < 10; round++) {
   *   compute(round);
   *   barrier.wait(); // nobody starts round + 1 before everyone finished round
   * }
   * ```
   */
  wait(timeoutMs?: number): number {
    const timeout = this.#timeoutOf(timeoutMs);
    checkCanBlock(timeout, 'barrier.wait()', 'await barrier.waitAsync()');
    return runBlocking(this.#waitSteps(timeout));
  }

  /**
   * {@link Barrier.wait} without blocking the event loop: resolves with this
   * party's index once the round is full, rejects with
   * {@link BrokenBarrierError} as `wait()` throws it. The pending wait keeps
   * the process alive, as a blocked wait would.
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means the barrier's default timeout.
   * @throws TypeError if `timeoutMs` is not a number; RangeError if it is NaN (thrown, not rejected).
   */
  waitAsync(timeoutMs?: number): Promise<number> {
    return runAsync(this.#waitSteps(this.#timeoutOf(timeoutMs)));
  }

  /**
   * Return the barrier to its empty state, as Python's `reset()`: parties
   * waiting now get {@link BrokenBarrierError}, and the barrier is ready for
   * a new round once they have left; a broken barrier is whole again. Never
   * blocks beyond the moment it takes to update the barrier.
   *
   * Calling it while parties are still arriving for a round can leave some of
   * them in the new round: reset when every party is known to be out (for
   * example after another Barrier), as in Python.
   */
  reset(): void {
    this.#update(() => {
      const state = Atomics.load(this.#i32, kState);
      if (Atomics.load(this.#i32, kCount) === 0) this.#setState(kFilling);
      else if (state === kFilling || state === kBroken) this.#setState(kResetting);
      else this.#setState(state); // draining: the parties leaving finish the round
    });
  }

  /**
   * Break the barrier, as Python's `abort()`: every party waiting, and every
   * later `wait()` until {@link Barrier.reset}, gets
   * {@link BrokenBarrierError}. Use it when a party cannot come, so that the
   * others do not wait for it forever. Never blocks beyond the moment it
   * takes to update the barrier.
   */
  abort(): void {
    this.#update(() => this.#break(kByAbort));
  }

  #timeoutOf(timeoutMs: number | undefined): number {
    return timeoutMs === undefined || timeoutMs === null ? this.#timeout : toTimeoutMs(timeoutMs);
  }

  /** Run `change` with the lock held. */
  #update(change: () => void): void {
    takeLock(this.#i32, kLock, Infinity);
    try {
      change();
    } finally {
      freeLock(this.#i32, kLock);
    }
  }

  /** Set kState and wake every sleeper; the lock is held. */
  #setState(state: number): void {
    Atomics.store(this.#i32, kState, state);
    Atomics.add(this.#i32, kSeq, 1);
    Atomics.notify(this.#i32, kSeq);
  }

  #break(by: number): void {
    Atomics.store(this.#i32, kBrokenBy, by);
    this.#setState(kBroken);
  }

  /**
   * Release the lock, sleep until kState may have changed (or `timeout`),
   * take the lock back. kSeq is read with the lock held, and every change
   * of kState is made with the lock held and followed by a bump of kSeq: a
   * change after the release moves kSeq off `seen`, so the sleep returns at
   * once or is woken — no change is missed.
   */
  *#sleep(timeout: number): Steps<void> {
    const seen = Atomics.load(this.#i32, kSeq);
    freeLock(this.#i32, kLock);
    yield sleepStep(this.#i32, kSeq, seen, timeout);
    yield { take: this.#guard };
  }

  /** CPython's Barrier.wait, step by step. */
  *#waitSteps(timeout: number): Steps<number> {
    const i32 = this.#i32;
    const state = (): number => Atomics.load(i32, kState);
    yield { take: this.#guard };
    try {
      // A round still leaving, or a reset under way, finishes first.
      while (state() === kDraining || state() === kResetting) yield* this.#sleep(Infinity);
      if (state() === kBroken) throw this.#brokenError();
      const index = Atomics.add(i32, kCount, 1);
      try {
        if (index + 1 === this.#parties) {
          this.#setState(kDraining);
          return index;
        }
        const deadline = deadlineAfter(timeout);
        while (state() === kFilling) {
          const left = remainingUntil(deadline);
          if (left === 0) break;
          yield* this.#sleep(left);
        }
        if (state() === kFilling) {
          const waiting = Atomics.load(i32, kCount);
          this.#break(kByTimeout);
          throw new BrokenBarrierError(
            `the barrier is broken: this party timed out after ${timeout} ms, with ${waiting} of ${this.#parties} parties waiting`,
          );
        }
        if (state() === kResetting) throw new BrokenBarrierError('the barrier was reset while this party waited');
        if (state() === kBroken) throw this.#brokenError();
        return index;
      } finally {
        // The last party out of a round (or of a reset) lets the next one fill.
        if (Atomics.sub(i32, kCount, 1) === 1 && (state() === kDraining || state() === kResetting)) {
          this.#setState(kFilling);
        }
      }
    } finally {
      freeLock(i32, kLock);
    }
  }

  #brokenError(): BrokenBarrierError {
    const why = Atomics.load(this.#i32, kBrokenBy) === kByAbort ? 'abort() was called' : 'a party timed out';
    return new BrokenBarrierError(`the barrier is broken: ${why}; reset() it to use it again`);
  }

  /** @internal Where this Barrier lives, for sending it to a thread. */
  [kSharedMemory](): SharedHandle {
    return { kind: 'Barrier', buffer: this.#buffer, byteOffset: this.#byteOffset };
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Barrier { parties: ${this.#parties}, waiting: ${this.nWaiting}, broken: ${this.broken} }`;
  }
}

// Revivable when it arrives in a thread (see prepareDecode in src/thread/transfer.ts).
registerReviver('Barrier', (buffer, byteOffset) => Barrier.fromBuffer(buffer, byteOffset));
