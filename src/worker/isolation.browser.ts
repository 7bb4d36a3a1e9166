/**
 * src/worker/isolation.ts for browsers: a page cannot see a Web Worker's
 * pending work (its timers, its ports) nor its heap, so a worker is never
 * found clean and never serves a second thread — each thread's worker
 * closes with it.
 */
import type { Snapshot } from './isolation.js';

export type { Snapshot };

/** Nothing to compare with: an empty snapshot. */
export function takeSnapshot(): Snapshot {
  return { objects: [], properties: [], resources: new Map(), listeners: new Map(), heapBytes: 0 };
}

/** Never: a browser worker's pending work cannot be seen. */
export function isUnchangedSince(_snapshot: Snapshot, _options: { resourcesOnly?: boolean } = {}): boolean {
  return false;
}

/** None seen: a browser worker's pending work cannot be seen. */
export function transientWorkPending(): boolean {
  return false;
}
