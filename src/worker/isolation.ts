/**
 * Whether a worker whose thread has ended is as its next thread should find
 * it: as clean as a standby worker that has run nothing. Only then is it
 * given another thread instead of exiting (see src/worker/boot.ts), so a
 * thread still never inherits globals, timers or module state from another.
 *
 * What is checked, against a snapshot taken before the first job:
 * - the global object and what hangs from it, three levels deep — every own
 *   property of every object reached (a replaced `console.log`, a new global,
 *   a patched `Array.prototype.map`), by identity — except the functions on
 *   the third level, whose own properties are their `name` and `length`
 *   (walking them cost each worker ~0.6 MiB of V8's lazily made objects);
 * - the work pending in the worker (timers, sockets, ports, watchers), by
 *   kind and count, and the listeners on `process`;
 * - the memory its heap holds, garbage included, which may have grown by
 *   at most a few MiB (a parked worker collects no garbage);
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
  /** Each object reached, in the order walked. */
  readonly objects: readonly object[];
  /** For each object, its own properties as {@link record} lists them. */
  readonly properties: readonly (readonly unknown[])[];
  /** Pending work by kind (`process.getActiveResourcesInfo()`). */
  readonly resources: Map<string, number>;
  /** Listeners on `process`, by event. */
  readonly listeners: Map<string | symbol, number>;
  /** The memory this worker's heap held, garbage included ({@link heapBytes}). */
  readonly heapBytes: number;
}

/**
 * How much more memory than at the snapshot a worker may hold and still
 * serve another thread. A parked worker runs no garbage collection: what its
 * last thread allocated and dropped (a 64 MiB buffer, say) would stay in the
 * process for as long as the worker waits. A worker past this exits instead.
 */
const kMostHeapGrowthBytes = 8 * 1024 * 1024;

/**
 * The bytes this worker's heap and its array buffers take, garbage included
 * (on Node, this worker's own heap: V8's used heap and external memory).
 * Read from `process.memoryUsage()`, not `node:v8`'s `getHeapStatistics()`:
 * importing `node:v8` loads nine more of Node's modules into every worker
 * (~0.07 MiB), and this is read only twice a thread, off its start.
 */
