import { describeValue } from '../errors.js';
import { checkCanBlock, newSharedBuffer } from '../platform.js';
import { callAfter } from './timeout.js';

/** A word nobody notifies, to block on (made on first use: a page without shared memory can still load skein). */
let parking: Int32Array | undefined;

function checkDelay(ms: unknown): number {
  if (typeof ms !== 'number') {
    throw new TypeError(`Expected \`ms\` to be a number of milliseconds, got ${describeValue(ms)}`);
  }
  if (Number.isNaN(ms)) throw new RangeError('Expected `ms` to be a number of milliseconds, got NaN');
  return ms < 0 ? 0 : ms;
}

/**
 * Block the calling thread for `ms` milliseconds — Python's `time.sleep`.
 * On the main thread this blocks the event loop too; prefer {@link sleep}
 * there. Inside a thread that should stop on request, prefer
 * `stopEvent().wait(ms)`, which returns early when a stop is requested.
 *
 * @throws TypeError if `ms` is not a number; RangeError if it is NaN. Negative acts as 0.
 * @throws NotSupportedError on a page's main thread, which may not block: use {@link sleep} there.
 * @example
 * ```ts
 * sleepSync(1000); // in a thread: block it for a second
 * ```
 */
export function sleepSync(ms: number): void {
  const delay = checkDelay(ms);
  checkCanBlock(delay, 'sleepSync()', 'await sleep(ms)');
  if (delay > 0) Atomics.wait((parking ??= new Int32Array(newSharedBuffer(4))), 0, 0, delay);
}

/**
 * Resolve after `ms` milliseconds without blocking: the form of
 * `time.sleep` for the main thread and async code.
 *
 * @throws TypeError if `ms` is not a number; RangeError if it is NaN (thrown, not rejected). Negative acts as 0.
 * @example
 * ```ts
 * await sleep(3000); // the main thread's event loop keeps running meanwhile
 * ```
 */
export function sleep(ms: number): Promise<void> {
  const delay = checkDelay(ms);
  return new Promise((resolve) => {
    callAfter(delay, resolve);
  });
}
