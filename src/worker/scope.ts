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

/** Whether `code` (a UTF-16 code unit) may be part of a name: `[A-Za-z0-9_$]`. */
function isNameChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 65 && code <= 90) || // A-Z
    (code >= 48 && code <= 57) || // 0-9
    code === 95 || // _
    code === 36 // $
  );
}

/**
 * Whether `source` mentions `name` as a whole name, not as a property
 * (`x.name`) or a part of a longer name. Found with indexOf, not with one
 * pattern of all the names: V8 compiles such a pattern on its first use,
 * into ~30 KB of objects in each worker — enough to cost an idle thread
 * ~0.1 MiB — and a fresh worker did so on its thread's start. (A scan per
 * name is slower on a long source, ~0.4 ms for 32 KB, but runs once per
 * source and worker: compiled targets are cached.)
 */
function mentions(source: string, name: string): boolean {
  for (let at = source.indexOf(name); at !== -1; at = source.indexOf(name, at + 1)) {
    const before = at === 0 ? -1 : source.charCodeAt(at - 1);
    const after = at + name.length === source.length ? -1 : source.charCodeAt(at + name.length);
    if (!isNameChar(before) && before !== 46 /* . */ && !isNameChar(after)) return true;
  }
  return false;
}

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
  const wanted = exportNames.filter((name) => sources.some((source) => mentions(source, name)));
  if (api !== undefined || wanted.every((name) => name in atHand)) return scopeOf(wanted, api ?? atHand);
  return import('../api.js').then((loaded) => scopeOf(wanted, (api = loaded)));
}

function scopeOf(names: readonly string[], exports: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const scope: Record<string, unknown> = { __name: defineName };
  for (const name of names) scope[name] = exports[name];
  return scope;
}
