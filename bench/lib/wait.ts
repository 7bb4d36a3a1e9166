// Bounded waits for the harness: a benchmark that hangs is worse than one
// that fails, so every wait has a deadline and says what it waited for.
import { setTimeout as delay } from 'node:timers/promises';

/** Sleep on the event loop. */
export const pause = (ms: number): Promise<void> => delay(ms);

/** Error thrown by a wait that ran out of time. */
export class BenchTimeout extends Error {
  override name = 'BenchTimeout';
}

/**
 * Wait, without blocking the event loop, until `i32[index]` is at least
 * `value` (the slots the harness waits on only grow).
 * @throws BenchTimeout `failed to WHAT in N s` after `timeoutMs`.
 */
export async function waitForSlot(
  i32: Int32Array,
  index: number,
  value: number,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const seen = Atomics.load(i32, index);
    if (seen >= value) return;
    const left = deadline - performance.now();
    if (left <= 0) throw new BenchTimeout(`failed to ${what} in ${(timeoutMs / 1000).toFixed(1)} s`);
    const waited = Atomics.waitAsync(i32, index, seen, left);
    if (waited.async) await waited.value;
  }
}

/**
 * Settle `promise` or fail after `timeoutMs` with `failed to WHAT in N s`.
 * The promise's own rejection passes through.
 */
export async function within<T>(promise: PromiseLike<T>, what: string, timeoutMs = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BenchTimeout(`failed to ${what} in ${(timeoutMs / 1000).toFixed(1)} s`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Settle `promise` either way and say how: the harness measures cancellations, where rejecting is the point. */
export function settled(promise: PromiseLike<unknown>): Promise<'fulfilled' | 'rejected'> {
  return Promise.resolve(promise).then(
    () => 'fulfilled' as const,
    () => 'rejected' as const,
  );
}

/** Monotonic time in nanoseconds, comparable between threads of the process (CLOCK_MONOTONIC). */
export const hrtimeNs = (): bigint => process.hrtime.bigint();
