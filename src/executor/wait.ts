import { TimeoutError, describeValue } from '../errors.js';
import { callAfter, toTimeoutMs } from '../sync/timeout.js';
import { Future } from './future.js';

/** `wait()` returns as soon as any future finishes or is cancelled. */
export const FIRST_COMPLETED = 'FIRST_COMPLETED';
/** `wait()` returns as soon as any future fails, or when all are done if none fails. */
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
/** `wait()` returns when every future is done. */
export const ALL_COMPLETED = 'ALL_COMPLETED';

/** When {@link wait} returns. */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/** Options of {@link wait}. */
export interface WaitOptions {
  /** Milliseconds to wait at most. Default: no limit. */
  timeout?: number;
  /** When to return. Default: `ALL_COMPLETED`. */
  returnWhen?: ReturnWhen;
}

/**
 * The futures {@link wait} saw done, and the others: the very futures it was
 * given, typed as they were given — `wait([a, b])` with `a: Future<number>`
 * and `b: Future<string>` gives Sets of `Future<number> | Future<string>`.
 *
 * @typeParam F - the type of the futures waited for.
 */
export interface DoneAndNotDone<F extends Future<unknown> = Future<unknown>> {
  /** The futures finished or cancelled when wait() returned. */
  done: Set<F>;
  /** The others, still pending or running. */
  notDone: Set<F>;
}

function toFutureSet<F extends Future<unknown>>(futures: Iterable<F>, name: string): Set<F> {
  if (futures === null || typeof (futures as Iterable<F>)?.[Symbol.iterator] !== 'function') {
    throw new TypeError(`Expected \`${name}\` to be an iterable of futures, got ${describeValue(futures)}`);
  }
  const set = new Set<F>();
  for (const future of futures) {
    if (!(future instanceof Future))
      throw new TypeError(`Expected \`${name}\` to hold only futures, got ${describeValue(future)}`);
    set.add(future);
  }
  return set;
}

function failed(future: Future<unknown>): boolean {
  return future.done() && !future.cancelled() && future.exceptionNow() !== undefined;
}

/**
 * Wait for futures: Python's `concurrent.futures.wait`. Resolves with the
 * futures done (finished or cancelled) and the rest, when `returnWhen` is
 * met or `timeout` ms have passed — it never rejects on timeout.
 * `FIRST_EXCEPTION` ignores cancelled futures and acts as `ALL_COMPLETED`
 * when none fails. Duplicates count once. The futures may have different
 * result types: the Sets hold them typed as they were passed.
 *
 * @typeParam F - the type of the futures (a union when they differ).
 *
 * @throws TypeError if `futures` is not an iterable of futures or `returnWhen` is unknown; TypeError/RangeError for a bad timeout.
 * @example
 * ```ts
 * const { done, notDone } = await wait(futures, { timeout: 5_000, returnWhen: FIRST_COMPLETED });
 * ```
 */
export function wait<F extends Future<unknown>>(
  futures: Iterable<F>,
  options: WaitOptions = {},
): Promise<DoneAndNotDone<F>> {
  const set = toFutureSet(futures, 'futures');
  const timeout = toTimeoutMs(options.timeout, 'timeout');
  const returnWhen = options.returnWhen ?? ALL_COMPLETED;
  if (returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED) {
    throw new TypeError(
      `Expected \`returnWhen\` to be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED, got ${describeValue(returnWhen)}`,
    );
  }
  const split = (): DoneAndNotDone<F> => {
    const done = new Set<F>();
    const notDone = new Set<F>();
    for (const future of set) (future.done() ? done : notDone).add(future);
    return { done, notDone };
  };
  const satisfied = (): boolean => {
    const all = [...set];
    if (all.every((f) => f.done())) return true;
    if (returnWhen === FIRST_COMPLETED) return all.some((f) => f.done());
    if (returnWhen === FIRST_EXCEPTION) return all.some(failed);
    return false;
  };
  if (satisfied() || timeout === 0) return Promise.resolve(split());
  return new Promise((resolve) => {
    const removers: (() => void)[] = [];
    let cancel: (() => void) | undefined;
    const finish = (): void => {
      cancel?.();
      for (const remove of removers) remove();
      resolve(split());
    };
    if (timeout !== Infinity) cancel = callAfter(timeout, finish);
    for (const future of set) {
      if (!future.done()) removers.push(future.onDone(() => satisfied() && finish()));
    }
  });
}

