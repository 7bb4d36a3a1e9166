import type { Worker } from 'node:worker_threads';
import { describeValue } from '../errors.js';

/**
 * Workers started ahead of need, so that a thread's `start()` (or a pool's
 * first task) hands its job to a worker that is already running instead of
 * paying the ~20–40 ms a fresh worker takes to boot. Main-side; the worker
 * side is src/worker/boot.ts.
 *
 * A standby worker has run nothing: it has only loaded skein's runtime. It
 * serves one thread (or one place in a pool) and exits with it, like any
 * worker, so a thread never inherits globals, timers or module state from
 * another. Each one taken is replaced off the critical path (on a later
 * turn of the event loop). Idle standby workers are unref'd: they never
 * keep the process alive.
 */
export class StandbyWorkers<Seat> {
  readonly #create: () => Seat;
  readonly #workerOf: (seat: Seat) => Worker;
  readonly #idle: Seat[] = [];
  #target: number;
  #refillScheduled = false;

  constructor(create: () => Seat, workerOf: (seat: Seat) => Worker, target: number) {
    this.#create = create;
    this.#workerOf = workerOf;
    this.#target = target;
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
    while (this.#idle.length > count) void this.#workerOf(this.#idle.pop()!).terminate();
    this.refill();
  }

  /**
   * Take an idle seat (its worker may still be booting), or undefined if
   * there is none. The caller calls {@link refill} when the moment suits: a
   * worker booting while the taken one starts its job would take a core
   * from it.
   */
  take(): Seat | undefined {
    return this.#idle.shift();
  }

  /** Give back a seat taken but not used (nothing was posted into its port, it was not woken). */
  putBack(seat: Seat): void {
    const worker = this.#workerOf(seat);
    if (worker.threadId === -1 || this.#idle.length >= this.#target) void worker.terminate();
    else this.#idle.unshift(seat);
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
        const seat = this.#create();
        this.#idle.push(seat);
        // An idle worker that dies (terminated at exit, say) leaves the list.
        this.#workerOf(seat).once('exit', () => {
          const at = this.#idle.indexOf(seat);
          if (at !== -1) this.#idle.splice(at, 1);
        });
      }
    });
  }
}
