import type { MessagePort, Worker } from 'node:worker_threads';
import { describeValue } from '../errors.js';
import type { ControlBlock } from './control-block.js';

/**
 * A standby worker with everything its thread will use made ahead of time:
 * the thread's control block, its port, and the word the worker is parked
 * on. Starting a thread on a seat is posting its job into `port` and
 * setting `wake` — no channel, no transfer, no event-loop wake-up.
 */
export interface StandbySeat {
  readonly worker: Worker;
  /** The control block of the thread this worker will run. */
  readonly control: ControlBlock;
  /** The owner's end of that thread's port; the worker holds the other end. */
  readonly port: MessagePort;
  /** 0 while the worker waits for a thread; set to 1 (and notified) once its job is in `port`. */
  readonly wake: Int32Array;
}

/** Wake the standby worker of `seat`: its job (or assignment) must already be in its port. */
export function wakeSeat(seat: StandbySeat): void {
  Atomics.store(seat.wake, 0, 1);
  Atomics.notify(seat.wake, 0);
}

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
  readonly #create: () => StandbySeat;
  readonly #idle: StandbySeat[] = [];
  #target: number;
  #refillScheduled = false;

  constructor(create: () => StandbySeat, target: number) {
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
    while (this.#idle.length > count) void this.#idle.pop()!.worker.terminate();
    this.refill();
  }

  /**
   * Take an idle seat (its worker may still be booting), or undefined if
   * there is none. The caller calls {@link refill} when the moment suits: a
   * worker booting while the taken one starts its thread would take a core
   * from it.
   */
  take(): StandbySeat | undefined {
    return this.#idle.shift();
  }

  /** Give back a seat taken but not used (nothing was posted into its port, it was not woken). */
  putBack(seat: StandbySeat): void {
    if (seat.worker.threadId === -1 || this.#idle.length >= this.#target) void seat.worker.terminate();
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
        seat.worker.once('exit', () => {
          const at = this.#idle.indexOf(seat);
          if (at !== -1) this.#idle.splice(at, 1);
        });
      }
    });
  }
}
