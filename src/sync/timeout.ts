import { describeValue } from '../errors.js';
import { unrefTimer } from '../platform.js';

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

// Read once: `performance.timeOrigin` is a getter that calls into the
// runtime each time (~25 ns on Node), and a thread's origin never changes.
// Read on first need, not as this module loads: on Node, the first read of
// the `performance` global loads perf_hooks (~0.1 MiB per worker), which a
// worker that never takes the time does without.
let timeOrigin: number | undefined;

/**
 * Now, in milliseconds, on a clock every thread reads alike — each thread's
 * `performance.now()` counts from that thread's own start — for deadlines
 * set in one thread and enforced in another.
 */
export function sharedNow(): number {
  timeOrigin ??= performance.timeOrigin;
  return timeOrigin + performance.now();
}

/**
 * `promise`'s outcome, or a rejection with `timedOut()` if it has not
 * settled within `timeoutMs` (`Infinity`: it waits as long as `promise`).
 * The timer ({@link callAfter}: any length) keeps the process alive while it runs.
 */
export function settleWithin<V>(promise: PromiseLike<V>, timeoutMs: number, timedOut: () => Error): Promise<V> {
  if (timeoutMs === Infinity) return Promise.resolve(promise);
  return new Promise<V>((resolve, reject) => {
    const cancel = callAfter(timeoutMs, () => reject(timedOut()));
    promise.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (error: unknown) => {
        cancel();
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

/**
 * Longest delay a timer accepts (2³¹−1 ms, ~24.8 days). Node, Bun, Deno and
 * browsers all fire a longer `setTimeout` after about 1 ms instead.
 */
export const kMaxTimerMs = 2 ** 31 - 1;

const noop = (): void => {};

/**
 * Call `fn` once, `delayMs` from now: the one timer every timeout in skein
 * uses. A delay beyond the platform's timer limit ({@link kMaxTimerMs}) is
 * re-armed in steps and never fires early, and a timer that fires a little
 * before its deadline (timers round to whole milliseconds) is re-armed for
 * the rest, so `fn` never runs before `delayMs` has passed on the monotonic
 * clock. `fn` is always called from a timer, never synchronously (not
 * even for 0). `Infinity` never calls `fn` and arms nothing.
 *
 * Non-blocking: returns at once.
 *
 * @param delayMs - milliseconds, ≥ 0 or `Infinity` (callers normalise with {@link toTimeoutMs}).
 * @param keepAlive - whether the pending call keeps the process alive, as a
 *   plain `setTimeout` does (default); `false` lets the process exit first.
 * @returns a function that cancels the call; calling it again does nothing.
 * @example
 * ```ts
 * const cancel = callAfter(timeoutMs, () => reject(new TimeoutError('timed out')));
 * outcome.finally(cancel);
 * ```
 */
export function callAfter(delayMs: number, fn: () => void, keepAlive = true): () => void {
  if (delayMs === Infinity) return noop;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = deadlineAfter(delayMs);
  const arm = (left: number): void => {
    timer = setTimeout(fire, Math.min(left, kMaxTimerMs));
    if (!keepAlive) unrefTimer(timer);
  };
  const fire = (): void => {
    timer = undefined;
    const left = remainingUntil(deadline);
    if (left === 0) fn();
    else arm(left);
  };
  // Always from a timer, even for 0: never inside this call.
  arm(delayMs);
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
}

/**
 * {@link callAfter} on a timer that does not keep the process alive —
 * except that a delay of 0 (a deadline already due) calls `fn` at once,
 * inside this call. Returns a function that cancels the call.
 */
export function unrefTimeout(delayMs: number, fn: () => void): () => void {
  if (delayMs <= 0) {
    fn();
    return noop;
  }
  return callAfter(delayMs, fn, false);
}
