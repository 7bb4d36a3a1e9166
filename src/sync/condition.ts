import { checkCanBlock } from '../platform.js';
import { checkInteger, describeValue, RuntimeError, withArticle } from '../errors.js';
import { kConditionId, kLockId, kRLockId } from './layout.js';
import { Lock } from './lock.js';
import { checkHandle, kSharedMemory, type SharedHandle, slotsFor } from './memory.js';
import { embedRLock, kAcquireRestore, kIsOwned, kReleaseSave, RLock } from './rlock.js';
import { deadlineAfter, remainingUntil, toTimeoutMs } from './timeout.js';
import { runAsync, runBlocking, type Steps, sleepStep, type Takeable } from './wait-steps.js';
import { registerReviver } from '../thread/transfer.js';

// Memory layout, seven Int32 slots, then room for an RLock (44 bytes):
//   (slot 0)    the type tag kConditionId (see memory.ts)
//   kSeq        bumped by every notify that grants wake-ups; waiters sleep on it
//   kTickets    how many waits have begun; each waiter's ticket is the count
//               before its own (wrapping, compared as differences)
//   kBound      kTickets as the latest notify that granted wake-ups saw it:
//               only a waiter whose ticket is below it may take a wake-up
//   kUngranted  waiters that no notify has granted a wake-up to yet
//   kPermits    wake-ups granted and not yet taken
//   kLockKind   where the lock is: kEmbedded, the RLock at kEmbeddedAt in this
//               memory (the default); kLockId or kRLockId, a Lock or an RLock
//               in other memory, given to the constructor
//   kEmbeddedAt the embedded RLock's memory (RLock.SIZE bytes)
//
// How a notify reaches waiters. Everything but taking a granted wake-up
// happens with the lock held: a wait begins (ticket, kUngranted + 1) before
// it releases the lock, a notify grants, and a wait that timed out settles
// its account after taking the lock back. notify(n) moves k = min(n,
// kUngranted) from kUngranted to kPermits and raises kBound to kTickets; a
// waiter takes a permit (a compare-and-swap, without the lock) only if its
// ticket is below kBound, so a wait that begins after a notify never takes
// that notify's wake-up. Each permit is taken by exactly one wait, which
// then returns true: a notify(n) wakes at most n waits.
//
// No wake-up is lost. Call a waiter eligible if its ticket is below
// kBound. Waiters still waiting number kUngranted + kPermits, and eligible
// ones are never fewer than kPermits: a notify makes every waiter eligible
// and grants at most kUngranted; a new wait adds one waiter, not eligible,
// and one to kUngranted; taking a permit removes one eligible waiter and one
// permit; a wait that timed out takes a permit if it is eligible and one is
// left, and otherwise leaves kUngranted — either not eligible, or eligible
// with no permit left, where the count had room for it. So every permit has
// an eligible waiter to take it, and a sleeping eligible waiter is woken by
// the notify that granted it (#waitSteps and #notify say in what order, so
// that the wake-up is not missed).
//
// Which eligible waiter takes a permit is not fixed (CPython's is FIFO):
// when two notifies' permits are out at once, a wait begun between them may
// take the first one's, and a wait begun before the first takes the other.
const kSeq = 1;
const kTickets = 2;
const kBound = 3;
const kUngranted = 4;
const kPermits = 5;
const kLockKind = 6;
const kEmbeddedAt = 28;
const kEmbedded = 0;

/** Where a Condition lives: its buffer and the byte offset of its first slot. */
export interface ConditionMemory {
  /** The shared memory holding the Condition. */
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the Condition's first slot inside {@link ConditionMemory.buffer}. */
  readonly byteOffset: number;
}

let adopting: (ConditionMemory & { lock: Lock | RLock }) | undefined;

/** What a wait needs of its lock beyond acquire and release: CPython's `_is_owned`, `_release_save`, `_acquire_restore`. */
interface Ownership {
  isOwned(): boolean;
  /** Free the lock entirely; what to hand {@link Ownership.restorer} to take it back as it was. */
  releaseSave(): number;
  restorer(saved: number): Takeable;
}

/**
 * Held means, as in CPython: for an RLock, held by the calling thread; for
 * a Lock, which any thread may release, held by anyone (`locked()`).
 */
function ownershipOf(lock: Lock | RLock): Ownership {
  if (lock instanceof RLock) {
    return {
      isOwned: () => lock[kIsOwned](),
      releaseSave: () => lock[kReleaseSave](),
      restorer: (count) => lock[kAcquireRestore](count),
    };
  }
  return {
    isOwned: () => lock.locked(),
    releaseSave: () => {
      lock.release();
      return 1;
    },
    restorer: () => lock,
  };
}

