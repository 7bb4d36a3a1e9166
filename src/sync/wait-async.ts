/**
 * Asynchronous waiting on a shared Int32 slot, for the main thread and async
 * code, where `Atomics.wait` would block the event loop.
 */

/** The outcome of one wait, as `Atomics.wait` reports it. */
export type WaitOutcome = 'ok' | 'not-equal' | 'timed-out';

import { callAfter, kMaxTimerMs } from './timeout.js';

const noop = (): void => {};

const nativeWaitAsync: typeof Atomics.waitAsync | undefined =
  typeof Atomics.waitAsync === 'function' ? Atomics.waitAsync.bind(Atomics) : undefined;

/**
 * Resolve once `i32[index]` is notified while holding `value`, or has already
 * changed, or `timeoutMs` (`Infinity` for none) has elapsed.
 *
 * A pending `Atomics.waitAsync` alone does not keep Node's event loop alive,
 * so unless `keepAlive` is false a ref'd timer holds the process open for as
 * long as the wait is pending — as a blocked `wait()` would in Python.
 */
export function waitAsyncFor(
  i32: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
  keepAlive = true,
): Promise<WaitOutcome> {
  if (nativeWaitAsync === undefined) return pollFor(i32, index, value, timeoutMs, keepAlive);
  const waiting = nativeWaitAsync(i32, index, value, timeoutMs);
  if (!waiting.async) return Promise.resolve(waiting.value);
  return new Promise((resolve) => {
    // V8 times the wait out through a task Node does not count as pending
    // work, so our own timer both enforces the timeout and, when keepAlive,
    // holds the process open; an endless wait is held open by an interval.
    const holder = timeoutMs === Infinity && keepAlive ? setInterval(noop, kMaxTimerMs) : undefined;
    const cancel = callAfter(timeoutMs, () => resolve('timed-out'), keepAlive);
    void waiting.value.then((outcome) => {
      clearInterval(holder);
      cancel();
      resolve(outcome);
    });
  });
}

/**
 * Hold the process open until `promise` settles — for waits on things Node
 * does not count as pending work (an unref'd worker's exit).
 */
export function keepingAlive<T>(promise: Promise<T>): Promise<T> {
  const holder = setInterval(noop, kMaxTimerMs);
  return promise.finally(() => clearInterval(holder));
}

/**
 * Fallback for runtimes without `Atomics.waitAsync`: check the slot on a
 * timer whose period grows from 1 ms to 20 ms.
 */
function pollFor(
  i32: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
  keepAlive: boolean,
): Promise<WaitOutcome> {
  if (Atomics.load(i32, index) !== value) return Promise.resolve('not-equal');
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve) => {
    let period = 1;
    const tick = (): void => {
      if (Atomics.load(i32, index) !== value) return resolve('ok');
      const left = deadline - performance.now();
      if (left <= 0) return resolve('timed-out');
      period = Math.min(period * 2, 20);
      const timer = setTimeout(tick, Math.min(period, left));
      if (!keepAlive) timer.unref();
    };
    const timer = setTimeout(tick, 1);
    if (!keepAlive) timer.unref();
  });
}
