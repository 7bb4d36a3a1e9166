/**
 * A wait written once, run two ways. Condition and Barrier wait in several
 * blocking steps (take a lock, sleep on a word, take the lock again); each
 * writes its wait as a generator that yields those steps, and
 * {@link runBlocking} performs them by blocking the calling thread (`wait`)
 * while {@link runAsync} performs them by awaiting (`waitAsync`).
 *
 * Between two yields a generator runs synchronously: what it does after a
 * `take` and before its next yield runs with the lock held and nothing else
 * of this thread interleaved, in both forms.
 */
import { waitAsyncFor } from './wait-async.js';

/** A lock a step can take: a Lock, an RLock, or an adapter. */
export interface Takeable {
  /** Take it, waiting up to `timeoutMs` (omitted: forever); whether it is held. */
  acquire(timeoutMs?: number): boolean;
  /** Take it, waiting as long as it takes, without blocking the event loop. */
  acquireAsync(): Promise<boolean>;
}

/** Take a lock, waiting as long as it takes. */
export interface TakeStep {
  readonly take: Takeable;
}

/** Sleep while `i32[index]` holds `value`, at most `timeout` ms (a wake-up or a change ends it). */
export interface SleepStep {
  readonly sleep: Int32Array;
  readonly index: number;
  readonly value: number;
  readonly timeout: number;
}

/** One blocking step of a wait. */
export type Step = TakeStep | SleepStep;

/** The steps of a wait that ends with a `T`. */
export type Steps<T> = Generator<Step, T, undefined>;

/** A step that sleeps on `i32[index]` while it holds `value`. */
export function sleepStep(i32: Int32Array, index: number, value: number, timeout: number): SleepStep {
  return { sleep: i32, index, value, timeout };
}

/** Run `steps`, blocking the calling thread at each one. */
export function runBlocking<T>(steps: Steps<T>): T {
  for (let next = steps.next(); ; next = steps.next()) {
    if (next.done) return next.value;
    const step = next.value;
    if ('take' in step) step.take.acquire();
    else Atomics.wait(step.sleep, step.index, step.value, step.timeout);
  }
}

/**
 * Run `steps` without blocking the event loop. The steps up to the first
 * one that must wait run at once, inside this call — a lock that is free is
 * taken at once — so that, say, a party of a Barrier is counted as soon as
 * `waitAsync()` returns.
 */
export async function runAsync<T>(steps: Steps<T>): Promise<T> {
  for (let next = steps.next(); ; next = steps.next()) {
    if (next.done) return next.value;
    const step = next.value;
    if ('take' in step) {
      if (!step.take.acquire(0)) await step.take.acquireAsync();
    } else await waitAsyncFor(step.sleep, step.index, step.value, step.timeout);
  }
}
