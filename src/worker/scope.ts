/**
 * What an inline target sees by name: skein's exports that its source
 * mentions, and esbuild's `__name` helper. The exports are loaded the first
 * time a source mentions one: a thread whose target names none does not
 * load the pool's main side, signals and the rest (~0.15 MiB a worker).
 */

/** The names skein exports (src/api.ts); a test keeps the two equal. */
export const exportNames: readonly string[] = [
  'Event',
  'Lock',
  'RLock',
  'Semaphore',
  'BoundedSemaphore',
  'Queue',
  'LifoQueue',
  'PriorityQueue',
  'SimpleQueue',
  'Condition',
  'Barrier',
  'BrokenBarrierError',
  'sleep',
  'sleepSync',
  'Thread',
  'RuntimeError',
  'currentThread',
  'mainThread',
  'enumerate',
  'activeCount',
  'MainThread',
  'DummyThread',
  'moduleTargets',
  'setStandbyThreads',
  'setExcepthook',
  'getExcepthook',
  'stopEvent',
  'stopSignal',
  'throwIfStopped',
  'Timer',
  'move',
  'stopOnSignals',
  'registerStoppable',
  'unregisterStoppable',
  'liveStoppables',
  'StopError',
  'ThreadExitError',
  'CancelledError',
  'TimeoutError',
  'BrokenThreadPool',
  'InvalidStateError',
  'NotSupportedError',
  'QueueEmpty',
  'QueueFull',
  'QueueShutDown',
  'registerErrorClass',
  'encodeMessage',
  'decodeMessage',
  'isSkeinMessage',
  'Future',
  'ThreadPoolExecutor',
  'TaskGroup',
  'wait',
  'asCompleted',
  'FIRST_COMPLETED',
  'FIRST_EXCEPTION',
  'ALL_COMPLETED',
];

// One pattern for every name: compiled once per worker, not once per export.
const mentions = new RegExp(`(?:^|[^\\w$.])(${exportNames.join('|')})(?![\\w$])`, 'g');

// The helper esbuild (tsx) inserts into functions it compiles with keepNames.
const defineName = (target: object, value: string): object =>
  Object.defineProperty(target, 'name', { value, configurable: true });

let api: Readonly<Record<string, unknown>> | undefined;

/**
 * The scope for inline sources: each skein export the sources mention, and
 * esbuild's `__name` helper. At once, unless skein's exports must be loaded
 * first.
 */
export function scopeFor(sources: readonly string[]): Record<string, unknown> | Promise<Record<string, unknown>> {
  const wanted: string[] = [];
  for (const source of sources) {
    // exec on the one pattern, not matchAll: matchAll clones it, and a
    // clone may compile the pattern again (~0.25 ms on a thread's start).
    mentions.lastIndex = 0;
    for (let match = mentions.exec(source); match !== null; match = mentions.exec(source)) wanted.push(match[1]!);
  }
  if (wanted.length === 0 || api !== undefined) return scopeOf(wanted, api);
  return import('../api.js').then((loaded) => scopeOf(wanted, (api = loaded)));
}

function scopeOf(
  names: readonly string[],
  exports: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const scope: Record<string, unknown> = { __name: defineName };
  for (const name of names) scope[name] = exports![name];
  return scope;
}