/**
 * A future as {@link asCompleted} yields it: the very same object, typed
 * without `then`. TypeScript types `for await (const x of it)` as the
 * awaited element, which for a thenable Future would claim its result —
 * while at run time the loop receives the future itself.
 */
export type CompletedFuture<R> = Omit<Future<R>, 'then'>;

/**
 * What {@link asCompleted} yields for futures of type `F`: a
 * {@link CompletedFuture} of each one's own result type
 * (`CompletedFuture<number> | CompletedFuture<string>` for a mix).
 */
export type CompletedFutureOf<F extends Future<unknown>> = F extends Future<infer R> ? CompletedFuture<R> : never;

/**
 * Yield the futures as they complete (finished or cancelled) — those
 * already done first: Python's `concurrent.futures.as_completed`.
 * Duplicates are yielded once. The futures may have different result
 * types: each is yielded typed as it was passed.
 *
 * @typeParam F - the type of the futures (a union when they differ).
 * @param timeoutMs - milliseconds, from this call, for all of them to complete.
 * @throws (from the iterator) TimeoutError naming how many futures are unfinished when the time is up.
 * @example
 * ```ts
 * for await (const future of asCompleted(futures)) console.log(await future);
 * ```
 */
export function asCompleted<F extends Future<unknown>>(
  futures: Iterable<F>,
  timeoutMs?: number,
): AsyncIterableIterator<CompletedFutureOf<F>> {
  const set = toFutureSet(futures, 'futures');
  const timeout = toTimeoutMs(timeoutMs);
  const deadline = timeout === Infinity ? Infinity : performance.now() + timeout;
  // Queue futures in the order they complete, starting with those done now.
  const completed: F[] = [];
  const pending = new Set<F>();
  let wake: (() => void) | undefined;
  const removers: (() => void)[] = [];
  for (const future of set) {
    if (future.done()) completed.push(future);
    else pending.add(future);
  }
  for (const future of pending) {
    removers.push(
      future.onDone(() => {
        pending.delete(future);
        completed.push(future);
        wake?.();
      }),
    );
  }
  let finished = false;
  const close = (): IteratorResult<CompletedFutureOf<F>> => {
    finished = true;
    for (const remove of removers) remove();
    return { value: undefined, done: true };
  };
  // Written by hand, not as an async generator: an async generator's
  // `yield` awaits a thenable, and a Future is one — it would yield results
  // instead of the futures themselves.
  const iterator: AsyncIterableIterator<CompletedFutureOf<F>> = {
    async next(): Promise<IteratorResult<CompletedFutureOf<F>>> {
      for (;;) {
        if (finished) return { value: undefined, done: true };
        const next = completed.shift();
        // A Future<R> is the CompletedFuture<R> its own type gives.
        if (next !== undefined) return { value: next as CompletedFuture<unknown> as CompletedFutureOf<F>, done: false };
        if (pending.size === 0) return close();
        const left = deadline - performance.now();
        if (left <= 0) {
          const unfinished = pending.size;
          close();
          throw new TimeoutError(`${unfinished} (of ${set.size}) futures unfinished`);
        }
        await new Promise<void>((resolve) => {
          const cancel = callAfter(left, resolve);
          wake = () => {
            cancel();
            resolve();
          };
        });
        wake = undefined;
      }
    },
    async return(): Promise<IteratorResult<CompletedFutureOf<F>>> {
      return close();
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
