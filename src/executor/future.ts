import { writeError } from '../host.js';
import { CancelledError, InvalidStateError, TimeoutError, describeValue } from '../errors.js';
import { callAfter, settleWithin, toTimeoutMs } from '../sync/timeout.js';
import { checkStopOptions, type StopOptions, type StopOutcome } from '../thread/stoppables.js';
import { markUnsendable } from '../thread/transfer.js';

/** Where a future is in its life: pending → running → finished, or pending → cancelled. */
export type FutureState = 'pending' | 'running' | 'cancelled' | 'finished';

/** What a pool attaches to its futures to stop their tasks (one for all of a pool's futures). @internal */
export interface TaskStopper {
  /** Set the task's stop request; with `force`, terminate its worker if the task runs there. True if it terminated the worker. */
  request(future: Future<unknown>, force: boolean): boolean;
  /** The future has just been settled (finished or cancelled). */
  settled(future: Future<unknown>): void;
  /** Claim the task as cancelled before its worker starts it; false if it has started. */
  tryCancel(future: Future<unknown>): boolean;
  /** Whether the task's worker has started it. */
  hasStarted(future: Future<unknown>): boolean;
}

/** A function {@link Future.addDoneCallback} calls with the future once it is done. */
export type DoneCallback<R> = (future: Future<R>) => void;

let nextFutureId = 1;

// The resolve function the Promise constructor hands the executor of the
// future being built: taken by the constructor at once (a module-level
// executor makes no closure per future). Its reject function is not kept:
// a future rejects by resolving with a rejected promise, and every future
// kept alive in a burst of tasks is ~56 bytes lighter for it.
let capturedResolve: ((value: never) => void) | undefined;
function capture(resolve: (value: never) => void): void {
  capturedResolve = resolve;
}
const ignore = (): void => {};

/**
 * The eventual result of a task: Python's `concurrent.futures.Future`, and
 * awaitable — `await future` is `await future.result()`.
 *
 * Futures come from {@link ThreadPoolExecutor.submit}; building one directly
 * is for executor implementations and tests.
 *
 * A Future is a native Promise — `future instanceof Promise`, and
 * `future.constructor` is `Promise` — so that `await future` and
 * `Promise.all(futures)` take the engine's own path for promises: awaiting a
 * mere thenable cost ~3 extra promises and a job per await, more than a
 * trivial task costs the rest of the pool. Unlike a bare Promise, a future
 * whose task failed and that nobody awaits raises no unhandled rejection: as
 * in Python, the error waits in the future.
 *
 * @example
 * ```ts
 * const future = pool.submit((n: number) => n * 2, 21);
 * future.addDoneCallback((f) => console.log('done', f.done()));
 * console.log(await future); // 42
 * ```
 */
export class Future<R = unknown> extends Promise<R> {
  #state: FutureState = 'pending';
  #result: R | undefined;
  #exception: unknown;
  // Created on first use: most futures are awaited once and have no callbacks.
  // `any`, not R: keeps Future<R> assignable to Future<unknown>.
  // biome-ignore lint/suspicious/noExplicitAny: `any`, not R, keeps Future<R> assignable to Future<unknown>
  #callbacks: DoneCallback<any>[] | undefined;
  #waiters: Set<() => void> | undefined;
  // `never`, not R, for the same reason as #callbacks.
  readonly #resolve: (value: never) => void;
  /** @internal Set by the pool that runs the task. */
  stopper: TaskStopper | undefined;
  /** @internal A number identifying the future in messages. */
  readonly id = nextFutureId++;

  /**
   * A pending future, settled with {@link Future.setResult} or
   * {@link Future.setException}. `executor` is for Promise's own statics
   * (`Future.resolve`…): its resolve and reject settle the future.
   */
  constructor(executor?: (resolve: (value: R) => void, reject: (reason: unknown) => void) => void) {
    super(capture);
    this.#resolve = capturedResolve!;
    capturedResolve = undefined;
    executor?.(
      (value) => {
        if (!this.done()) this.setResult(value);
      },
      (reason) => {
        if (!this.done()) this.setException(reason);
      },
    );
  }