function checkLock(lock: unknown): void {
  if (lock instanceof Lock || lock instanceof RLock) return;
  throw new TypeError(
    `Expected \`lock\` to be a skein Lock or RLock, got ${describeValue(lock)}; ` +
      'pass `new Lock()` or `new RLock()`, or nothing for a new RLock',
  );
}

function checkPredicate(predicate: unknown): void {
  if (typeof predicate !== 'function') {
    throw new TypeError(
      `Expected \`predicate\` to be a function returning whether to stop waiting, got ${describeValue(predicate)}`,
    );
  }
}

/** A wait that has begun: its ticket, and how to take the lock back. */
interface Begun {
  readonly ticket: number;
  readonly restore: Takeable;
}

/**
 * A condition variable shared by every thread: Python's
 * `threading.Condition` on shared memory. Threads hold its lock while they
 * look at shared state; one that must wait for the state to change calls
 * {@link Condition.wait}, which releases the lock and sleeps until another
 * thread, holding the lock, calls {@link Condition.notify} or
 * {@link Condition.notifyAll}. The lock is a {@link Lock} or an
 * {@link RLock} (by default a new RLock, kept in the Condition's own
 * memory). Pass a Condition to a thread (in `args`, as a field of a
 * `Thread` subclass, or as an argument of a pool task) and the thread
 * receives a working Condition on the same memory, lock included.
 *
 * Blocking calls block the whole calling thread; the main thread uses the
 * `Async` forms. On one thread, async code shares an RLock's ownership
 * (it counts as one holder, as in Python): to let several async flows of the
 * main thread use one Condition, make it with a {@link Lock}.
 *
 * @example
 * ```ts
 * // A thread waits until the main thread has filled `box[0]`.
 * const cond = new Condition();
 * const box = new Int32Array(new SharedArrayBuffer(4));
 * const consumer = (cond: Condition, box: Int32Array) => {
 *   cond.acquire();
 *   try {
 *     cond.waitFor(() => box[0] !== 0); // releases the lock while it sleeps
 *     return box[0];
 *   } finally {
 *     cond.release();
 *   }
 * };
 * // … start a Thread with consumer, then, on the main thread:
 * await cond.acquireAsync();
 * box[0] = 42;
 * cond.notify();
 * cond.release();
 * ```
 */
export class Condition {
  /** Bytes of shared memory a Condition occupies (its default RLock included). */
  static readonly SIZE = kEmbeddedAt + RLock.SIZE;

  readonly #buffer: SharedArrayBuffer;
  readonly #byteOffset: number;
  readonly #i32: Int32Array;
  readonly #lock: Lock | RLock;
  readonly #ownership: Ownership;

  /**
   * Create a Condition on fresh shared memory, over `lock` (a {@link Lock}
   * or an {@link RLock}), or over a new RLock when `lock` is omitted.
   *
   * @throws TypeError if `lock` is neither a Lock nor an RLock.
   */
  constructor(lock?: Lock | RLock | null) {
    const adopted = adopting;
    adopting = undefined;
    const given = lock ?? undefined;
    if (adopted === undefined && given !== undefined) checkLock(given);
    const slots = slotsFor(adopted, Condition.SIZE, kConditionId);
    this.#buffer = slots.buffer;
    this.#byteOffset = slots.byteOffset;
    this.#i32 = slots.i32;
    if (adopted !== undefined) this.#lock = adopted.lock;
    else if (given === undefined) this.#lock = embedRLock(slots.buffer, slots.byteOffset + kEmbeddedAt);
    else {
      this.#lock = given;
      slots.i32[kLockKind] = given instanceof Lock ? kLockId : kRLockId;
    }
    this.#ownership = ownershipOf(this.#lock);
  }

