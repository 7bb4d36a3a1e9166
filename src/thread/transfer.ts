import { MessagePort } from 'node:worker_threads';
import { Barrier } from '../sync/barrier.js';
import { Condition } from '../sync/condition.js';
import { Event } from '../sync/event.js';
import { Lock } from '../sync/lock.js';
import { kSharedMemory, type SharedHandle, type SharedKind } from '../sync/memory.js';
import { RLock } from '../sync/rlock.js';
import { Semaphore } from '../sync/semaphore.js';
import { StopError, ThreadExitError, describeValue, withArticle } from '../errors.js';

// Values cross threads by structured clone, which would turn an Event or
// any other shared-memory primitive (all private fields) into an empty
// object. Before sending, every one inside a value is swapped for a marker
// holding its kind and memory; the receiving side swaps each marker back for
// the same kind on that memory. ("Events" below means all of these.)

const kMarker = '__skein_event__';

interface EventMarker {
  [kMarker]: 1;
  kind: SharedKind;
  buffer: SharedArrayBuffer;
  byteOffset: number;
}

/** Rebuild a primitive from its memory; `lock` is a Condition's own lock, rebuilt first when it lives elsewhere. */
type Reviver = (buffer: SharedArrayBuffer, byteOffset: number, lock?: object) => object;

const revivers: Partial<Record<SharedKind, Reviver>> = {
  Event: (buffer, byteOffset) => Event.fromBuffer(buffer, byteOffset),
  Lock: (buffer, byteOffset) => Lock.fromBuffer(buffer, byteOffset),
  RLock: (buffer, byteOffset) => RLock.fromBuffer(buffer, byteOffset),
  Semaphore: (buffer, byteOffset) => Semaphore.fromBuffer(buffer, byteOffset),
  Condition: (buffer, byteOffset, lock) => Condition.fromBuffer(buffer, byteOffset, lock as Lock | RLock | undefined),
  Barrier: (buffer, byteOffset) => Barrier.fromBuffer(buffer, byteOffset),
};

/**
 * The kinds whose module a worker loads only when one arrives: the queues
 * (their module, with the ring, the wire format and the relay's client, is
 * ~50 KB that a thread which never sees a queue should not load). Each
 * module registers its kinds when it loads ({@link registerReviver}).
 */
const loadedOnDemand: Partial<Record<SharedKind, () => Promise<unknown>>> = {
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

/** A value ready for postMessage, and whether the receiver must revive Events in it. */
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
    value instanceof SharedArrayBuffer ||
    value instanceof Date ||
    value instanceof RegExp ||
    value instanceof Error ||
    value instanceof MessagePort
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

const isEvent = (value: object): boolean => eventMemoryOf(value) !== undefined;

function containsEvent(value: unknown, seen: Set<object>): boolean {
  return someObject(value, isEvent, seen);
}

/** Every MessagePort inside `value`: postMessage must be told to move them. */
export function portsIn(value: unknown): MessagePort[] {
  const ports: MessagePort[] = [];
  someObject(
    value,
    (object) => {
      if (object instanceof MessagePort) ports.push(object);
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

/**
 * The first thing inside `value` that postMessage would refuse and that can
 * be spotted cheaply (a function, a symbol, a Promise), described; or
 * undefined. Used to refuse a pool task's argument at submit time, before
 * it joins a batch, and a queue item at `put`.
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
 * Prepare `value` for postMessage. Without Events inside it, it is returned
 * as is (the common, cheap case); otherwise a copy with every Event replaced
 * by a marker, cycles and shared references kept.
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
    (value as Partial<EventMarker>).buffer instanceof SharedArrayBuffer
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

function reviveEvents(value: unknown, events: Map<SharedArrayBuffer, Map<number, object>>, seen: Set<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (isMarker(value)) return reviveMarker(value, events);
  if (seen.has(value) || isOpaque(value)) return value;
  seen.add(value);
  if (value instanceof Map) {
    const entries = [...value];
    value.clear();
    for (const [k, v] of entries) value.set(reviveEvents(k, events, seen), reviveEvents(v, events, seen));
  } else if (value instanceof Set) {
    const items = [...value];
    value.clear();
    for (const v of items) value.add(reviveEvents(v, events, seen));
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = reviveEvents(record[key], events, seen);
  }
  return value;
}

/**
 * The receiving side of {@link encodeValue}: revive the Events in a value
 * that was just received (and so is a private copy, revived in place).
 */
export function decodeValue<T>(value: T, hasEvents: boolean): T {
  return hasEvents ? (reviveEvents(value, new Map(), new Set()) as T) : value;
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
    const detail = error instanceof Error ? error.message : String(error);
    return `${detail} — only data that structured clone copies (and skein Events) can be sent`;
  }
}

/** An error as sent between threads: everything needed to rebuild it. */
export interface SerializedError {
  /** `error` for an Error object; `value` when something other than an Error was thrown. */
  kind: 'error' | 'value';
  name: string;
  message: string;
  stack: string | undefined;
  /** Own enumerable properties (code, errno, custom fields), each made sendable. */
  props: Record<string, unknown>;
  cause?: SerializedError;
  /** The thrown non-Error value, when kind is `value` and it could be cloned. */
  value?: unknown;
}

function sendable(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return typeof value === 'function' ? `[function ${value.name || 'anonymous'}]` : String(value);
  }
}

/** Capture an error thrown in a thread so that its owner can rebuild it. */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) {
    return {
      kind: 'value',
      name: typeof error,
      message: String(error),
      stack: undefined,
      props: {},
      value: sendable(error),
    };
  }
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    if (key === 'name' || key === 'message' || key === 'stack' || key === 'cause') continue;
    props[key] = sendable((error as unknown as Record<string, unknown>)[key]);
  }
  const serialized: SerializedError = {
    kind: 'error',
    name: error.name,
    message: error.message,
    stack: error.stack,
    props,
  };
  if ('cause' in error && error.cause !== undefined && depth < 8)
    serialized.cause = serializeError(error.cause, depth + 1);
  return serialized;
}

const builtinErrors: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** Rebuild an error captured by {@link serializeError}, keeping its stack, name, message and own properties. */
export function deserializeError(serialized: SerializedError): unknown {
  if (serialized.kind === 'value') return serialized.value;
  let error: Error;
  if (serialized.name === 'StopError') error = new StopError(serialized.message);
  else if (serialized.name === 'ThreadExitError') {
    const props = serialized.props as { reason?: ThreadExitError['reason']; exitCode?: number };
    error = new ThreadExitError(serialized.message, props.reason ?? 'crashed', props.exitCode);
  } else {
    const Ctor = builtinErrors[serialized.name] ?? Error;
    error = new Ctor(serialized.message);
    if (error.name !== serialized.name) {
      Object.defineProperty(error, 'name', { value: serialized.name, writable: true, configurable: true });
    }
  }
  Object.defineProperty(error, 'stack', { value: serialized.stack, writable: true, configurable: true });
  for (const [key, value] of Object.entries(serialized.props)) {
    Object.defineProperty(error, key, { value, writable: true, configurable: true, enumerable: true });
  }
  if (serialized.cause !== undefined) {
    Object.defineProperty(error, 'cause', {
      value: deserializeError(serialized.cause),
      writable: true,
      configurable: true,
    });
  }
  return error;
}
