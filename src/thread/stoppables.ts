/**
 * The registry of things that can be asked to stop — every live thread, and
 * anything else that registers (a pool, a server) — which `stopOnSignals()`
 * stops when the process is told to end.
 */
import { describeValue } from '../errors.js';
import { toTimeoutMs } from '../sync/timeout.js';

/**
 * How a stop ended: `"stopped"` on its own, `"forced"` (terminated), or
 * still `"alive"` at the timeout.
 * @example
 * ```ts
 * const outcome: StopOutcome = await thread.stop({ timeout: 1_000 });
 * ```
 */
export type StopOutcome = 'stopped' | 'forced' | 'alive';

/**
 * Options of `thread.stop()`, `future.stop()` and every {@link Stoppable}.
 * @example
 * ```ts
 * await thread.stop({ timeout: 2_000, force: true }); // ask, wait 2 s, then terminate
 * ```
 */
export interface StopOptions {
  /**
   * Milliseconds to wait for the work to end after asking it to.
   * Default: wait until it ends. Negative acts as 0.
   */
  timeout?: number;
  /**
   * Terminate the work if it has not ended by `timeout` — its `finally`
   * blocks do not run. Needs a `timeout` (`0` forces at once). Default: `false`.
   */
  force?: boolean;
}

/**
 * Something that can be asked to stop, as `stopOnSignals()` does with
 * every registered one: set its stop request at once, then resolve how it
 * ended within `timeout`, terminating it when `force` is given. A `Thread`
 * is one.
 * @example
 * ```ts
 * const queue: Stoppable = {
 *   async stop({ timeout } = {}) {
 *     consumer.close();
 *     return (await consumer.drained(timeout)) ? 'stopped' : 'alive';
 *   },
 * };
 * registerStoppable(queue);
 * ```
 */
export interface Stoppable {
  /** Set the stop request at once, then resolve how the work ended within `timeout`, terminating it if `force`. */
  stop(options?: StopOptions): Promise<StopOutcome>;
}

/**
 * Check the options of a stop call; `timeout` becomes `Infinity` when
 * omitted. Shared by every `stop()` so that they all refuse the same input
 * with the same words.
 *
 * @throws TypeError if `options` is not an object, `timeout` not a number,
 *   `force` not a boolean, or `force` is given without a `timeout`.
 * @throws RangeError if `timeout` is NaN.
 * @internal
 */
export function checkStopOptions(options: unknown): { timeout: number; force: boolean } {
  if (options === undefined || options === null) return { timeout: Infinity, force: false };
  if (typeof options !== 'object') {
    throw new TypeError(
      `Expected stop \`options\` to be an object { timeout?, force? }, got ${describeValue(options)}`,
    );
  }
  const { timeout, force } = options as StopOptions;
  const ms = toTimeoutMs(timeout, 'timeout');
  if (force !== undefined && typeof force !== 'boolean') {
    throw new TypeError(`Expected \`force\` to be a boolean, got ${describeValue(force)}`);
  }
  if (force === true && ms === Infinity) {
    throw new TypeError(
      '`force` needs a `timeout`: it terminates what has not stopped by then. ' +
        'Pass { timeout: ms, force: true }, or { timeout: 0, force: true } to terminate at once',
    );
  }
  return { timeout: ms, force: force === true };
}

/**
 * How a stop of several things ended, taken together: `"alive"` if any is
 * still alive, else `"forced"` if any was forced, else `"stopped"`.
 * @internal
 */
export function combinedOutcome(outcomes: readonly StopOutcome[]): StopOutcome {
  return outcomes.includes('alive') ? 'alive' : outcomes.includes('forced') ? 'forced' : 'stopped';
}

// One registry per JavaScript thread, shared by every copy of skein loaded in it.
const kRegistry = Symbol.for('skein.stoppables');
const registry: Set<Stoppable> = ((globalThis as { [kRegistry]?: Set<Stoppable> })[kRegistry] ??= new Set());

/**
 * Add `stoppable` to the things `stopOnSignals()` stops. Threads register
 * themselves when started and leave when they end; register anything else
 * that should stop with them (a pool, a server), and unregister it once it
 * has stopped. Registering twice does nothing more.
 *
 * @returns a function that unregisters it (the same as {@link unregisterStoppable}).
 * @throws TypeError if `stoppable` has no `stop` method.
 * @example
 * ```ts
 * const unregister = registerStoppable({
 *   async stop() { await new Promise((done) => server.close(done)); return 'stopped'; },
 * });
 * ```
 */
export function registerStoppable(stoppable: Stoppable): () => void {
  if (typeof (stoppable as Partial<Stoppable> | null)?.stop !== 'function') {
    throw new TypeError(`Expected a stoppable with a \`stop(options)\` method, got ${describeValue(stoppable)}`);
  }
  registry.add(stoppable);
  return () => unregisterStoppable(stoppable);
}

/**
 * Remove `stoppable` from the registry; removing one that is not registered
 * does nothing.
 *
 * @example
 * ```ts
 * registerStoppable(pool);
 * await pool.shutdown();
 * unregisterStoppable(pool);
 * ```
 */
export function unregisterStoppable(stoppable: Stoppable): void {
  registry.delete(stoppable);
}

/**
 * The registered stoppables of the calling thread, in registration order.
 * On the main thread this holds every live thread in the process.
 *
 * @example
 * ```ts
 * await Promise.all(liveStoppables().map((s) => s.stop({ timeout: 1_000, force: true })));
 * ```
 */
export function liveStoppables(): Stoppable[] {
  return [...registry];
}
