/**
 * A lock in one Int32 slot, the three-state futex lock: 0 unlocked; 1
 * locked, nobody waiting; 2 locked, maybe someone waiting. Taking a free
 * lock is one compare-and-swap; a release wakes waiters only when the state
 * says there may be some. Lock and RLock are built on it.
 */
import { mayBlock } from '../platform.js';
import { deadlineAfter, remainingUntil } from './timeout.js';
import { waitAsyncFor } from './wait-async.js';

const kUnlocked = 0;
const kLocked = 1;
const kContended = 2;

/** Whether the lock in `i32[index]` is held. */
export function isLocked(i32: Int32Array, index: number): boolean {
  return Atomics.load(i32, index) !== kUnlocked;
}

/**
 * Take the lock in `i32[index]`, blocking up to `timeout` ms (`Infinity`:
 * forever). With `spins`, first try that many times more before sleeping:
 * for locks held a few hundred nanoseconds at a time, where a futex sleep
 * and wake (tens of µs here) would cost far more than the wait.
 */
export function takeLock(i32: Int32Array, index: number, timeout: number, spins = 0): boolean {
  let state = Atomics.compareExchange(i32, index, kUnlocked, kLocked);
  if (state === kUnlocked) return true;
  for (let i = 0; i < spins && state !== kContended; i++) {
    if (Atomics.load(i32, index) === kUnlocked) {
      state = Atomics.compareExchange(i32, index, kUnlocked, kLocked);
      if (state === kUnlocked) return true;
    }
  }
  const deadline = deadlineAfter(timeout);
  for (;;) {
    // Say a waiter is coming, then sleep while the lock stays taken.
    if (state === kContended || Atomics.compareExchange(i32, index, kLocked, kContended) !== kUnlocked) {
      const left = remainingUntil(deadline);
      if (left === 0) return false;
      // A page's main thread may not sleep (only skein's internal locks,
      // held for moments, get here there: the public blocking forms refuse
      // it first): it spins instead, retrying below until the lock is free.
      if (mayBlock()) Atomics.wait(i32, index, kContended, left);
    }
    // Woken, timed out or never slept: try again, keeping the contended
    // mark (another waiter may still sleep on it).
    state = Atomics.compareExchange(i32, index, kUnlocked, kContended);
    if (state === kUnlocked) return true;
  }
}

/** {@link takeLock} without blocking the event loop. */
export function takeLockAsync(i32: Int32Array, index: number, timeout: number): Promise<boolean> {
  let state = Atomics.compareExchange(i32, index, kUnlocked, kLocked);
  if (state === kUnlocked) return Promise.resolve(true);
  const deadline = deadlineAfter(timeout);
  const loop = async (): Promise<boolean> => {
    for (;;) {
      if (state === kContended || Atomics.compareExchange(i32, index, kLocked, kContended) !== kUnlocked) {
        const left = remainingUntil(deadline);
        if (left === 0) return false;
        await waitAsyncFor(i32, index, kContended, left);
      }
      state = Atomics.compareExchange(i32, index, kUnlocked, kContended);
      if (state === kUnlocked) return true;
    }
  };
  return loop();
}

/** Free the lock in `i32[index]` and wake its waiters; false if it was not held. */
export function freeLock(i32: Int32Array, index: number): boolean {
  for (;;) {
    const state = Atomics.load(i32, index);
    if (state === kUnlocked) return false;
    if (Atomics.compareExchange(i32, index, state, kUnlocked) === state) {
      // Every waiter, not one: an async waiter whose timeout has just passed
      // may still be registered, and would swallow a single wake.
      if (state === kContended) Atomics.notify(i32, index);
      return true;
    }
  }
}
