/**
 * Every error class skein throws, each with a stable `code`.
 *
 * State errors read like CPython's ("threads can only be started once");
 * argument errors are `TypeError`/`RangeError` naming the argument and the
 * value received.
 */

/** Render a value for an error message: `` `0` (number) ``. */
export function describeValue(value: unknown): string {
  let shown: string;
  if (typeof value === 'string') shown = JSON.stringify(value);
  else if (typeof value === 'function') shown = value.name ? `function ${value.name}` : 'anonymous function';
  else if (typeof value === 'bigint') shown = `${value}n`;
  else if (typeof value === 'symbol') shown = value.toString();
  else if (value === null || typeof value !== 'object') shown = String(value);
  else if (Array.isArray(value)) shown = 'an array';
  else {
    const ctor = Object.getPrototypeOf(value)?.constructor?.name;
    shown = ctor && ctor !== 'Object' ? withArticle(ctor) : 'an object';
  }
  const type = value === null ? 'null' : typeof value;
  return `\`${shown}\` (${type})`;
}

/** `an Event`, `a Thread`: a noun with its indefinite article. */
export function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

/**
 * Raised by {@link throwIfStopped} when the running thread or task has been
 * asked to stop. It ends the thread or task as a clean stop: the excepthook
 * is not called and `thread.exception` stays `undefined` — skein's
 * counterpart of Python's `SystemExit`.
 */
export class StopError extends Error {
  /** Stable identifier of this error class. */
  readonly code = 'SKEIN_ERR_STOPPED';
  constructor(message = 'stop requested', options?: ErrorOptions) {
    super(message, options);
    this.name = 'StopError';
  }
}

/**
 * Whether `error` ends a thread or task as a clean stop: a {@link StopError}
 * (recognised by its code, so one from another copy of skein counts), or the
 * `AbortError` that timers, `events.once` and streams raise when a signal
 * from `stopSignal()` aborts them, whose `cause` is that StopError.
 * @internal
 */
export function isStopError(error: unknown): boolean {
  try {
    const { code, name, cause } = (error ?? {}) as { code?: unknown; name?: unknown; cause?: unknown };
    if (code === 'SKEIN_ERR_STOPPED') return true;
    return name === 'AbortError' && (cause as { code?: unknown } | null | undefined)?.code === 'SKEIN_ERR_STOPPED';
  } catch {
    // Whatever was thrown has a getter (or Proxy trap) that throws: it is no StopError.
    return false;
  }
}

/**
 * The thread ended abnormally without raising an error: it called
 * `process.exit()` with a non-zero code, or its worker died (out of memory
 * under `resourceLimits`, terminated).
 */
export class ThreadExitError extends Error {
  /** Stable identifier of this error class. */
  readonly code = 'SKEIN_ERR_THREAD_EXIT';
  /** The worker's exit code, when it has one. */
  readonly exitCode: number | undefined;
  /** How the thread ended: `"exit"` (process.exit), `"out-of-memory"`, `"terminated"` or `"crashed"`. */
  readonly reason: 'exit' | 'out-of-memory' | 'terminated' | 'crashed';
  constructor(message: string, reason: ThreadExitError['reason'], exitCode?: number, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ThreadExitError';
    this.reason = reason;
    this.exitCode = exitCode;
  }
}

/** How a worker ended without its job reporting an outcome. */
export type ExitReason = ThreadExitError['reason'];

/**
 * The one classification of a job ended by its worker's exit, for a thread
 * and a pool task alike: the error that says what happened and what the
 * user sees. `subject` names the job (`thread "worker-1"`, `the task`);
 * `replaced` adds that the pool replaced the worker.
 * @internal
 */
export function exitError(
  subject: string,
  reason: ExitReason,
  code: number | undefined,
  { replaced = false, cause }: { replaced?: boolean; cause?: unknown } = {},
): ThreadExitError {
  let message: string;
  switch (reason) {
    case 'exit':
      message = `${subject} called process.exit(${code})${replaced ? ', which ended its pool worker' : ''}`;
      break;
    case 'out-of-memory':
      message = `${subject} ran out of memory: its worker was stopped at the resourceLimits it was given`;
      break;
    case 'terminated':
      message = `${subject} was terminated by a forced stop before it finished: its \`finally\` blocks did not run`;
      break;
    default:
      message = `${subject} crashed: its worker ended unexpectedly with exit code ${code}`;
  }
  if (replaced) message += ' (the pool replaced it)';
  return new ThreadExitError(message, reason, code, cause === undefined ? undefined : { cause });
}

/**
 * The reason of a worker that exited with its job unfinished, from the
 * error Node emitted before the exit (if any) and whether skein itself
 * terminated it.
 * @internal
 */
