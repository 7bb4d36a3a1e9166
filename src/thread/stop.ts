import { StopError } from '../errors.js';
import type { Event } from '../sync/event.js';
import { realm } from './realm.js';

/**
 * The stop request of whatever the calling thread is running now: the pool
 * task in progress, else its thread's — read from the thread a worker
 * adopted without making its Thread object, so that a worker whose target
 * only checks its stop request loads no Thread (src/worker/scope.ts) — else
 * the main thread's or a dummy thread's (src/thread/current.ts).
 */
function currentStopEvent(): Event {
  const stop =
    realm.jobStop?.() ?? realm.current?.stopEventOf ?? realm.adoption?.control?.stopEvent ?? realm.ownStop?.();
  if (stop === undefined) {
    // Only code a finished thread left behind in its worker, before the worker exits, can get here.
    throw new Error('there is no thread running here to have a stop request: its thread has ended');
  }
  return stop;
}

/**
 * The stop request of whatever the calling thread is running now: its
 * Thread, or the pool task in progress. Set from outside by `thread.stop()`
 * or `future.stop()`; on the main thread, by `stopOnSignals()`.
 *
 * Hoist it out of hot loops (`const stop = stopEvent()`), then check
 * `stop.isSet()` each iteration, sleep with `stop.wait(ms)` (returns early,
 * `true`, when a stop is requested), or `await stop.waitAsync()`.
 *
 * @example
 * ```ts
 * const stop = stopEvent();
 * while (!stop.isSet()) step();
 * ```
 */
export function stopEvent(): Event {
  return currentStopEvent();
}

/**
 * Throw {@link StopError} if the calling thread or task has been asked to
 * stop. A StopError that ends a thread or task is a clean stop: `finally`
 * blocks run, the excepthook is not called, `exception` stays `undefined`.
 *
 * @throws StopError when a stop has been requested.
 * @example
 * ```ts
 * for (const file of files) {
 *   throwIfStopped(); // ends the thread cleanly between files
 *   process(file);
 * }
 * ```
 */
export function throwIfStopped(): void {
  if (currentStopEvent().isSet()) throw new StopError();
}

const signals = new WeakMap<Event, AbortSignal>();

/**
 * An `AbortSignal` that aborts when the calling thread's (or task's) stop
 * request is set — {@link stopEvent} for `fetch`, timers, streams and every
 * API that takes a signal. Its `reason` is a {@link StopError}, so an
 * operation it aborts ends the thread as a clean stop if left uncaught
 * (including the `AbortError` whose `cause` is that StopError, as timers and
 * streams raise).
 *
 * The signal aborts from the thread's event loop: code busy in synchronous
 * work sees the request through `stopEvent().isSet()` instead. Watching does
 * not keep the thread alive. The same signal is returned until it aborts.
 *
 * @example
 * ```ts
 * const response = await fetch(url, { signal: stopSignal() });
 * await setTimeout(60_000, undefined, { signal: stopSignal() }); // node:timers/promises
 * ```
 */
export function stopSignal(): AbortSignal {
  const event = currentStopEvent();
  let signal = signals.get(event);
  // A request cleared since the signal aborted gets a fresh signal.
  if (signal === undefined || (signal.aborted && !event.isSet())) {
    signal = event.toSignal(new StopError());
    signals.set(event, signal);
  }
  return signal;
}
