import { describeValue } from '../errors.js';
import { toTimeoutMs } from '../sync/timeout.js';
import { stopEvent } from './stop.js';
import { isModuleTarget, type TypedModuleTarget } from './target.js';
import { kRequestStop, Thread, type ThreadOptions } from './thread.js';

/**
 * A thread that calls `fn(...args)` once `intervalMs` have passed, unless
 * {@link Timer.cancel} came first: Python's `threading.Timer`.
 *
 * A Timer is a {@link Thread}: `start()` it, `join()` it; `result` is what
 * `fn` returned. It waits on its own stop request, so `cancel()` — like
 * `stop()` — wakes it at once. `fn` crosses to the thread as any target
 * does: an inline function (no variables of its surrounding scope) or a
 * module target.
 *
 * @example
 * ```ts
 * const reminder = new Timer(30_000, (name: string) => console.log(`time's up, ${name}`), ['Ada']);
 * reminder.start();
 * if (done) reminder.cancel(); // before 30 s: nothing is printed
 * await reminder.join();
 * ```
 */
export class Timer<R = unknown, A extends unknown[] = unknown[]> extends Thread<R, A> {
  /** Timer is imported in the thread from skein itself, never shipped as source. */
  static module = import.meta.url;

  /** Milliseconds the timer waits before calling its function. */
  readonly interval: number;

  /**
   * Create a timer; nothing is scheduled until {@link Thread.start}.
   *
   * @param intervalMs - milliseconds to wait after `start()`; negative acts as 0, `Infinity` waits for `cancel()`.
   * @param fn - the function to call, or a module target.
   * @param args - its arguments (Events inside arrive working). Default: `[]`.
   * @throws TypeError if `intervalMs` is not a number (RangeError if NaN),
   *   or `fn` is neither a function nor a module target.
   */
  constructor(intervalMs: number, fn: ((...args: A) => R) | TypedModuleTarget<(...args: A) => R>, args?: NoInfer<A>) {
    if (typeof intervalMs !== 'number') {
      throw new TypeError(`Expected \`intervalMs\` to be a number of milliseconds, got ${describeValue(intervalMs)}`);
    }
    if (typeof fn !== 'function' && !isModuleTarget(fn)) {
      throw new TypeError(
        `Expected \`fn\` to be a function or a module target { module, export? }, got ${describeValue(fn)}`,
      );
    }
    super({ target: fn, ...(args === undefined ? {} : { args }) } as ThreadOptions<A, R>);
    this.interval = toTimeoutMs(intervalMs, 'intervalMs');
  }

  /**
   * Stop the timer and cancel its call, if the call has not begun: Python's
   * `Timer.cancel()`. Works before `start()` too (the timer then ends as
   * soon as it starts). Does not wait; `join()` to see the thread end.
   * Does not interrupt a call already running (it may check `stopEvent()`).
   * @example
   * ```ts
   * const timeout = new Timer(5_000, () => console.log('too slow'));
   * timeout.start();
   * await work();
   * timeout.cancel();
   * ```
   */
  cancel(): void {
    this[kRequestStop]();
  }

  /** Wait out the interval on the stop request, then call the function unless cancelled. */
  override run(): R | PromiseLike<R> | undefined {
    if (stopEvent().wait(this.interval)) return undefined;
    return super.run();
  }
}
