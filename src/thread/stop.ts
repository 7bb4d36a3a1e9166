import { StopError } from '../errors.js';
import type { Event } from '../sync/event.js';
import { currentStopEvent } from './thread.js';

/**
 * The stop request of whatever the calling thread is running now: its
 * Thread, or the pool task in progress. Set from outside by `thread.stop()`
 * or `future.stop()`.
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