export function exitReasonOf(lastError: unknown, terminated: boolean): ExitReason {
  if (terminated) return 'terminated';
  return (lastError as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY'
    ? 'out-of-memory'
    : 'crashed';
}

/**
 * The future was cancelled: `result()` and `exception()` reject with it.
 * Python's `concurrent.futures.CancelledError`.
 */
export class CancelledError extends Error {
  /** Stable identifier of this error class. */
  readonly code = 'SKEIN_ERR_CANCELLED';
  constructor(message = 'the future was cancelled', options?: ErrorOptions) {
    super(message, options);
    this.name = 'CancelledError';
  }
}

/**
 * A timed wait for a result ran out: `future.result(timeoutMs)`,
 * `map(..., { timeout })`, `asCompleted(..., timeoutMs)`. The work itself
 * keeps running. Python's `concurrent.futures.TimeoutError`.
 */
export class TimeoutError extends Error {
  /** Stable identifier of this error class. */
  readonly code = 'SKEIN_ERR_TIMEOUT';
  constructor(message = 'timed out', options?: ErrorOptions) {
    super(message, options);
    this.name = 'TimeoutError';
  }
}

/**
 * The pool cannot run tasks: a worker's `initializer` failed. Pending
 * futures fail with it, and every later `submit` throws it. Python's
 * `concurrent.futures.thread.BrokenThreadPool`.
 */
export class BrokenThreadPool extends Error {
  /** Stable identifier of this error class. */
  readonly code = 'SKEIN_ERR_BROKEN_POOL';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BrokenThreadPool';
  }
}

/**
 * An operation the future's state forbids, such as setting the result of a
 * future that is already done. Python's `concurrent.futures.InvalidStateError`.
 */
export class InvalidStateError extends Error {
  /** Stable identifier of this error class. */
  readonly code = 'SKEIN_ERR_INVALID_STATE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidStateError';
  }
}

/**
 * The JavaScript runtime cannot do what was asked, so skein refuses it at
 * the call instead of misbehaving later: e.g. `resourceLimits` on Bun, which
 * ignores them, or on Deno, where a worker stopped by them is never reported
 * as ended, so its thread would never join. The message names the feature,
 * the runtime, and what to do instead.
 */
export class NotSupportedError extends Error {
  /** Stable identifier of this error class. */
  readonly code = 'SKEIN_ERR_NOT_SUPPORTED';
  /** The feature refused, as named in the API (`"resourceLimits"`). */
  readonly feature: string;
  /** The runtime that lacks it: `"bun"` or `"deno"`. */
  readonly runtime: string;
  constructor(message: string, feature: string, runtime: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotSupportedError';
    this.feature = feature;
    this.runtime = runtime;
  }
}

/**
 * Raised for a call that the state of a thread or a lock forbids, with
 * Python's message: `threads can only be started once`, `cannot join thread
 * before it is started`, `cannot join current thread`, `release unlocked lock`.
 */
export class RuntimeError extends Error {
  /** Stable identifier of this error class. */
  readonly code = 'SKEIN_ERR_THREAD_STATE';
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/**
 * `get` found the queue empty: `getNowait()`, or a timed `get`/`getAsync`
 * whose timeout passed. Python's `queue.Empty`.
 */
export class QueueEmpty extends Error {
  /** Stable identifier of this error class. */
  readonly code = 'SKEIN_ERR_QUEUE_EMPTY';
  constructor(message = 'the queue is empty', options?: ErrorOptions) {
    super(message, options);
    this.name = 'QueueEmpty';
  }
}

/**
 * `put` found the queue full: `putNowait()`, or a timed `put`/`putAsync`
 * whose timeout passed. Python's `queue.Full`.
 */
export class QueueFull extends Error {
  /** Stable identifier of this error class. */
  readonly code = 'SKEIN_ERR_QUEUE_FULL';
  constructor(message = 'the queue is full', options?: ErrorOptions) {
    super(message, options);
    this.name = 'QueueFull';
  }
}

/**
 * The queue was shut down: every `put` after `shutdown()`, and every `get`
 * once nothing is left (at once after `shutdown(true)`). Python 3.13's
 * `queue.ShutDown`.
 */
export class QueueShutDown extends Error {
  /** Stable identifier of this error class. */
  readonly code = 'SKEIN_ERR_QUEUE_SHUT_DOWN';
  constructor(message = 'the queue is shut down', options?: ErrorOptions) {
    super(message, options);
    this.name = 'QueueShutDown';
  }
}

/**
 * A {@link Barrier} is broken, or was reset, while a party waited at it, or
 * a party came to a broken one: a waiting party timed out, `abort()` was
 * called, or `reset()` ran while parties waited. Every party waiting then
 * gets it, and so does every later `wait()` until `reset()`. Python's
 * `threading.BrokenBarrierError`.
 */
export class BrokenBarrierError extends Error {
  /** Stable identifier of this error class. */
  readonly code = 'SKEIN_ERR_BROKEN_BARRIER';
  constructor(message = 'the barrier is broken', options?: ErrorOptions) {
    super(message, options);
    this.name = 'BrokenBarrierError';
  }
}

/**
 * `value`, if it is an integer from `min` to `max`; otherwise a RangeError
 * (a TypeError if it is not a number) saying what `name` must be and
 * echoing the value: ``Expected `parties` to be an integer ≥ 1, got `0` (number)``.
 * @internal
 */
export function checkInteger(value: unknown, name: string, min: number, max = 0x7fffffff): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  const message = `Expected ${name} to be an integer ≥ ${min}, got ${describeValue(value)}`;
  throw typeof value === 'number' ? new RangeError(message) : new TypeError(message);
}
