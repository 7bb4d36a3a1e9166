/**
 * How many threads the machine runs at once, in a browser: the browser
 * build's src/cores.ts (see src/platform.ts).
 */

/** How many threads the machine runs at once, as the browser tells (`navigator.hardwareConcurrency`). */
export function availableParallelism(): number {
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency || 4;
}
