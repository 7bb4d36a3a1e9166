import { claimCancel, initJobSlot, kJobSlotBytes, startedBy, stopEventOf } from '../thread/job-slot.js';
import { kSlotsPerSlab } from '../thread/protocol.js';

/**
 * A pool's job slots (src/thread/job-slot.ts), packed into shared slabs:
 * one slot per task in flight, reused once the task has left the pool.
 *
 * A slot holds the task's stop request — so `future.stop()` can never reach
 * another task, as a per-worker flag could once the worker has moved on —
 * and its claim: the worker claims a task as started just before running
 * it, and `cancel()` claims it as cancelled, with a compare-and-swap each,
 * so a task sent to a worker stays pending, and cancellable, until it
 * really starts. Slot `n` is slot `n % kSlotsPerSlab` of slab `n / kSlotsPerSlab`.
 */
export class JobSlots {
  readonly #slabs: SharedArrayBuffer[] = [];
  readonly #views: Int32Array[] = [];
  /** When each slot's task was submitted (see {@link JobSlots.submittedAt}); this thread's alone. */
  readonly #submittedAt: Float64Array[] = [];
  readonly #free: number[] = [];

  /** The slabs so far, in order; a worker needs each before a task that uses it. */
  get slabs(): readonly SharedArrayBuffer[] {
    return this.#slabs;
  }

  /** Take a fresh slot: stop request unset, claim `queued`. */
  acquire(): number {
    const slot = this.#free.pop();
    if (slot === undefined) {
      const slab = this.#slabs.length;
      const buffer = new SharedArrayBuffer(kSlotsPerSlab * kJobSlotBytes);
      const view = new Int32Array(buffer);
      for (let i = 0; i < kSlotsPerSlab; i++) initJobSlot(view, i);
      this.#slabs.push(buffer);
      this.#views.push(view);
      this.#submittedAt.push(new Float64Array(kSlotsPerSlab));
      for (let i = kSlotsPerSlab - 1; i > 0; i--) this.#free.push(slab * kSlotsPerSlab + i);
      return slab * kSlotsPerSlab;
    }
    initJobSlot(this.#views[Math.floor(slot / kSlotsPerSlab)]!, slot % kSlotsPerSlab);
    return slot;
  }

  /**
   * When the task in `slot` was submitted, on the `sharedNow()` clock (for
   * `pool.stats()`): kept here rather than on the task's record, where a
   * float field is a heap object of its own — one more per task alive in a
   * burst, for the garbage collector to copy.
   */
  submittedAt(slot: number): number {
    return this.#submittedAt[Math.floor(slot / kSlotsPerSlab)]![slot % kSlotsPerSlab]!;
  }

  /** Set {@link JobSlots.submittedAt} for `slot`. */
  setSubmittedAt(slot: number, at: number): void {
    this.#submittedAt[Math.floor(slot / kSlotsPerSlab)]![slot % kSlotsPerSlab] = at;
  }

  /** Give a slot back once its task has left the pool. */
  release(slot: number): void {
    this.#free.push(slot);
  }

  /** Set the stop request in `slot`. */
  requestStop(slot: number): void {
    stopEventOf(this.#slabs[Math.floor(slot / kSlotsPerSlab)]!, slot % kSlotsPerSlab).set();
  }

  /** Claim a queued task as cancelled; false if its worker has started it. */
  cancel(slot: number): boolean {
    return claimCancel(this.#views[Math.floor(slot / kSlotsPerSlab)]!, slot % kSlotsPerSlab);
  }

  /** Whether a worker has started the task. */
  started(slot: number): boolean {
    return this.startedBy(slot) !== 0;
  }

  /** The number of the worker that started the task; 0 if none has. */
  startedBy(slot: number): number {
    return startedBy(this.#views[Math.floor(slot / kSlotsPerSlab)]!, slot % kSlotsPerSlab);
  }
}
