import type { Worker } from 'node:worker_threads';
import { describeValue } from '../errors.js';

/**
 * Workers started ahead of need, so that `thread.start()` hands its job to
 * a worker that is already running instead of paying the ~20–40 ms a fresh
 * worker takes to boot.
 *
 * A standby worker has run nothing: it has only loaded skein's runtime. It
 * is used by one thread and exits with it, like any thread's worker, so a
 * thread never inherits globals, timers or module state from another. Each
 * one taken is replaced off the critical path (on a later turn of the event
 * loop). Idle standby workers are unref'd: they never keep the process alive.
 */
export class StandbyWorkers {
  readonly #create: () => Worker;
  readonly #idle: Worker[] = [];
  #target: number;
  #refillScheduled = false;

  constructor(create: () => Worker, target: number) {
    this.#create = create;
    this.#target = target;
  }

  /** How many standby workers are kept. */
  get target(): number {
    return this.#target;
  }

  /** How many are idle now (booted or booting). */
  get idleCount(): number {
    return this.#idle.length;
  }

  /** Keep `count` standby workers; 0 turns standby off and ends the idle ones. */
  setTarget(count: number): void {
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      throw new RangeError(`Expected the standby thread count to be an integer ≥ 0, got ${describeValue(count)}`);
    }
    this.#target = count;
    while (this.#idle.length > count) void this.#idle.pop()!.terminate();
    this.refill();
  }

  /**
   * Take an idle worker (it may still be booting), or undefined if there is
   * none. The caller calls {@link refill} when the moment suits: a worker
   * booting while the taken one starts its thread would take a core from it.
   */
  take(): Worker | undefined {
    return this.#idle.shift();
  }

  /** Top the idle workers up to the target, on a later turn of the event loop. */
  refill(): void {
    if (this.#refillScheduled || this.#idle.length >= this.#target) return;
    this.#refillScheduled = true;
    // Not unref'd: an immediate holds the loop for one turn at most, and
    // Bun never runs an unref'd one while other work is pending.
    setImmediate(() => {
      this.#refillScheduled = false;
      while (this.#idle.length < this.#target) {
        const worker = this.#create();
        this.#idle.push(worker);
        // An idle worker that dies (terminated at exit, say) leaves the list.
        worker.once('exit', () => {
          const at = this.#idle.indexOf(worker);
          if (at !== -1) this.#idle.splice(at, 1);
        });
      }
    });
  }
}