  /** Cancel the future if it is still pending: Python's `cancel()`. Done callbacks run inside this call. @returns true if the future is (now) cancelled, false if it is running or finished. */
  cancel(): boolean {
    if (this.#refreshState() === 'running' || this.#state === 'finished') return false;
    if (this.#state === 'cancelled') return true;
    // A pool task handed to a busy worker is still pending: race the worker for it.
    if (this.stopper !== undefined && !this.stopper.tryCancel(this)) {
      this.#state = 'running';
      return false;
    }
    this.#state = 'cancelled';
    this.#settle();
    return true;
  }

  /** Whether the future was cancelled. */
  cancelled(): boolean {
    return this.#state === 'cancelled';
  }

  /** Whether the task is running on a worker, and so can no longer be cancelled. */
  running(): boolean {
    return this.#refreshState() === 'running';
  }

  /** Whether the future is finished or cancelled. */
  done(): boolean {
    return this.#state === 'cancelled' || this.#state === 'finished';
  }

  /** The state, for inspection: `pending`, `running`, `cancelled` or `finished`. */
  get state(): FutureState {
    return this.#refreshState();
  }

  /** A pending pool task becomes running when its worker starts it. */
  #refreshState(): FutureState {
    if (this.#state === 'pending' && this.stopper?.hasStarted(this) === true) this.#state = 'running';
    return this.#state;
  }

  /**
   * The task's result, waiting up to `timeoutMs` for it.
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means until the task ends, negative acts as 0.
   * @returns (resolves) what the task returned.
   * @throws (rejects) the task's own error, with its stack from the thread;
   *   CancelledError if the future was cancelled; TimeoutError if it is not
   *   done in time — the task keeps running. TypeError/RangeError (thrown)
   *   for a timeout that is not a number, or NaN.
   */
  result(timeoutMs?: number): Promise<R> {
    const timeout = toTimeoutMs(timeoutMs);
    if (timeout === Infinity || this.done()) return this;
    return settleWithin(
      this,
      timeout,
      () => new TimeoutError(`the future was not done within ${timeout} ms; its task keeps running`),
    );
  }

  /**
   * The task's error, or `undefined` if it succeeded, waiting up to `timeoutMs`.
   * @throws (rejects) CancelledError if cancelled; TimeoutError on timeout.
   */
  exception(timeoutMs?: number): Promise<unknown> {
    return this.result(timeoutMs).then(
      () => undefined,
      (error: unknown) => {
        if (error instanceof CancelledError || error instanceof TimeoutError) {
          if (this.#state === 'cancelled' || !this.done()) throw error;
        }
        return error;
      },
    );
  }

  /**
   * Call `fn(future)` when the future is done (finished or cancelled) — at
   * once, inside this call, if it already is. Callbacks run synchronously in
   * the order added; one that throws is reported to stderr and does not stop
   * the others or the pool.
   */
  addDoneCallback(fn: DoneCallback<R>): void {
    if (typeof fn !== 'function') throw new TypeError(`Expected a callback function, got ${describeValue(fn)}`);
    if (this.done()) this.#invoke(fn);
    else (this.#callbacks ??= []).push(fn);
  }

  /**
   * Ask the task to stop, then report how it ended — skein's graceful stop.
   * A pending future is cancelled at once. A running task's stop request
   * (`stopEvent()` inside it) is set; the promise resolves `'stopped'` when
   * the task has ended, or at `timeout`: `'forced'` if `force` terminated
   * its worker (the pool replaces it; no other task is touched), `'alive'`
   * if not. Asking twice does nothing more. A task that ends by its stop
   * request (a `StopError`) leaves the future cancelled.
   *
   * @throws TypeError if `timeout` is not a number or `force` comes without a timeout.
   */
  async stop(options?: StopOptions): Promise<StopOutcome> {
    const { timeout, force } = checkStopOptions(options);
    if (this.cancel() || this.done()) return 'stopped';
    this.stopper?.request(this, false);
    if (await this.#waitDone(timeout)) return 'stopped';
    if (!force || this.stopper === undefined) return 'alive';
    const terminated = this.stopper.request(this, true);
    await this.#waitDone(Infinity);
    // Not terminated: the task ended (or was skipped) on its own just in time.
    return terminated && this.cancelled() ? 'forced' : 'stopped';
  }

  /**
   * Stop the task when `signal` aborts — a request's signal, an
   * `AbortSignal.timeout(ms)`, a controller of yours: a pending task is
   * cancelled, a running one's stop request (`stopEvent()` inside it) is
   * set, as {@link Future.stop} with `options` does. A signal already
   * aborted stops it now. The listener leaves the signal once the future is
   * done, so a long-lived signal does not hold finished futures.
   *
   * @returns this future: `await pool.submit(render, page).stopOn(request.signal)`.
   * @throws TypeError if `signal` is not an AbortSignal, or for bad `options` (as `stop()`).
   * @example
   * ```ts
   * const html = await pool.submit(render, page).stopOn(AbortSignal.timeout(5_000));
   * ```
   */
  stopOn(signal: AbortSignal, options?: StopOptions): this {
    if (!(signal instanceof AbortSignal)) {
      throw new TypeError(`Expected \`signal\` to be an AbortSignal, got ${describeValue(signal)}`);
    }
    checkStopOptions(options);
    if (this.done()) return this;
    const onAbort = (): void => {
      void this.stop(options);
    };
    if (signal.aborted) {
      onAbort();
      return this;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    this.onDone(() => signal.removeEventListener('abort', onAbort));
    return this;
  }

  /**
   * Mark the future running, unless it was cancelled: Python's
   * `set_running_or_notify_cancel`. For executor implementations and tests.
   * @returns false if the future was cancelled (the task must not run).
   * @throws InvalidStateError if the future is already running or finished.
   */
  setRunningOrNotifyCancel(): boolean {
    if (this.#state === 'cancelled') return false;
    if (this.#state !== 'pending')
      throw new InvalidStateError(`future is ${this.#state}, not pending: it cannot start running`);
    this.#state = 'running';
    return true;
  }

  /**
   * Finish the future with `value`. For executor implementations and tests.
   * @throws InvalidStateError if the future is already done.
   */
  setResult(value: R): void {
    this.#checkNotDone('set the result');
    this.#result = value;
    this.#state = 'finished';
    this.#settle();
  }

  /**
   * Finish the future with an error. For executor implementations and tests.
   * @throws InvalidStateError if the future is already done.
   */
  setException(error: unknown): void {
    this.#checkNotDone('set the exception');
    this.#exception = error === undefined ? new Error('task failed with undefined') : error;
    this.#state = 'finished';
    this.#settle();
  }

  /** @internal Cancel a running future: its task ended by a stop request. */
  settleStopped(): void {
    if (this.done()) return;
    this.#state = 'cancelled';
    this.#settle();
  }

  /** @internal The error now, without waiting (undefined while not done). */
  exceptionNow(): unknown {
    return this.#exception;
  }

  /** @internal Run `fn` once when done (for wait() and asCompleted()); returns a remover. */
  onDone(fn: () => void): () => void {
    if (this.done()) {
      fn();
      return () => {};
    }
    const waiters = (this.#waiters ??= new Set());
    waiters.add(fn);
    return () => waiters.delete(fn);
  }

  #checkNotDone(what: string): void {
    if (this.done()) throw new InvalidStateError(`cannot ${what} of a future that is ${this.#state}`);
  }

  #settle(): void {
    this.stopper?.settled(this);
    if (this.#waiters !== undefined) {
      for (const waiter of this.#waiters) waiter();
      this.#waiters = undefined;
    }
    if (this.#state === 'finished' && this.#exception === undefined) this.#resolve(this.#result as never);
    else {
      // Handled from the start, as a Python future's error is: one nobody
      // awaits is no unhandled rejection (which would end the process).
      super.then(undefined, ignore);
      const rejected = Promise.reject(this.#state === 'cancelled' ? new CancelledError() : this.#exception);
      // Adopted by this one in a job: mark it handled now, before the check at the end of this turn.
      rejected.catch(ignore);
      this.#resolve(rejected as never);
    }
    const callbacks = this.#callbacks;
    if (callbacks !== undefined) {
      this.#callbacks = undefined;
      for (const fn of callbacks) this.#invoke(fn);
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: as #callbacks
  #invoke(fn: DoneCallback<any>): void {
    try {
      fn(this);
    } catch (error) {
      const stack = error instanceof Error ? (error.stack ?? String(error)) : String(error);
      writeError(`exception calling callback for ${this.#describe()}\n${stack}\n`);
    }
  }

  /** Resolve true once done, false after `timeout` ms. */
  #waitDone(timeout: number): Promise<boolean> {
    if (this.done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const cancel = callAfter(timeout, () => resolve(this.done()));
      this.onDone(() => {
        cancel();
        resolve(true);
      });
    });
  }

  #describe(): string {
    return `<Future ${this.id} state=${this.#state}>`;
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.#describe();
  }
}

markUnsendable(Future, 'a Future: await it first and pass its result');

/**
 * Make the futures of `cls` (Future or a subclass) native promises to the
 * engine: `await future` takes a promise as it is only if its `constructor`
 * is Promise itself; for any other it makes a promise of its own and calls
 * `then` on the future in a job — three promises and a job per await
 * (5 µs a future in a burst, here, against 1.6 µs). Promise also becomes
 * the species: `future.then()` makes a plain Promise, not a Future. A
 * subclass needs it too: a class's prototype has a `constructor` of its own.
 * @internal
 */
export function awaitAsPromise(cls: abstract new (...args: never[]) => Future<unknown>): void {
  Object.defineProperty(cls.prototype, 'constructor', { value: Promise, writable: true, configurable: true });
}

awaitAsPromise(Future);
