/**
 * The order of a PriorityQueue's priorities, shared by the queue's shared
 * memory (src/sync/record-queue.ts) and the relay that holds its spilled
 * records (src/worker/relay.ts), so that both order alike.
 */

/** A priority: lowest first; every number before every string. */
export type PriorityKey = number | string;

/** Compare two priorities: numbers by value, before every string; strings by UTF-16 code units (as `<` does). */
export function compareKeys(a: PriorityKey, b: PriorityKey): number {
  if (typeof a === 'number') {
    if (typeof b !== 'number') return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Whether the record of priority `a` put as number `aSequence` is taken
 * before that of `b`, `bSequence`: the lower priority, or the same one put
 * earlier. Sequence numbers count puts mod 2^32, so they are compared by
 * their difference.
 */
export function comesBefore(a: PriorityKey, aSequence: number, b: PriorityKey, bSequence: number): boolean {
  const order = compareKeys(a, b);
  return order !== 0 ? order < 0 : ((aSequence - bSequence) | 0) < 0;
}
