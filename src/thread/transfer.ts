// The global MessagePort, not node:worker_threads' (the same class on Node, Bun and Deno): a page has it too.
import type { MessagePort } from 'node:worker_threads';
import { Event } from '../sync/event.js';
import { kSharedMemory, type SharedHandle, type SharedKind } from '../sync/memory.js';
import { describeValue, withArticle } from '../errors.js';
import { isSharedBuffer } from '../platform.js';
import {
  deserializeError,
  isSerializedError,
  type SerializedError,
  serializeError,
  thrownMessage,
} from './error-codec.js';

// Values cross threads by structured clone, which would turn an Event or
// any other shared-memory primitive (all private fields) into an empty
// object. Before sending, every one inside a value is swapped for a marker
// holding its kind and memory; the receiving side swaps each marker back for
// the same kind on that memory. ("Events" below means all of these.)
//
// Errors inside a value are swapped for a marker too, holding the error as
// the error codec captures it: structured clone would lose its class and
// fields, and V8 serializes an error whose `cause` leads back to it but
// cannot deserialize it — the receiver would drop the message, or throw.

const kMarker = '__skein_event__';
const kErrorMarker = '__skein_error__';

interface ErrorMarker {
  [kErrorMarker]: 1;
  error: SerializedError;
}

interface EventMarker {
  [kMarker]: 1;
  kind: SharedKind;
  buffer: SharedArrayBuffer;
  byteOffset: number;
}

/** Rebuild a primitive from its memory; `lock` is a Condition's own lock, rebuilt first when it lives elsewhere. */
type Reviver = (buffer: SharedArrayBuffer, byteOffset: number, lock?: object) => object;

const revivers: Partial<Record<SharedKind, Reviver>> = {
  // Every thread has Events: its control block holds its stop request.
  Event: (buffer, byteOffset) => Event.fromBuffer(buffer, byteOffset),
};

/**
 * The kinds whose module a worker loads only when one arrives: every
 * primitive but Event — the queues (their module, with the ring, the wire
 * format and the relay's client, is ~50 KB), the locks, the semaphores,
 * Condition and Barrier: a thread that never sees one does not load it.
 * Each module registers its kinds when it loads ({@link registerReviver});
 * code that decodes without awaiting {@link prepareDecode} imports them
 * (src/thread/revivers.ts).
 */
const loadedOnDemand: Partial<Record<SharedKind, () => Promise<unknown>>> = {
  Lock: () => import('../sync/lock.js'),
  RLock: () => import('../sync/rlock.js'),
  Semaphore: () => import('../sync/semaphore.js'),
  Condition: () => import('../sync/condition.js'),
  Barrier: () => import('../sync/barrier.js'),
  Queue: () => import('../sync/queue.js'),
  SimpleQueue: () => import('../sync/queue.js'),
};

/** @internal Make the kind `kind` revivable: called by its module when it loads. */
export function registerReviver(kind: SharedKind, reviver: Reviver): void {
  revivers[kind] = reviver;
}

/**
 * Load the modules of the primitives inside a value just received that
 * this thread has not loaded yet, so that {@link decodeValue} can revive
 * them: a promise to await first, or undefined when there is none (the
 * common case, which costs nothing when `hasEvents` is false).
 */
export function prepareDecode(value: unknown, hasEvents: boolean): Promise<unknown> | undefined {
  if (!hasEvents) return undefined;
  const loads = new Set<() => Promise<unknown>>();
  someObject(
    value,
    (object) => {
      const kind = (object as Partial<EventMarker>)[kMarker] === 1 ? (object as EventMarker).kind : undefined;
      const load = kind === undefined || revivers[kind] !== undefined ? undefined : loadedOnDemand[kind];
      if (load !== undefined) loads.add(load);
      return false;
    },
    new Set(),
  );
  return loads.size === 0 ? undefined : Promise.all([...loads].map((load) => load()));
}

/** A value ready for postMessage, and whether the receiver must revive Events (or errors) in it. */
export interface Encoded<T = unknown> {
  value: T;
  hasEvents: boolean;
}

function eventMemoryOf(value: object): SharedHandle | undefined {
  const brand = (value as { [kSharedMemory]?: unknown })[kSharedMemory];
  return typeof brand === 'function' ? (brand.call(value) as SharedHandle) : undefined;
}