  /**
   * A Condition on memory that already holds one — the receiving end of
   * {@link Condition.buffer} sent over any channel. A Condition made over
   * its default RLock finds it in its own memory; one made over a lock of
   * yours needs that lock passed again, rebuilt on its own memory.
   *
   * @param lock - the Lock or RLock the Condition was made with; only for a Condition made with one.
   * @throws TypeError if `buffer` is not a `SharedArrayBuffer`.
   * @throws RangeError if `byteOffset` is not a multiple of 4 or leaves fewer than {@link Condition.SIZE} bytes.
   * @throws TypeError ("invalid handle") if the memory does not hold a Condition.
   * @throws TypeError if `lock` is missing, of the wrong kind, or given to a Condition that keeps its own.
   * @example
   * ```ts
   * const same = Condition.fromBuffer(cond.buffer, cond.byteOffset);
   * const overLock = Condition.fromBuffer(other.buffer, 0, Lock.fromBuffer(lockBuffer));
   * ```
   */
  static fromBuffer(buffer: SharedArrayBuffer, byteOffset = 0, lock?: Lock | RLock): Condition {
    checkHandle(buffer, byteOffset, Condition.SIZE, kConditionId, 'Condition');
    const kind = Atomics.load(new Int32Array(buffer, byteOffset, kLockKind + 1), kLockKind);
    let found: Lock | RLock;
    if (kind === kEmbedded) {
      if (lock !== undefined) {
        throw new TypeError(
          'this Condition keeps its own RLock in its memory; call `Condition.fromBuffer(buffer, byteOffset)` without a lock',
        );
      }
      found = RLock.fromBuffer(buffer, byteOffset + kEmbeddedAt);
    } else {
      const expected = kind === kLockId ? Lock : RLock;
      if (!(lock instanceof expected)) {
        throw new TypeError(
          `this Condition was made over ${withArticle(expected.name)} that lives in other memory: pass it as \`lock\` ` +
            `(\`${expected.name}.fromBuffer(its buffer)\`), got ${describeValue(lock)}`,
        );
      }
      found = lock;
    }
    adopting = { buffer, byteOffset, lock: found };
    return new Condition();
  }

  /** The shared memory holding this Condition; send it anywhere and rebuild with {@link Condition.fromBuffer}. */
  get buffer(): SharedArrayBuffer {
    return this.#buffer;
  }

  /** Byte offset of this Condition inside {@link Condition.buffer}. */
  get byteOffset(): number {
    return this.#byteOffset;
  }

  /**
   * Take the Condition's lock: its `acquire`, blocking the calling thread
   * until the lock is free or `timeoutMs` elapses (`0` only tries).
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means forever, negative acts as 0.
   * @returns true once the lock is held; false if the timeout elapsed first.
   * @throws TypeError if `timeoutMs` is not a number; RangeError if it is NaN.
   */
  acquire(timeoutMs?: number): boolean {
    return this.#lock.acquire(timeoutMs);
  }

  /**
   * Take the Condition's lock without blocking the event loop: its
   * `acquireAsync`. Resolves true once held, false when `timeoutMs` elapses first.
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means forever, negative acts as 0.
   * @throws TypeError if `timeoutMs` is not a number; RangeError if it is NaN (thrown, not rejected).
   */
  acquireAsync(timeoutMs?: number): Promise<boolean> {
    return this.#lock.acquireAsync(timeoutMs);
  }

  /**
   * Release the Condition's lock: its `release`.
   *
   * @throws RuntimeError if the lock is not held (`release unlocked lock`
   *   for a Lock, `cannot release un-acquired lock` for an RLock this thread
   *   does not hold).
   */
  release(): void {
    this.#lock.release();
  }

