import { describeValue } from '../errors.js';

/**
 * Normalise a timeout given in milliseconds, as every blocking call takes it.
 *
 * `undefined` (and `null`) mean "no timeout" and become `Infinity`; a
 * negative number acts as 0, as in Python. Anything that is not a number is a
 * `TypeError`, and NaN a `RangeError`, both naming the parameter.
 */
export function toTimeoutMs(value: unknown, name = 'timeoutMs'): number {
  if (value === undefined || value === null) return Infinity;
  if (typeof value !== 'number') {
    throw new TypeError(`Expected \`${name}\` to be a number of milliseconds, got ${describeValue(value)}`);
  }
  if (Number.isNaN(value)) {
    throw new RangeError(`Expected \`${name}\` to be a number of milliseconds, got NaN`);
  }
  return value < 0 ? 0 : value;
}

/**
 * Now, in milliseconds, on a clock every thread reads alike — each thread's
 * `performance.now()` counts from that thread's own start — for deadlines
 * set in one thread and enforced in another.
 */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * `promise`'s outcome, or a rejection with `timedOut()` if it has not
 * settled within `timeoutMs` (`Infinity`: it waits as long as `promise`).
 * The timer keeps the process alive while it runs.
 */
export function settleWithin<V>(promise: PromiseLike<V>, timeoutMs: number, timedOut: () => Error): Promise<V> {
  if (timeoutMs === Infinity) return Promise.resolve(promise);
  return new Promise<V>((resolve, reject) => {
    const timer = setTimeout(() => reject(timedOut()), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** A monotonic deadline `timeoutMs` from now (`Infinity` stays `Infinity`). */
export function deadlineAfter(timeoutMs: number): number {
  return timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
}

/** Milliseconds left before `deadline`, never negative. */
export function remainingUntil(deadline: number): number {
  if (deadline === Infinity) return Infinity;
  const left = deadline - performance.now();
  return Math.max(left, 0);
}

/** Longest delay a Node timer accepts; a longer one would fire after 1 ms. */
const kMaxTimerMs = 2 ** 31 - 1;

/**
 * Call `fn` once, `delayMs` from now, on a timer that does not keep the
 * process alive; `Infinity` never calls it. A delay beyond Node's timer
 * limit (~24.8 days) is re-armed, never fired early. Returns a function
 * that cancels the call.
 */
export function unrefTimeout(delayMs: number, fn: () => void): () => void {
  if (delayMs === Infinity) return () => {};
  const deadline = deadlineAfter(delayMs);
  let timer: NodeJS.Timeout;
  const arm = (): void => {
    const left = remainingUntil(deadline);
    if (left === 0) return fn();
    timer = setTimeout(arm, Math.min(left, kMaxTimerMs));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