/** Objects structured clone copies whole (or moves), with nothing inside that could be an Event. */
function isOpaque(value: object): boolean {
  return (
    ArrayBuffer.isView(value) ||
    value instanceof ArrayBuffer ||
    isSharedBuffer(value) ||
    value instanceof Date ||
    value instanceof RegExp ||
    value instanceof Error ||
    value instanceof globalThis.MessagePort
  );
}

/**
 * Call `visit` on every object inside `value` (itself included), each
 * once, not looking inside Events and opaque objects; stop as soon as
 * `visit` returns true, and return whether it did.
 */
function someObject(value: unknown, visit: (object: object) => boolean, seen: Set<object>): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (seen.has(value)) return false;
  seen.add(value);
  if (visit(value)) return true;
  if (eventMemoryOf(value) !== undefined || isOpaque(value)) return false;
  if (value instanceof Map) {
    for (const [k, v] of value) if (someObject(k, visit, seen) || someObject(v, visit, seen)) return true;
    return false;
  }
  if (value instanceof Set) {
    for (const v of value) if (someObject(v, visit, seen)) return true;
    return false;
  }
  for (const key of Object.keys(value)) {
    if (someObject((value as Record<string, unknown>)[key], visit, seen)) return true;
  }
  return false;
}

/** Whether `value` is an Event, or an error (sent through the error codec: see above). */
const isEventOrError = (value: object): boolean => eventMemoryOf(value) !== undefined || value instanceof Error;

/** Whether an Event (or an error) is inside `value`. */
function containsEvent(value: unknown, seen: Set<object>): boolean {
  return someObject(value, isEventOrError, seen);
}

/** Every MessagePort inside `value`: postMessage must be told to move them. */
export function portsIn(value: unknown): MessagePort[] {
  const ports: MessagePort[] = [];
  someObject(
    value,
    (object) => {
      if (object instanceof globalThis.MessagePort) ports.push(object as MessagePort);
      return false;
    },
    new Set(),
  );
  return ports;
}

function replaceEvents(value: unknown, copies: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const done = copies.get(value);
  if (done !== undefined) return done;
  const memory = eventMemoryOf(value);
  if (memory !== undefined) {
    const marker: EventMarker = { [kMarker]: 1, ...memory };
    copies.set(value, marker);
    return marker;
  }
  if (value instanceof Error) {
    const marker: ErrorMarker = { [kErrorMarker]: 1, error: serializeError(value) };
    copies.set(value, marker);
    return marker;
  }
  if (isOpaque(value)) return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    copies.set(value, copy);
    for (const item of value) copy.push(replaceEvents(item, copies));
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map();
    copies.set(value, copy);
    for (const [k, v] of value) copy.set(replaceEvents(k, copies), replaceEvents(v, copies));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set();
    copies.set(value, copy);
    for (const v of value) copy.add(replaceEvents(v, copies));
    return copy;
  }
  const copy: Record<string, unknown> = {};
  copies.set(value, copy);
  for (const key of Object.keys(value)) copy[key] = replaceEvents((value as Record<string, unknown>)[key], copies);
  return copy;
}

const kUnsendable = Symbol.for('skein.unsendable');

/**
 * Mark the instances of `cls` as objects that cannot be sent to a thread,
 * with `why` (after "it is"): structured clone would copy a Thread, a
 * Future or a pool as an empty object, saying nothing. Once per class.
 */
export function markUnsendable(cls: Function, why: string): void {
  Object.defineProperty(cls.prototype, kUnsendable, { value: why });
}

/**
 * The first thing inside `value` that postMessage would refuse, or copy as
 * an empty shell, and that can be spotted cheaply (a function, a symbol, a
 * Promise, a Thread), described; or undefined. Used to refuse a pool task's
 * argument at submit time, before it joins a batch, a queue item at `put`,
 * and a thread's arguments before it starts.
 *
 * @param path - if given, receives the way from `value` to the culprit, one
 *   step per level (see {@link formatPath}).
 */