  /**
   * Release the lock, block the calling thread until a notify wakes it or
   * `timeoutMs` elapses, then take the lock back — however many times an
   * RLock was held, it is released fully and restored as it was. The lock
   * must be held. A notify wakes only waits that began before it. Use
   * {@link Condition.waitAsync} on the main thread.
   *
   * Wait in a loop that checks what you wait for (or use
   * {@link Condition.waitFor}): another thread may change the state between
   * the notify and this thread taking the lock back.
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means forever, negative acts as 0.
   * @returns true if notified; false only if the timeout elapsed first. Either way the lock is held again.
   * @throws TypeError if `timeoutMs` is not a number; RangeError if it is NaN.
   * @throws RuntimeError `cannot wait on un-acquired lock` if the lock is not held.
   * @example
   * ```ts
   * cond.acquire();
   * try {
   *   while (queue.length === 0) cond.wait();
   *   handle(queue.shift());
   * } finally {
   *   cond.release();
   * }
   * ```
   */
  wait(timeoutMs?: number): boolean {
    const timeout = toTimeoutMs(timeoutMs);
    checkCanBlock(timeout, 'condition.wait()', 'await condition.waitAsync()');
    return runBlocking(this.#waitSteps(this.#begin(), timeout));
  }

  /**
   * {@link Condition.wait} without blocking the event loop: releases the
   * lock at once, and resolves once a notify woke it (true) or `timeoutMs`
   * elapsed (false), with the lock held again. The pending wait keeps the
   * process alive, as a blocked wait would.
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means forever, negative acts as 0.
   * @throws TypeError if `timeoutMs` is not a number; RangeError if it is NaN (thrown, not rejected).
   * @throws RuntimeError `cannot wait on un-acquired lock` if the lock is not held (thrown, not rejected).
   * @example
   * ```ts
   * await cond.acquireAsync();
   * try {
   *   while (!done[0]) await cond.waitAsync();
   * } finally {
   *   cond.release();
   * }
   * ```
   */
  waitAsync(timeoutMs?: number): Promise<boolean> {
    const timeout = toTimeoutMs(timeoutMs);
    return runAsync(this.#waitSteps(this.#begin(), timeout));
  }

  /**
   * Wait until `predicate()` returns something truthy, or `timeoutMs` (in
   * all) elapses: Python's `wait_for`. The predicate is called with the lock
   * held — first at once, then after every wake-up. Use
   * {@link Condition.waitForAsync} on the main thread.
   *
   * @param predicate - what to wait for; called with the lock held.
   * @param timeoutMs - milliseconds to wait at most, in all; omitted means forever, negative acts as 0.
   * @returns the predicate's last value: falsy only if the timeout elapsed first.
   * @throws TypeError if `predicate` is not a function, or `timeoutMs` not a number; RangeError if it is NaN.
   * @throws RuntimeError `cannot wait on un-acquired lock` if the lock is not held — even if
   *   the predicate is already true (Python would return it).
   * @example
   * ```ts
   * cond.acquire();
   * try {
   *   if (!cond.waitFor(() => Atomics.load(flags, 0) === 1, 5_000)) console.log('gave up');
   * } finally {
   *   cond.release();
   * }
   * ```
   */
  waitFor<T>(predicate: () => T, timeoutMs?: number): T {
    const timeout = toTimeoutMs(timeoutMs);
    checkCanBlock(timeout, 'condition.waitFor()', 'await condition.waitForAsync()');
    checkPredicate(predicate);
    this.#checkOwned('wait');
    return runBlocking(this.#waitForSteps(predicate, timeout));
  }

  /**
   * {@link Condition.waitFor} without blocking the event loop. The predicate
   * is a plain function (not async), called with the lock held; an error it
   * throws rejects the promise, with the lock held.
   *
   * @param predicate - what to wait for; called with the lock held.
   * @param timeoutMs - milliseconds to wait at most, in all; omitted means forever, negative acts as 0.
   * @returns the predicate's last value: falsy only if the timeout elapsed first.
   * @throws TypeError, RangeError, RuntimeError as {@link Condition.waitFor} (thrown, not rejected).
   */
  waitForAsync<T>(predicate: () => T, timeoutMs?: number): Promise<T> {
    const timeout = toTimeoutMs(timeoutMs);
    checkPredicate(predicate);
    this.#checkOwned('wait');
    return runAsync(this.#waitForSteps(predicate, timeout));
  }

  /**
   * Wake at most `n` of the waits that began before this call (default 1);
   * if fewer are waiting, wake them all. The lock must be held. The woken
   * threads return from `wait` only once they have taken the lock back,
   * after this thread releases it.
   *
   * @throws RangeError if `n` is not an integer ≥ 0 (TypeError if it is not a number).
   * @throws RuntimeError `cannot notify on un-acquired lock` if the lock is not held.
   */
  notify(n = 1): void {
    this.#notify(n === Infinity ? n : checkInteger(n, '`n`', 0, Infinity));
  }

  /**
   * Wake every wait that began before this call. The lock must be held.
   *
   * @throws RuntimeError `cannot notify on un-acquired lock` if the lock is not held.
   */
  notifyAll(): void {
    this.#notify(Infinity);
  }

  #checkOwned(action: 'wait' | 'notify'): void {
    if (!this.#ownership.isOwned()) throw new RuntimeError(`cannot ${action} on un-acquired lock`);
  }

  /** Begin a wait, with the lock held: take a ticket, count it as ungranted, release the lock. */
  #begin(): Begun {
    this.#checkOwned('wait');
    const i32 = this.#i32;
    const ticket = Atomics.add(i32, kTickets, 1);
    Atomics.add(i32, kUngranted, 1);
    // Released only now: a notify that comes after it counts this wait.
    const restore = this.#ownership.restorer(this.#ownership.releaseSave());
    return { ticket, restore };
  }

  /** The steps of one wait that has begun: sleep until granted or the timeout, then take the lock back. */
  *#waitSteps(begun: Begun, timeout: number): Steps<boolean> {
    const i32 = this.#i32;
    const deadline = deadlineAfter(timeout);
    let notified = false;
    for (;;) {
      // kSeq is read before looking for a wake-up: a notify raises kPermits
      // and kBound before kSeq, so if the look below misses its grant, the
      // word has not changed yet, and the sleep returns at once or is woken.
      const seen = Atomics.load(i32, kSeq);
      if (this.#takeWake(begun.ticket)) {
        notified = true;
        break;
      }
      const left = remainingUntil(deadline);
      if (left === 0) break;
      yield sleepStep(i32, kSeq, seen, left);
    }
    yield { take: begun.restore };
    return notified || this.#settleTimeout(begun.ticket);
  }

  *#waitForSteps<T>(predicate: () => T, timeout: number): Steps<T> {
    // As CPython: the first wait gets the whole timeout, later ones what is left of it.
    let result = predicate();
    let deadline: number | undefined;
    while (!result) {
      let left = timeout;
      if (deadline === undefined) deadline = deadlineAfter(timeout);
      else {
        left = remainingUntil(deadline);
        if (left === 0) break;
      }
      yield* this.#waitSteps(this.#begin(), left);
      result = predicate();
    }
    return result;
  }

  /** Take a granted wake-up, if this wait may take one (its ticket is below kBound). */
  #takeWake(ticket: number): boolean {
    const i32 = this.#i32;
    if (((Atomics.load(i32, kBound) - ticket) | 0) <= 0) return false;
    for (let permits = Atomics.load(i32, kPermits); permits > 0; permits = Atomics.load(i32, kPermits)) {
      if (Atomics.compareExchange(i32, kPermits, permits, permits - 1) === permits) return true;
    }
    return false;
  }

