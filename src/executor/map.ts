/**
 * The calls of `ThreadPoolExecutor.map` and the iterator of their results:
 * every call submitted at once, as Python's `Executor.map`, or at most
 * `buffersize` ahead of the consumer, as Python 3.14's — over an iterable,
 * or beyond Python over an async iterable.
 *
 * The calls wait in `#calls`, oldest first from `#head`. A call is a
 * future, or a {@link Failure} standing at the position where the input
 * failed (or submit refused the item): nothing is pulled after it. With
 * `buffersize` B, no more than B + (results asked for) calls are ever
 * placed: Python places the first B at the map() call and one more at each
 * request for a result, before waiting for it.
 */
import { describeValue, TimeoutError } from '../errors.js';
import { settleWithin, toTimeoutMs } from '../sync/timeout.js';
import type { Future } from './future.js';

/** Options of {@link ThreadPoolExecutor.map}. */
export interface MapOptions {
  /** Milliseconds, from the `map()` call, for every result to arrive; then the iterator throws TimeoutError. */
  timeout?: number;
  /**
   * The most calls submitted ahead of the consumer (Python 3.14's
   * `buffersize`): the first `buffersize` items are submitted at the
   * `map()` call, then one more each time a result is asked for, so an
   * endless or huge input runs in bounded memory. Default: every item is
   * submitted at once (an async iterable: as its items arrive).
   */
  buffersize?: number;
}

/** The input failed at this position (or `submit` refused its item): the iterator throws `error` there. */
class Failure {
  constructor(readonly error: unknown) {}
}

const done: IteratorReturnResult<void> = { done: true, value: undefined };
const noop = (): void => {};

/**
 * Check `buffersize`: `undefined` (or `null`) for none, which is `Infinity`.
 * @throws TypeError if it is not a number; RangeError if it is not an integer ≥ 1.
 */
function toBuffersize(value: unknown): number {
  if (value === undefined || value === null) return Infinity;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    const message = `Expected \`buffersize\` to be an integer ≥ 1, got ${describeValue(value)}`;
    throw typeof value === 'number' ? new RangeError(message) : new TypeError(message);
  }
  return value;
}

/**
 * Start a map: place its first calls now (all of a sync iterable's, or its
 * first `buffersize`; an async iterable's as its items arrive) and return
 * the iterator of their results, in input order.
 *
 * @throws TypeError/RangeError for a bad `timeout`, `buffersize` or `iterable`;
 *   what the input or `submit` throws for the calls placed now (those
 *   already submitted are cancelled).
 * @internal
 */
export function mapCalls<T, R>(
  submit: (item: T) => Future<R>,
  iterable: Iterable<T> | AsyncIterable<T>,
  options: MapOptions,
): AsyncGenerator<R, void, undefined> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `Expected \`options\` to be an object { timeout?, buffersize? }, got ${describeValue(options)}`,
    );
  }
  const timeout = toTimeoutMs(options.timeout, 'timeout');
  const buffersize = toBuffersize(options.buffersize);
  const source = iterable as Partial<Iterable<T> & AsyncIterable<T>> | null | undefined;
  // As `for await` does: an async iterable's own iterator first.
  const asyncIterator = source?.[Symbol.asyncIterator];
  if (typeof asyncIterator === 'function') {
    return new MapResults(submit, timeout, buffersize, { async: asyncIterator.call(source) });
  }
  const syncIterator = source?.[Symbol.iterator];
  if (typeof syncIterator === 'function') {
    return new MapResults(submit, timeout, buffersize, { sync: syncIterator.call(source) });
  }
  throw new TypeError(`Expected \`iterable\` to be an iterable or an async iterable, got ${describeValue(iterable)}`);
}

/** The results of a map, as an async generator would give them: one request at a time, in order. */
class MapResults<T, R> implements AsyncGenerator<R, void, undefined> {
  readonly #submit: (item: T) => Future<R>;
  readonly #timeout: number;
  readonly #deadline: number;
  readonly #buffersize: number;
  #calls: (Future<R> | Failure | undefined)[] = [];
  #head = 0;
  /** Calls placed so far, and results asked for so far. */
  #placed = 0;
  #asked = 0;
  /** The input, until it ends, fails or is closed. */
  #sync: Iterator<T> | undefined;
  #async: AsyncIterator<T> | undefined;
  /** An async pull is in flight: whoever sees it settle after the close closes the input. */
  #pulling = false;
  #closed = false;
  /** Wakes the one request waiting for a call to be placed (or the input to end). */
  #onPlaced: (() => void) | undefined;
  /** Wakes the async pump waiting for room. */
  #onRoom: (() => void) | undefined;
  /** next(), return() and throw() run one after another, as on a generator. */
  #turn: Promise<unknown> = Promise.resolve();

  constructor(
    submit: (item: T) => Future<R>,
    timeout: number,
    buffersize: number,
    input: { sync: Iterator<T> } | { async: AsyncIterator<T> },
  ) {
    this.#submit = submit;
    this.#timeout = timeout;
    this.#deadline = timeout === Infinity ? Infinity : performance.now() + timeout;
    this.#buffersize = buffersize;
    if ('sync' in input) {
      this.#sync = input.sync;
      this.#fillSync();
      // The calls placed at once fail at once, as Python's map() raises.
      const last = this.#calls.at(-1);
      if (last instanceof Failure) {
        void this.#close().catch(noop);
        throw last.error;
      }
    } else {
      this.#async = input.async;
      void this.#pump();
    }
  }

  next(): Promise<IteratorResult<R, void>> {
    return this.#inTurn(() => this.#next());
  }