export function findUnsendable(value: unknown, seen = new Set<object>(), path?: PathStep[]): string | undefined {
  if (typeof value === 'function')
    return `it is a function (${describeValue(value)}): code is not copied between threads — make it the target (or the task), or pass data`;
  if (typeof value === 'symbol') return 'it is a symbol, which cannot be copied between threads';
  if (value === null || typeof value !== 'object' || seen.has(value)) return undefined;
  seen.add(value);
  const marked = (value as { [kUnsendable]?: unknown })[kUnsendable];
  if (typeof marked === 'string') return `it is ${marked}`;
  if (value instanceof Promise) return 'it is a Promise: await it first and pass the value';
  if (
    value instanceof WeakMap ||
    value instanceof WeakSet ||
    value instanceof WeakRef ||
    value instanceof FinalizationRegistry
  ) {
    return `it is ${withArticle(value.constructor.name)}, which cannot be copied between threads`;
  }
  if (eventMemoryOf(value) !== undefined || isOpaque(value)) return undefined;
  const check = (step: PathStep, child: unknown): string | undefined => {
    const problem = findUnsendable(child, seen, path);
    if (problem === undefined) return undefined;
    path?.unshift(step);
    return problem.startsWith('it is') ? `it holds ${problem.slice(6)}` : problem;
  };
  let problem: string | undefined;
  if (value instanceof Map) {
    for (const [k, v] of value) if ((problem = check({ mapKey: k }, k) ?? check({ mapValue: k }, v))) return problem;
  } else if (value instanceof Set) {
    for (const v of value) if ((problem = check({ setItem: v }, v))) return problem;
  } else {
    for (const key of Object.keys(value)) {
      if ((problem = check(key, (value as Record<string, unknown>)[key]))) return problem;
    }
  }
  return undefined;
}

/** One step of the way to a value inside another: a property, a Map's key or value, a Set's item. */
export type PathStep = string | { mapKey: unknown } | { mapValue: unknown } | { setItem: unknown };

/** The way `path` from `root` as code would write it: `item.tasks[2].callback`, `item.get(…)`. */
export function formatPath(root: string, path: readonly PathStep[]): string {
  let text = root;
  for (const step of path) {
    if (typeof step === 'string')
      text += /^\d+$/.test(step)
        ? `[${step}]`
        : /^[A-Za-z_$][\w$]*$/.test(step)
          ? `.${step}`
          : `[${JSON.stringify(step)}]`;
    else if ('mapKey' in step) text += '.keys()[…]';
    else if ('mapValue' in step) text += '.get(…)';
    else text += '.values()[…]';
  }
  return text;
}

/**
 * Check and encode a task's arguments in one pass. Primitive arguments (the
 * common case) cost a `typeof` each; objects are scanned for Events and for
 * what postMessage would refuse.
 *
 * @param label - how to name an argument in an error: `argument` gives "argument 1 cannot be sent…".
 * @throws TypeError naming the first argument that cannot be sent.
 */
export function encodeArgs(args: unknown[], label: string): Encoded<unknown[]> {
  return checkArgs(args, label) ? encodeValue(args) : { value: args, hasEvents: false };
}

/**
 * Check that every argument can be sent to a worker, naming the first that
 * cannot. Primitive arguments (the common case) cost a `typeof` each.
 *
 * @returns whether any argument is an object (worth scanning for Events).
 * @throws TypeError naming the first argument that cannot be sent.
 */
export function checkArgs(args: unknown[], label: string): boolean {
  let objects = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const type = typeof arg;
    if (type === 'object') objects ||= arg !== null;
    else if (type === 'function' || type === 'symbol') objects = true;
  }
  if (!objects) return false;
  for (let i = 0; i < args.length; i++) {
    const problem = findUnsendable(args[i]);
    if (problem !== undefined) throw new TypeError(`${label} ${i} cannot be sent to a worker: ${problem}`);
  }
  return true;
}

/**
 * Check and encode what a thread is started with: its arguments and, for a
 * Thread subclass, its own fields. Run before the job is posted, so that a
 * Thread or a Future (which structured clone would copy as `{}`) is refused
 * by name, like a function.
 *
 * @throws TypeError naming the first argument or field that cannot be sent.
 */
export function encodeLaunch(
  args: unknown[],
  fields: Record<string, unknown> | undefined,
  thread: { name: string; className: string },
): Encoded<readonly [unknown[], Record<string, unknown> | undefined]> {
  const problem = launchProblem(args, fields, thread, (value) => findUnsendable(value));
  if (problem !== undefined) throw problem;
  return encodeValue([args, fields] as const);
}

/**
 * The TypeError naming the first argument or field of a thread that `why`
 * finds cannot be sent, or undefined.
 */