  /**
   * A wait timed out and holds the lock again, so no notify runs meanwhile:
   * take a wake-up granted since (the wait was notified after all), or else
   * leave kUngranted — which then counts at least this wait (see the layout).
   */
  #settleTimeout(ticket: number): boolean {
    const i32 = this.#i32;
    for (;;) {
      if (this.#takeWake(ticket)) return true;
      const ungranted = Atomics.load(i32, kUngranted);
      // 0 only if a notify is under way without the lock held (a Lock is
      // "held" by whoever holds it, so any thread can notify then), or died
      // half-way: leaving nothing to lower costs at most an extra wake-up later.
      if (ungranted === 0) return false;
      if (Atomics.compareExchange(i32, kUngranted, ungranted, ungranted - 1) === ungranted) return false;
    }
  }

  #notify(n: number): void {
    this.#checkOwned('notify');
    const i32 = this.#i32;
    for (;;) {
      const ungranted = Atomics.load(i32, kUngranted);
      const k = Math.min(n, ungranted);
      if (k === 0) return;
      if (Atomics.compareExchange(i32, kUngranted, ungranted, ungranted - k) !== ungranted) continue;
      // Make every wait begun so far eligible (kBound only rises), then
      // publish the permits, then change kSeq and wake: a waiter that read
      // kSeq before this and found no permit is sleeping on the old value,
      // or about to, and returns.
      const tickets = Atomics.load(i32, kTickets);
      for (let bound = Atomics.load(i32, kBound); ((tickets - bound) | 0) > 0; bound = Atomics.load(i32, kBound)) {
        if (Atomics.compareExchange(i32, kBound, bound, tickets) === bound) break;
      }
      Atomics.add(i32, kPermits, k);
      Atomics.add(i32, kSeq, 1);
      // Every sleeper, not k: an async waiter whose timeout has just passed
      // may still be registered and would swallow a wake (see Lock.release).
      // Those without a permit for them sleep again.
      Atomics.notify(i32, kSeq);
      return;
    }
  }

  /** @internal Where this Condition lives (and its lock, if elsewhere), for sending it to a thread. */
  [kSharedMemory](): SharedHandle {
    const handle = { kind: 'Condition', buffer: this.#buffer, byteOffset: this.#byteOffset } as const;
    if (Atomics.load(this.#i32, kLockKind) === kEmbedded) return handle;
    return { ...handle, lock: this.#lock[kSharedMemory]() };
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const waiting = Atomics.load(this.#i32, kUngranted) + Atomics.load(this.#i32, kPermits);
    return `Condition { lock: ${this.#lock.constructor.name}, locked: ${this.#lock.locked()}, waiting: ${waiting} }`;
  }
}

// Revivable when it arrives in a thread (see prepareDecode in src/thread/transfer.ts).
registerReviver('Condition', (buffer, byteOffset, lock) =>
  Condition.fromBuffer(buffer, byteOffset, lock as Lock | RLock | undefined),
);