  /** Close the map early: the calls not yet started are cancelled, and the input is closed. */
  return(value?: void | PromiseLike<void>): Promise<IteratorResult<R, void>> {
    return this.#inTurn(async () => {
      await this.#close();
      await value;
      return done;
    });
  }

  throw(error: unknown): Promise<IteratorResult<R, void>> {
    return this.#inTurn(async () => {
      await this.#close().catch(noop);
      throw error;
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** `await using results = pool.map(...)` closes the map when the block ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  #inTurn<V>(step: () => Promise<V>): Promise<V> {
    const run = this.#turn.then(step);
    this.#turn = run.catch(noop);
    return run;
  }

  async #next(): Promise<IteratorResult<R, void>> {
    if (this.#closed) return done;
    this.#asked++;
    try {
      // Python places the next call before waiting for this result.
      if (this.#sync !== undefined) this.#fillSync();
      else this.#onRoom?.();
      while (this.#head === this.#calls.length) {
        if (this.#sync === undefined && this.#async === undefined) {
          await this.#close();
          return done;
        }
        await this.#within(new Promise<void>((resolve) => (this.#onPlaced = resolve)));
      }
      const call = this.#calls[this.#head]!;
      if (call instanceof Failure) throw call.error;
      // Awaited, not result(): a lone task's result may be taken at once.
      const value = await this.#within(call);
      this.#calls[this.#head++] = undefined;
      this.#compact();
      return { done: false, value };
    } catch (error) {
      await this.#close().catch(noop);
      throw error;
    }
  }

  /** Whether one more call may be placed: Python's B + (results asked for). */
  #hasRoom(): boolean {
    return !this.#closed && this.#placed < this.#buffersize + this.#asked;
  }

  #fillSync(): void {
    const input = this.#sync;
    while (input !== undefined && this.#sync !== undefined && this.#hasRoom()) {
      let step: IteratorResult<T>;
      try {
        step = input.next();
      } catch (error) {
        this.#sync = undefined;
        this.#place(new Failure(error));
        return;
      }
      if (step.done) this.#sync = undefined;
      else this.#submitItem(step.value);
    }
  }

  /** Pull the async input one item at a time while there is room, until it ends, fails or the map closes. */
  async #pump(): Promise<void> {
    const input = this.#async!;
    // #async is cleared when the input ends, fails, is closed, or submit refuses an item.
    while (!this.#closed && this.#async === input) {
      if (!this.#hasRoom()) {
        await new Promise<void>((resolve) => (this.#onRoom = resolve));
        continue;
      }
      this.#pulling = true;
      const step = await pull(input);
      this.#pulling = false;
      const ended = step instanceof Failure || step.done === true;
      if (ended || this.#closed) this.#async = undefined;
      if (this.#closed) {
        // Closed while this pull was in flight: the input is closed here.
        if (!ended) await closeInput(input).catch(noop);
        return;
      }
      if (step instanceof Failure) this.#place(step);
      else if (step.done) this.#onPlaced?.();
      else this.#submitItem(step.value);
    }
  }

  #submitItem(item: T): void {
    let call: Future<R> | Failure;
    try {
      call = this.#submit(item);
    } catch (error) {
      // The pool refused (shut down): the iterator throws at this position.
      call = new Failure(error);
      const input = this.#sync ?? this.#async;
      this.#sync = this.#async = undefined;
      if (input !== undefined) void closeInput(input).catch(noop);
    }
    this.#place(call);
  }

  #place(call: Future<R> | Failure): void {
    this.#calls.push(call);
    this.#placed++;
    this.#onPlaced?.();
  }

  /** Reject with TimeoutError once the deadline from the map() call has passed. */
  #within<V>(promise: PromiseLike<V>): Promise<V> {
    const left = this.#deadline === Infinity ? Infinity : Math.max(0, this.#deadline - performance.now());
    return settleWithin(
      promise,
      left,
      () =>
        new TimeoutError(
          `map() did not produce every result within ${this.#timeout} ms of the call; the calls not started are cancelled`,
        ),
    );
  }

  /** Drop the calls already yielded once they are most of the array. */
  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#calls.length) {
      this.#calls = this.#calls.slice(this.#head);
      this.#head = 0;
    }
  }

  /**
   * End the map: cancel every call not yet yielded (those running finish,
   * as in Python), and close the input unless it ended on its own. An async
   * input with a pull in flight is closed by the pump once the pull settles.
   * @returns (resolves) once the input is closed; rejects with what its `return()` threw.
   */
  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (let at = this.#head; at < this.#calls.length; at++) {
      const call = this.#calls[at];
      if (call !== undefined && !(call instanceof Failure)) call.cancel();
    }
    this.#calls = [];
    this.#head = 0;
    this.#onRoom?.();
    const input = this.#sync ?? (this.#pulling ? undefined : this.#async);
    this.#sync = undefined;
    if (!this.#pulling) this.#async = undefined;
    if (input !== undefined) await closeInput(input);
  }
}

/** The next step of an async input; its error, or a malformed result, as a {@link Failure}. */
async function pull<T>(input: AsyncIterator<T>): Promise<IteratorResult<T> | Failure> {
  try {
    const step = await input.next();
    if (typeof step === 'object' && step !== null) return step;
    return new Failure(
      new TypeError(`the async iterable's next() resolved to ${describeValue(step)}, not an iterator result`),
    );
  } catch (error) {
    return new Failure(error);
  }
}

/** Close an iterator the map stops reading, as `for ... of` does on `break`. */
async function closeInput(input: Iterator<unknown> | AsyncIterator<unknown>): Promise<void> {
  await input.return?.();
}