export function launchProblem(
  args: unknown[],
  fields: Record<string, unknown> | undefined,
  thread: { name: string; className: string },
  why: (value: unknown) => string | undefined,
  cause?: unknown,
): TypeError | undefined {
  const options = cause === undefined ? undefined : { cause };
  for (const [index, arg] of args.entries()) {
    const problem = why(arg);
    if (problem !== undefined) {
      return new TypeError(
        `argument ${index} of thread "${thread.name}" cannot be sent to a thread: ${problem}`,
        options,
      );
    }
  }
  for (const [key, value] of Object.entries(fields ?? {})) {
    const problem = why(value);
    if (problem !== undefined) {
      return new TypeError(
        `field \`${key}\` of thread "${thread.name}" (${thread.className}) cannot be sent to its thread: ${problem}`,
        options,
      );
    }
  }
  return undefined;
}

/**
 * Prepare `value` for postMessage. Without Events or errors inside it, it is
 * returned as is (the common, cheap case); otherwise a copy with every Event
 * and every error replaced by a marker, cycles and shared references kept.
 */
export function encodeValue<T>(value: T): Encoded<T> {
  if (value === null || typeof value !== 'object') return { value, hasEvents: false };
  if (!containsEvent(value, new Set())) return { value, hasEvents: false };
  return { value: replaceEvents(value, new Map()) as T, hasEvents: true };
}

function isMarker(value: object): value is EventMarker {
  return (
    (value as Partial<EventMarker>)[kMarker] === 1 &&
    typeof (value as Partial<EventMarker>).kind === 'string' &&
    (Object.hasOwn(revivers, (value as EventMarker).kind) ||
      Object.hasOwn(loadedOnDemand, (value as EventMarker).kind)) &&
    isSharedBuffer((value as Partial<EventMarker>).buffer)
  );
}

/** The primitive a marker stands for: one object for each memory in a value, shared references kept. */
function reviveMarker(marker: SharedHandle, events: Map<SharedArrayBuffer, Map<number, object>>): object {
  let byOffset = events.get(marker.buffer);
  if (byOffset === undefined) events.set(marker.buffer, (byOffset = new Map()));
  let revived = byOffset.get(marker.byteOffset);
  if (revived === undefined) {
    // A Condition made over a lock of the caller's carries that lock's memory too.
    const lock = marker.lock && reviveMarker(marker.lock, events);
    const reviver = revivers[marker.kind];
    if (reviver === undefined) {
      throw new Error(
        `internal error: a ${marker.kind} arrived before its module was loaded (prepareDecode() must be awaited before decodeValue())`,
      );
    }
    revived = reviver(marker.buffer, marker.byteOffset, lock);
    byOffset.set(marker.byteOffset, revived);
  }
  return revived;
}

function isErrorMarker(value: object): value is ErrorMarker {
  return (value as Partial<ErrorMarker>)[kErrorMarker] === 1 && isSerializedError((value as ErrorMarker).error);
}

/** What one decodeValue has revived: each Event once per memory, each error once per marker. */
interface Revived {
  events: Map<SharedArrayBuffer, Map<number, object>>;
  errors: Map<object, unknown>;
  seen: Set<object>;
}

function reviveEvents(value: unknown, revived: Revived): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (isMarker(value)) return reviveMarker(value, revived.events);
  if (isErrorMarker(value)) {
    if (!revived.errors.has(value)) revived.errors.set(value, deserializeError(value.error));
    return revived.errors.get(value);
  }
  if (revived.seen.has(value) || isOpaque(value)) return value;
  revived.seen.add(value);
  if (value instanceof Map) {
    const entries = [...value];
    value.clear();
    for (const [k, v] of entries) value.set(reviveEvents(k, revived), reviveEvents(v, revived));
  } else if (value instanceof Set) {
    const items = [...value];
    value.clear();
    for (const v of items) value.add(reviveEvents(v, revived));
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = reviveEvents(record[key], revived);
  }
  return value;
}

/**
 * The receiving side of {@link encodeValue}: revive the Events (and errors)
 * in a value that was just received (and so is a private copy, revived in
 * place).
 * @throws Error if a marker names memory that holds no such primitive (a forged one).
 */
export function decodeValue<T>(value: T, hasEvents: boolean): T {
  return hasEvents ? (reviveEvents(value, { events: new Map(), errors: new Map(), seen: new Set() }) as T) : value;
}

/**
 * Explain why `value` cannot be sent to a thread, or return undefined if it
 * can. Runs only after postMessage refused something, to name the culprit.
 */
export function whyUncloneable(value: unknown): string | undefined {
  const known = findUnsendable(value);
  if (known !== undefined) return known;
  try {
    structuredClone(encodeValue(value).value);
    return undefined;
  } catch (error) {
    return `${thrownMessage(error)} — only data that structured clone copies (and skein Events) can be sent`;
  }
}
