/**
 * Asynchronous waiting on a shared Int32 slot, for the main thread and async
 * code, where `Atomics.wait` would block the event loop.
 */

/** The outcome of one wait, as `Atomics.wait` reports it. */
export type WaitOutcome = 'ok' | 'not-equal' | 'timed-out';

import { unrefTimer } from '../platform.js';
import { callAfter, kMaxTimerMs } from './timeout.js';

const noop = (): void => {};

const nativeWaitAsync: typeof Atomics.waitAsync | undefined =
  typeof Atomics.waitAsync === 'function' ? Atomics.waitAsync.bind(Atomics) : undefined;

/**
 * Resolve once `i32[index]` is notified while holding `value`, or has already
 * changed, or `timeoutMs` (`Infinity` for none) has elapsed. `onUnregistered`
 * is called when the wait stops counting for `Atomics.notify` (see below).
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
  onUnregistered?: () => void,
): Promise<WaitOutcome> {
  if (nativeWaitAsync === undefined) {
    onUnregistered?.();
    return pollFor(i32, index, value, timeoutMs, keepAlive);
  }
  const waiting = nativeWaitAsync(i32, index, value, timeoutMs);
  if (!waiting.async) {
    onUnregistered?.();
    return Promise.resolve(waiting.value);
  }
  if (timeoutMs > kMaxTimerMs) {
    // No timer can time this wait out: it is endless (or as good as). The
    // one shared holder keeps the process open, if asked: a timer each
    // would cost more than the wait on a queue's hot path.
    const release = keepAlive ? holdOpen() : undefined;
    return waiting.value.then((outcome) => {
      release?.();
      onUnregistered?.();
      return outcome;
    });
  }
  // `onUnregistered` runs once the runtime no longer counts this waiter
  // (woken, or its own timeout passed) — which may be after the promise
  // below has resolved by our timer: until then, a notify may wake it.
  if (onUnregistered !== undefined) void waiting.value.then(onUnregistered);
  return new Promise((resolve) => {
    // V8 times the wait out through a task Node does not count as pending
    // work, so our own timer both enforces the timeout and, when keepAlive,
    // holds the process open (this wait's timeout is within a timer's reach: see above).
    const cancel = callAfter(timeoutMs, () => resolve('timed-out'), keepAlive);
    void waiting.value.then((outcome) => {
      cancel();
      resolve(outcome);
    });
  });
}

let holders = 0;
let holder: ReturnType<typeof setInterval> | undefined;

/** Keep the process open until the returned function is called: one interval for every caller at once. */
function holdOpen(): () => void {
  if (holders++ === 0) holder = setInterval(noop, kMaxTimerMs);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) {
      clearInterval(holder);
      holder = undefined;
    }
  };
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
      if (!keepAlive) unrefTimer(timer);
    };
    const timer = setTimeout(tick, 1);
    if (!keepAlive) unrefTimer(timer);
  });
}
