import { Event } from '../sync/event.js';
import { kEventId } from '../sync/layout.js';

// Each slot: a stop-request Event (two Int32 words: tag, flag) and a claim
// word that the pool and the worker race on exactly once per task.
const kSlotsPerSlab = 1024;
const kSlotBytes = 16;
const kWordsPerSlot = kSlotBytes / 4;
const kFlagWord = 1;
const kClaimWord = 2;

/**
 * Claim states: who got the task first. `moved`: the pool took it back from
 * a busy worker, before that worker started it, to run it on an idle one
 * (under a fresh slot).
 */
const Claim = { queued: 0, started: 1, cancelled: 2, moved: 3 } as const;

/**
 * Per-task slots for a pool, packed into shared slabs; one slot per task in
 * flight, reused once the task has left every worker.
 *
 * A slot holds the task's stop request — so `future.stop()` can never reach
 * another task, as a per-worker flag could once the worker has moved on —
 * and its claim: the worker claims a task as `started` just before running
 * it, and `cancel()` claims it as `cancelled`, with a compare-and-swap each,
 * so a task batched to a busy worker stays pending, and cancellable, until
 * it really starts.
 */
export class StopSlots {
  readonly #slabs: SharedArrayBuffer[] = [];
  readonly #views: Int32Array[] = [];
  readonly #free: number[] = [];

  /** The slabs so far, in order; a worker needs each before a task that uses it. */
  get slabs(): readonly SharedArrayBuffer[] {
    return this.#slabs;
  }

  /** Take a fresh slot: stop request unset, claim `queued`. */
  acquire(): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      const slab = this.#slabs.length;
      const buffer = new SharedArrayBuffer(kSlotsPerSlab * kSlotBytes);
      const view = new Int32Array(buffer);
      for (let i = 0; i < kSlotsPerSlab; i++) view[i * kWordsPerSlot] = kEventId;
      this.#slabs.push(buffer);
      this.#views.push(view);
      for (let i = kSlotsPerSlab - 1; i > 0; i--) this.#free.push(slab * kSlotsPerSlab + i);
      slot = slab * kSlotsPerSlab;
    } else {
      const view = this.#views[slabOf(slot)]!;
      const base = (slot % kSlotsPerSlab) * kWordsPerSlot;
      Atomics.store(view, base + kFlagWord, 0);
      Atomics.store(view, base + kClaimWord, Claim.queued);
    }
    return slot;
  }

  /** Give a slot back once its task has left every worker. */
  release(slot: number): void {
    this.#free.push(slot);
  }

  /** Set the stop request in `slot`. */
  requestStop(slot: number): void {
    Event.fromBuffer(this.#slabs[slabOf(slot)]!, byteOffsetOf(slot)).set();
  }

  /** Claim a queued task as cancelled; false if its worker has started it. */
  cancel(slot: number): boolean {
    const view = this.#views[slabOf(slot)]!;
    const at = (slot % kSlotsPerSlab) * kWordsPerSlot + kClaimWord;
    return Atomics.compareExchange(view, at, Claim.queued, Claim.cancelled) !== Claim.started;
  }

  /**
   * Claim a queued task as moved, so that the worker it was sent to skips
   * it; false if that worker has started it (or it was cancelled).
   */
  move(slot: number): boolean {
    const view = this.#views[slabOf(slot)]!;
    const at = (slot % kSlotsPerSlab) * kWordsPerSlot + kClaimWord;
    return Atomics.compareExchange(view, at, Claim.queued, Claim.moved) === Claim.queued;
  }

  /** Whether the task's worker has started it. */
  started(slot: number): boolean {
    return (
      Atomics.load(this.#views[slabOf(slot)]!, (slot % kSlotsPerSlab) * kWordsPerSlot + kClaimWord) === Claim.started
    );
  }
}

/** The slab a slot lives in. */
export function slabOf(slot: number): number {
  return Math.floor(slot / kSlotsPerSlab);
}

/** The byte offset of a slot's stop-request Event within its slab. */
export function byteOffsetOf(slot: number): number {
  return (slot % kSlotsPerSlab) * kSlotBytes;
}

/**
 * In the worker: claim the task in `slot` as started. False means the pool
 * cancelled it first, and it must not run.
 */
export function claimStart(slab: Int32Array, slot: number): boolean {
  const at = (slot % kSlotsPerSlab) * kWordsPerSlot + kClaimWord;
  return Atomics.compareExchange(slab, at, Claim.queued, Claim.started) === Claim.queued;
}

/** In the worker: whether the stop request in `slot` is set. */
export function stopRequested(slab: Int32Array, slot: number): boolean {
  return (Atomics.load(slab, (slot % kSlotsPerSlab) * kWordsPerSlot + kFlagWord) & 1) !== 0;
}
