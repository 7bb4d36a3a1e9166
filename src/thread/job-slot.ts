/**
 * A job's slot in shared memory: the one stop store of skein. Every job —
 * a thread (its slot is embedded in its control block) or a pool task (its
 * slot is in the pool's slabs, see src/executor/job-slots.ts) — has one:
 *
 *   word 0–1  its stop request, an Event (laid out by src/sync/event.ts),
 *             read inside the job through `stopEvent()`
 *   word 2    its claim: who got the job first, the worker starting it or
 *             the owner cancelling it; each side compares-and-swaps once.
 *             A start records who started it (a pool worker's number), so
 *             that only that worker's report of the job is believed
 *   word 3    unused (keeps slots 16-byte aligned)
 */
import { Event, initEventAt, isEventSetAt } from '../sync/event.js';

/** Bytes of one job slot. */
export const kJobSlotBytes = 16;
const kWords = kJobSlotBytes / 4;
const kStopWord = 0;
const kClaimWord = 2;

/**
 * Claim states: a job is queued until a worker starts it (the claim is then
 * the worker's number, ≥ 1) or its owner cancels it, whichever comes first.
 */
const Claim = { queued: 0, cancelled: -1 } as const;

/** Lay out a fresh slot (stop request unset, claim `queued`) at slot `slot` of `i32` (counted in slots). */
export function initJobSlot(i32: Int32Array, slot: number): void {
  const base = slot * kWords;
  // The claim first: a stale reader of the old job sees `queued` only once
  // the stop request it might read is already the fresh one.
  Atomics.store(i32, base + kClaimWord, Claim.queued);
  initEventAt(i32, base + kStopWord);
}

/** The stop request of slot `slot` of `buffer`, as an Event on that memory. */
export function stopEventOf(buffer: SharedArrayBuffer, slot: number): Event {
  return Event.fromBuffer(buffer, slot * kJobSlotBytes);
}

/** Whether the stop request of slot `slot` is set, without building an Event. */
export function isStopRequested(i32: Int32Array, slot: number): boolean {
  return isEventSetAt(i32, slot * kWords + kStopWord);
}

/**
 * In the worker numbered `by` (≥ 1): claim the job as started. False means
 * its owner cancelled it first: it must not run.
 */
export function claimStart(i32: Int32Array, slot: number, by = 1): boolean {
  return Atomics.compareExchange(i32, slot * kWords + kClaimWord, Claim.queued, by) === Claim.queued;
}

/** On the owner's side: claim a queued job as cancelled. False if a worker has started it. */
export function claimCancel(i32: Int32Array, slot: number): boolean {
  return Atomics.compareExchange(i32, slot * kWords + kClaimWord, Claim.queued, Claim.cancelled) <= Claim.queued;
}

/** The number of the worker that started the job; 0 if none has (queued or cancelled). */
export function startedBy(i32: Int32Array, slot: number): number {
  return Math.max(Atomics.load(i32, slot * kWords + kClaimWord), 0);
}
