// Slot indices of the Int32Array a stop-notice waiter and the waker share.
// Imported by stop-notice.ts, waker.mjs and raw-waiter.mjs alike.

/** The raw waiter's flag: 1 once the waker has set it. */
export const kFlag = 0;
/** Sample number + 1 the waiter is about to wait for. */
export const kParked = 1;
/** Sample number + 1 the waiter has stamped its wake-up for. */
export const kDone = 2;
/** Int32 slots a control array needs. */
export const kSlots = 3;

/**
 * Block until `i32[index] >= value`, for at most `timeoutMs`.
 * @throws Error naming `what` when the time runs out.
 */
export function blockUntil(i32, index, value, what, timeoutMs = 5_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const seen = Atomics.load(i32, index);
    if (seen >= value) return;
    const left = deadline - performance.now();
    if (left <= 0) throw new Error(`failed to ${what} in ${timeoutMs / 1000} s`);
    Atomics.wait(i32, index, seen, left);
  }
}
