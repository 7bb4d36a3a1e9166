/**
 * What an inline target sees by name: skein's exports that its source
 * mentions, and esbuild's `__name` helper. The exports are loaded the first
 * time a source mentions one: a thread whose target names none does not
 * load the pool's main side, signals and the rest (~0.15 MiB a worker).
 * Those a target checks its stop request with, and Event, are at hand: a
 * thread that names only them loads nothing more, and gets its scope at once.
 */
import { Event } from '../sync/event.js';
import { stopEvent, stopSignal, throwIfStopped } from '../thread/stop.js';

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

/** The exports loaded with this module, without the rest: Event (every worker has it: its thread's stop request is one) and the stop request's functions. */
const atHand: Readonly<Record<string, unknown>> = { Event, stopEvent, stopSignal, throwIfStopped };

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
  if (api !== undefined || wanted.every((name) => name in atHand)) return scopeOf(wanted, api ?? atHand);
  return import('../api.js').then((loaded) => scopeOf(wanted, (api = loaded)));
}

function scopeOf(names: readonly string[], exports: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const scope: Record<string, unknown> = { __name: defineName };
  for (const name of names) scope[name] = exports[name];
  return scope;
}