function heapBytes(): number {
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
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

/**
 * Each property takes this many entries in a record: key, value, getter,
 * setter, attribute bits (writable, configurable — not enumerable: Deno
 * makes `queueMicrotask` enumerable as a module first loads its Node
 * built-ins, and whether a property is enumerable reaches a later thread
 * only through a walk of the global object's keys).
 */
const kEntries = 5;

/**
 * The own properties of `object`, flat: {@link kEntries} entries each, in
 * `Reflect.ownKeys` order (the same order for an object left alone).
 * Flat, not a Map of descriptor objects: a snapshot holds ~1,000
 * properties, kept for the worker's life.
 */
function record(object: object): unknown[] {
  const entries: unknown[] = [];
  for (const key of Reflect.ownKeys(object)) {
    if (kSkipped.has(key) || isLazyInternal(key)) continue;
    const descriptor = Reflect.getOwnPropertyDescriptor(object, key);
    if (descriptor === undefined) continue;
    const attributes = (descriptor.writable === true ? 1 : 0) | (descriptor.configurable === true ? 4 : 0);
    entries.push(key, descriptor.value, descriptor.get, descriptor.set, attributes);
  }
  return entries;
}

/**
 * Whether two records of `object` list the same properties, by identity —
 * a lazy global that has loaded since counting as the same
 * ({@link isLoadedLazily}). In the same order, as a rule; the same
 * properties in another order are the same too (Deno deletes and adds
 * again some globals as a module first loads its Node built-ins).
 */
function sameRecord(object: object, now: readonly unknown[], then: readonly unknown[]): boolean {
  if (now.length !== then.length) return false;
  let keyedThen: Map<unknown, number> | undefined;
  for (let at = 0; at < now.length; at += kEntries) {
    let thenAt = at;
    if (!Object.is(now[at], then[at])) {
      keyedThen ??= positionsByKey(then);
      thenAt = keyedThen.get(now[at]) ?? -1;
      if (thenAt === -1) return false;
    }
    if (!sameProperty(now, at, then, thenAt) && !isLoadedLazily(object, now, at, then, thenAt)) return false;
  }
  return true;
}

/** Where each property starts in a record, by key. */
function positionsByKey(entries: readonly unknown[]): Map<unknown, number> {
  const positions = new Map<unknown, number>();
  for (let at = 0; at < entries.length; at += kEntries) positions.set(entries[at], at);
  return positions;
}

/** Whether the property at `nowAt` of one record is the one at `thenAt` of another, entry by entry. */
function sameProperty(now: readonly unknown[], nowAt: number, then: readonly unknown[], thenAt: number): boolean {
  for (let i = 0; i < kEntries; i++) if (!Object.is(now[nowAt + i], then[thenAt + i])) return false;
  return true;
}

/**
 * Whether the property at `nowAt` changed only as one of Node's lazy globals
 * (`TextEncoder`, `CompressionStream`…) does when first read: a getter that
 * loads its value, then puts it in its place as a plain writable value. It
 * does so on first read by anyone — Node itself, or tsx's compiler loading
 * in a thread that imports a module. Then the old getter returns that
 * very value (calling it now has no effect: it has loaded); a value put
 * there by a thread is another.
 */
function isLoadedLazily(
  object: object,
  now: readonly unknown[],
  nowAt: number,
  then: readonly unknown[],
  thenAt: number,
): boolean {
  const [key, value, getter, setter, attributes] = now.slice(nowAt, nowAt + kEntries);
  const [oldKey, , oldGetter, oldSetter, oldAttributes] = then.slice(thenAt, thenAt + kEntries);
  const kWritable = 1;
  return (
    key === oldKey &&
    getter === undefined &&
    setter === undefined &&
    typeof oldGetter === 'function' &&
    oldSetter !== undefined &&
    attributes === ((oldAttributes as number) | kWritable) &&
    Object.is(Reflect.apply(oldGetter, object, []), value)
  );
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
  // Where pending work cannot be seen, no worker is reused: nothing to compare with.
  if (!kSeesPendingWork)
    return { objects: [], properties: [], resources: new Map(), listeners: new Map(), heapBytes: 0 };
  const [objects, properties] = walk();
  return {
    objects,
    properties,
    resources: count(process.getActiveResourcesInfo()),
    listeners: listenerCounts(),
    heapBytes: heapBytes(),
  };
}

/** Every object reached from the global object (see the top of this file), and its properties. */
function walk(): [object[], unknown[][]] {
  const objects: object[] = [];
  const properties: unknown[][] = [];
  const reached = new Set<object>();
  let level: object[] = [globalThis];
  for (let depth = 0; depth <= kDepth; depth++) {
    const next: object[] = [];
    for (const object of level) {
      if (reached.has(object) || (depth === kDepth && typeof object === 'function')) continue;
      reached.add(object);
      const entries = record(object);
      objects.push(object);
      properties.push(entries);
      for (let i = 1; i < entries.length; i += kEntries) {
        const value = entries[i];
        if ((typeof value === 'object' && value !== null) || typeof value === 'function') next.push(value);
      }
    }
    level = next;
  }
  return [objects, properties];
}

/**
 * What Node lists for pending work that ends on its own, leaving nothing
 * behind or something the last check sees: a handle's close in flight (the
 * job's port, closed at its end, takes a turn of the event loop or two), a
 * file operation (tsx writing its cache as a thread imports a module, a log
 * line not awaited), a connection attempt (tsx, on Node 22 and later,
 * tries to reach the tsx command's server from each worker that loads a
 * module: it fails at once when there is none; one that succeeds leaves a
 * socket, which the last check counts). The caller waits these out, a
 * little, before its last check.
 */
const kEndsOnItsOwn: ReadonlySet<string> = new Set(['CloseReq', 'FSReqCallback', 'FSReqPromise', 'ConnectWrap']);

/** Whether any work that ends on its own ({@link kEndsOnItsOwn}) is still pending. */
export function transientWorkPending(): boolean {
  return kSeesPendingWork && process.getActiveResourcesInfo().some((kind) => kEndsOnItsOwn.has(kind));
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
 * or, with `resourcesOnly`, only that no work is pending that was not,
 * work that ends on its own aside ({@link kEndsOnItsOwn}). The caller has
 * closed what the job was given (its port).
 */
export function isUnchangedSince(snapshot: Snapshot, { resourcesOnly = false } = {}): boolean {
  if (!kSeesPendingWork) return false;
  let pending = process.getActiveResourcesInfo();
  if (resourcesOnly) pending = pending.filter((kind) => !kEndsOnItsOwn.has(kind));
  // What was pending when the snapshot was taken may have finished since.
  if (!noMore(count(pending), snapshot.resources)) return false;
  if (resourcesOnly) return true;
  if (heapBytes() - snapshot.heapBytes > kMostHeapGrowthBytes) return false;
  if (!sameCounts(listenerCounts(), snapshot.listeners)) return false;
  for (let i = 0; i < snapshot.objects.length; i++) {
    const object = snapshot.objects[i]!;
    if (!sameRecord(object, record(object), snapshot.properties[i]!)) return false;
  }
  return true;
}
