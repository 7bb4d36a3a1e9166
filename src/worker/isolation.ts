/**
 * Whether a worker whose thread has ended is as its next thread should find
 * it: as clean as a standby worker that has run nothing. Only then is it
 * given another thread instead of exiting (see src/worker/boot.ts), so a
 * thread still never inherits globals, timers or module state from another.
 *
 * What is checked, against a snapshot taken before the first job:
 * - the global object and what hangs from it, three levels deep — every own
 *   property of every object reached (a replaced `console.log`, a new global,
 *   a patched `Array.prototype.map`), by descriptor identity;
 * - the work pending in the worker (timers, sockets, ports, watchers), by
 *   kind and count, and the listeners on `process`;
 * - what the caller knows of the job: that it imported no module (a module
 *   keeps its state across jobs) — the caller does not ask otherwise.
 * Everything not reached this way (a closure's variables, a built-in's
 * internal slots) is not reachable from a later job either, except through
 * a module — hence the last rule.
 */

import { runtime } from '../platform.js';

/**
 * Whether this runtime shows a worker's pending work: Bun's
 * `process.getActiveResourcesInfo()` is always empty, so a timer a thread
 * left could not be seen, and a Bun worker is never given another thread.
 */
const kSeesPendingWork = runtime !== 'bun';

/** The objects walked below the global object, in levels. */
const kDepth = 2;

export interface Snapshot {
  /** Each object reached, with the descriptors of its own properties. */
  readonly objects: Map<object, Map<PropertyKey, PropertyDescriptor>>;
  /** Pending work by kind (`process.getActiveResourcesInfo()`). */
  readonly resources: Map<string, number>;
  /** Listeners on `process`, by event. */
  readonly listeners: Map<string | symbol, number>;
}

/** Keys whose values change by design: the process-wide environment (shared by every thread), skein's own per-thread state. */
const kSkipped = new Set<PropertyKey>(['env', Symbol.for('skein.realm'), Symbol.for('skein.stoppables')]);

/**
 * Whether `key` is one Node defines on the global object the first time
 * some lazy global is read (`navigator` on Node 22, `crypto` on 24 and 26,
 * `FormData` on 20): undici's global dispatcher, made on first need. Its
 * coming says nothing of the job; replacing it takes importing undici,
 * and a job that imports is never followed by another anyway.
 */
function isLazyInternal(key: PropertyKey): boolean {
  return typeof key === 'symbol' && key.description?.startsWith('undici.globalDispatcher.') === true;
}

/** Keys found to change between two reads with nothing else happening (see takeSnapshot). */
const volatile = new Set<PropertyKey>();

function descriptorsOf(object: object): Map<PropertyKey, PropertyDescriptor> {
  const descriptors = new Map<PropertyKey, PropertyDescriptor>();
  for (const key of Reflect.ownKeys(object)) {
    if (kSkipped.has(key) || volatile.has(key) || isLazyInternal(key)) continue;
    const descriptor = Reflect.getOwnPropertyDescriptor(object, key);
    if (descriptor !== undefined) descriptors.set(key, descriptor);
  }
  return descriptors;
}

function count<T>(items: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

function listenerCounts(): Map<string | symbol, number> {
  return new Map(process.eventNames().map((name) => [name, process.listenerCount(name)]));
}

/** Take the snapshot a clean worker is compared with. */
export function takeSnapshot(): Snapshot {
  const objects = new Map<object, Map<PropertyKey, PropertyDescriptor>>();
  let level: object[] = [globalThis];
  for (let depth = 0; depth <= kDepth; depth++) {
    const next: object[] = [];
    for (const object of level) {
      if (objects.has(object)) continue;
      const descriptors = descriptorsOf(object);
      objects.set(object, descriptors);
      for (const { value } of descriptors.values()) {
        if ((typeof value === 'object' && value !== null) || typeof value === 'function') next.push(value);
      }
    }
    level = next;
  }
  // A property read twice in a row that differs (a getter-like value that
  // is made anew on every read, as Bun's PerformanceObserver.supportedEntryTypes)
  // tells nothing: it is left out.
  for (const [object, descriptors] of objects) {
    const again = descriptorsOf(object);
    for (const [key, descriptor] of descriptors) {
      const second = again.get(key);
      if (second === undefined || !sameDescriptor(descriptor, second)) {
        descriptors.delete(key);
        volatile.add(key);
      }
    }
  }
  return {
    objects,
    resources: count(process.getActiveResourcesInfo()),
    listeners: listenerCounts(),
  };
}

function sameDescriptor(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  return (
    Object.is(a.value, b.value) &&
    a.get === b.get &&
    a.set === b.set &&
    a.writable === b.writable &&
    a.enumerable === b.enumerable &&
    a.configurable === b.configurable
  );
}

function sameCounts<T>(now: Map<T, number>, then: Map<T, number>): boolean {
  if (now.size !== then.size) return false;
  for (const [key, n] of now) if (then.get(key) !== n) return false;
  return true;
}

/** Whether every count in `now` is at most the one in `then`: nothing more is pending. */
function noMore<T>(now: Map<T, number>, then: Map<T, number>): boolean {
  for (const [key, n] of now) if (n > (then.get(key) ?? 0)) return false;
  return true;
}

/**
 * Whether nothing the snapshot covers has changed since it was taken —
 * or, with `resourcesOnly`, only that no work is pending that was not. The
 * caller has closed what the job was given (its port).
 */
export function isUnchangedSince(snapshot: Snapshot, { resourcesOnly = false } = {}): boolean {
  if (!kSeesPendingWork) return false;
  // What was pending when the snapshot was taken (a port closing, say) may have finished since.
  if (!noMore(count(process.getActiveResourcesInfo()), snapshot.resources)) return false;
  if (resourcesOnly) return true;
  if (!sameCounts(listenerCounts(), snapshot.listeners)) return false;
  for (const [object, then] of snapshot.objects) {
    const now = descriptorsOf(object);
    if (now.size !== then.size) return false;
    for (const [key, descriptor] of now) {
      const before = then.get(key);
      if (before === undefined || !sameDescriptor(descriptor, before)) return false;
    }
  }
  return true;
}
