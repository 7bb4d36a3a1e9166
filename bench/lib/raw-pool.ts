import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

interface Slot {
  readonly worker: Worker;
  readonly online: Promise<unknown>;
  inFlight: number;
}

/**
 * The simplest fast pool on raw `worker_threads`: what a user would write by
 * hand. Each task is one postMessage; up to `maxInFlight` tasks are in flight
 * per worker, so a worker never waits for the main thread between tasks; the
 * rest wait in a queue. No cancellation, no error handling beyond the
 * benchmark's needs.
 */
export class RawPool {
  readonly #slots: Slot[];
  readonly #maxInFlight: number;
  readonly #pending = new Map<number, (value: number) => void>();
  #queue: Array<[id: number, x: number]> = [];
  #head = 0; // index of the next queued task: shift() would be O(n) per task
  #nextId = 0;

  /** Start `size` workers of `file`, a module answering `[id, x]` with `[id, result]`. */
  constructor(file: URL, size: number, maxInFlight = 16) {
    this.#maxInFlight = maxInFlight;
    this.#slots = Array.from({ length: size }, () => {
      const worker = new Worker(file);
      const slot: Slot = { worker, online: once(worker, 'online'), inFlight: 0 };
      slot.worker.on('message', ([id, value]: [number, number]) => {
        slot.inFlight--;
        const resolve = this.#pending.get(id)!;
        this.#pending.delete(id);
        this.#dispatch();
        resolve(value);
      });
      return slot;
    });
  }

  /** Resolves once every worker is running. */
  async ready(): Promise<void> {
    await Promise.all(this.#slots.map(({ online }) => online));
  }

  /** Run one task with argument `x`. */
  run(x: number): Promise<number> {
    const id = this.#nextId++;
    const result = new Promise<number>((resolve) => this.#pending.set(id, resolve));
    this.#queue.push([id, x]);
    this.#dispatch();
    return result;
  }

  #dispatch(): void {
    while (this.#head < this.#queue.length) {
      let best: Slot | undefined;
      for (const slot of this.#slots) if (best === undefined || slot.inFlight < best.inFlight) best = slot;
      if (best === undefined || best.inFlight >= this.#maxInFlight) return;
      best.inFlight++;
      best.worker.postMessage(this.#queue[this.#head++]!);
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
  }

  /** Terminate every worker. */
  async close(): Promise<void> {
    await Promise.all(this.#slots.map(({ worker }) => worker.terminate()));
  }
}
