import type { Worker } from 'node:worker_threads';
import { availableParallelism } from '../cores.js';
import { afterThisTurn } from '../host.js';
import { describeValue } from '../errors.js';

/** How the standby pool makes and reads its seats. */
export interface StandbySpec<Seat> {
  /** Boot a new standby worker and make its seat. */
  create(): Seat;
  /** The worker of a seat. */
  workerOf(seat: Seat): Worker;
  /** Whether the seat's worker has booted and parked, ready to run a job at once. */
  isReady(seat: Seat): boolean;
  /** How many standby workers to keep. */
  target: number;
}

/** How long the standby pool stays grown after a start found no worker ready, in ms. */
const kShrinkAfterMs = 1_000;

/**
 * Workers started ahead of need, so that a thread's `start()` (or a pool's
 * first task) hands its job to a worker that is already running instead of
 * paying the ~20–40 ms a fresh worker takes to boot. Main-side; the worker
 * side is src/worker/boot.ts.
 *
 * A standby worker has run nothing, or only threads that left it exactly as
 * clean (see src/worker/isolation.ts): a thread never inherits globals,
 * timers or module state from another. Idle standby workers are unref'd:
 * they never keep the process alive.
 *
 * The pool keeps `target` workers, and grows while starts come faster than
 * it can boot them: each start that finds no worker ready (booted and
 * parked) keeps one more, up to the number of cores, and the extra ones are
 * let go again one per second once starts find workers ready.
 *
 * Apart from those, it keeps as many workers given back by threads that
 * shared modules (`shareModules`, src/worker/thread-job.ts): they hold the
 * modules those threads imported, so only such a thread is given one.
 */
export class StandbyWorkers<Seat> {
  readonly #spec: StandbySpec<Seat>;
  readonly #idle: Seat[] = [];
  /** Workers given back holding modules, for threads that share modules only; the last given back first. */
  readonly #sharing: Seat[] = [];
  /** Workers whose exit is watched (a released worker comes back on new seats). */
  readonly #watched = new WeakSet<Worker>();
  #target: number;
  /** Extra workers kept because starts came faster than boots. */
  #boost = 0;
  #missedSinceShrink = false;
  #shrinkTimer: ReturnType<typeof setInterval> | undefined;
  #refillScheduled = false;

  constructor(spec: StandbySpec<Seat>) {
    this.#spec = spec;
    this.#target = spec.target;
  }

  /** How many are idle now (booted or booting), those holding modules included. */
  get idleCount(): number {
    return this.#idle.length + this.#sharing.length;
  }

  /** How many are idle and ready: booted and parked. */
  get readyCount(): number {
    return this.#idle.filter((seat) => this.#spec.isReady(seat)).length;
  }

  /** How many are kept now: the target, plus what a fast start rate added. */
  get #wanted(): number {
    return this.#target === 0 ? 0 : this.#target + this.#boost;
  }

  /** Whether any worker is kept: a worker given back is kept, or let go at once. */
  get keepsWorkers(): boolean {
    return this.#target > 0;
  }

  /** Keep `count` standby workers, no more (what a fast start rate added is let go); 0 turns standby off. */
  setTarget(count: number): void {
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      throw new RangeError(`Expected the standby thread count to be an integer ≥ 0, got ${describeValue(count)}`);
    }
    this.#target = count;
    this.#boost = 0;
    clearInterval(this.#shrinkTimer);
    this.#shrinkTimer = undefined;
    this.#trim();
    this.refill();
  }

  /**
   * Take an idle seat — a ready one first — or undefined if there is none.
   * A thread that shares modules takes one holding modules first (always
   * ready: parked when given back). The caller calls {@link refill} when the
   * moment suits: a worker booting while the taken one starts its job would
   * take a core from it.
   */
  take({ sharesModules = false } = {}): Seat | undefined {
    if (sharesModules && this.#sharing.length > 0) return this.#sharing.shift();
    const ready = this.#idle.findIndex((seat) => this.#spec.isReady(seat));
    if (ready === -1 && this.#target > 0) this.#missed();
    return this.#idle.splice(ready === -1 ? 0 : ready, 1)[0];
  }

  /**
   * Give back a seat: one taken but not used (nothing was posted into its
   * port, it was not woken), or a worker released clean after its thread —
   * holding `modules` if its thread (or one before) imported any, which
   * then only a thread that shares modules may find. Kept if the pool
   * wants it; a worker still booting goes first.
   */
  putBack(seat: Seat, { modules = false } = {}): void {
    const worker = this.#spec.workerOf(seat);
    if (worker.threadId === -1) return;
    (modules ? this.#sharing : this.#idle).unshift(seat);
    this.#watch(seat);
    this.#trim();
  }

  /** Top the idle workers up to what is wanted, on a later turn of the event loop. */
  refill(): void {
    if (this.#refillScheduled || this.#idle.length >= this.#wanted) return;
    this.#refillScheduled = true;
    // Not unref'd: an immediate holds the loop for one turn at most, and
    // Bun never runs an unref'd one while other work is pending.
    afterThisTurn(() => {
      this.#refillScheduled = false;
      while (this.#idle.length < this.#wanted) {
        const seat = this.#spec.create();
        this.#idle.push(seat);
        this.#watch(seat);
      }
    });
  }

  /** An idle worker that dies (terminated at exit, say) leaves the list. */
  #watch(seat: Seat): void {
    const worker = this.#spec.workerOf(seat);
    if (this.#watched.has(worker)) return;
    this.#watched.add(worker);
    worker.once('exit', () => {
      for (const list of [this.#idle, this.#sharing]) {
        const at = list.findIndex((idle) => this.#spec.workerOf(idle) === worker);
        if (at !== -1) list.splice(at, 1);
      }
    });
  }

  /** Let idle workers go down to what is wanted, of each kind: those still booting first, then the oldest. */
  #trim(): void {
    for (const list of [this.#idle, this.#sharing]) {
      while (list.length > this.#wanted) {
        let at = list.findLastIndex((seat) => !this.#spec.isReady(seat));
        if (at === -1) at = list.length - 1;
        const [seat] = list.splice(at, 1);
        void this.#spec.workerOf(seat!).terminate();
      }
    }
  }

  /** A start found no worker ready: keep one more, and shrink back later. */
  #missed(): void {
    this.#missedSinceShrink = true;
    if (this.#boost < availableParallelism()) this.#boost++;
    this.#shrinkTimer ??= setInterval(() => {
      if (this.#missedSinceShrink) {
        this.#missedSinceShrink = false;
        return;
      }
      if (this.#boost > 0) this.#boost--;
      this.#trim();
      if (this.#boost === 0) {
        clearInterval(this.#shrinkTimer);
        this.#shrinkTimer = undefined;
      }
    }, kShrinkAfterMs);
    this.#shrinkTimer.unref();
  }
}
