/**
 * Errors across threads: what a thread or task throws, captured where it is
 * thrown ({@link serializeError}) and rebuilt where it is received
 * ({@link deserializeError}), with its class, name, message, stack, cause
 * and own properties.
 *
 * Three rules hold:
 * - Capturing never throws. A thrown value can be anything — an error whose
 *   `message` getter throws, a Proxy, a cycle, a field that cannot be
 *   copied. What cannot be read or sent is replaced by a `[skein: …]` note
 *   saying what was lost and why; the rest is sent.
 * - Rebuilding never throws, and keeps the class where it can: the
 *   built-in classes (Error, TypeError, RangeError, SyntaxError,
 *   ReferenceError, EvalError, URIError, AggregateError with `errors`,
 *   SuppressedError with `error` and `suppressed`, DOMException), skein's
 *   own classes, and every class given to {@link registerErrorClass} on
 *   both sides. Any other class arrives as its nearest built-in base, with
 *   its name kept: a subclass of RangeError is still `instanceof RangeError`.
 * - A rebuilt error is made as Python's pickle makes an object: its class's
 *   prototype with the captured state, without running the class's
 *   constructor (a constructor's parameters are its own business, and may
 *   have side effects). It is a real Error object: `Error.captureStackTrace`,
 *   `util.types.isNativeError` and structured clone treat it as one.
 */
import { isNativeError } from '../host.js';
import {
  BrokenThreadPool,
  CancelledError,
  describeValue,
  InvalidStateError,
  NotSupportedError,
  RuntimeError,
  StopError,
  ThreadExitError,
  TimeoutError,
} from '../errors.js';
import { mapOwnFrames, trimRuntimeFrames } from './stack.js';

/** A class of errors: what {@link registerErrorClass} takes. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * skein's own error classes: each crosses threads as itself. Adding a class
 * here (one line) is all it takes for a new one.
 */
const skeinErrorClasses: readonly ErrorClass[] = [
  RuntimeError,
  StopError,
  ThreadExitError,
  CancelledError,
  TimeoutError,
  BrokenThreadPool,
  InvalidStateError,
  NotSupportedError,
];

/** An error (or any other thrown value) as sent between threads. */
export interface SerializedError {
  /** `error` for an Error object; `value` when something other than an Error was thrown. */
  kind: 'error' | 'value';
  /** The error's `name`; for a thrown value, its `typeof`. */
  name: string;
  message: string;
  /** The error's stack, with skein's runtime frames cut off its bottom. */
  stack: string | undefined;
  /** Own enumerable properties (code, errno, custom fields), each made sendable. */
  props: Record<string, unknown>;
  cause?: SerializedError;
  /** The thrown non-Error value, when kind is `value`, made sendable. */
  value?: unknown;
  /** The nearest built-in class in the error's prototype chain (`RangeError`, `AggregateError`, …). */
  base?: string;
  /** The key of the registered class the error is an instance of (skein's own, or one given to registerErrorClass). */
  registered?: string;
  /** AggregateError's `errors`. */
  errors?: SerializedError[];
  /** SuppressedError's `error` and `suppressed`. */
  error?: SerializedError;
  suppressed?: SerializedError;
}

// ---------------------------------------------------------------- classes

type Constructor = new (...args: unknown[]) => Error;

/** The built-in error classes this runtime has, by name. */
const builtins = new Map<string, Constructor>();
/** Their prototypes, to find an error's nearest built-in base. */
const builtinByPrototype = new Map<object, string>();
for (const name of [
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'ReferenceError',
  'EvalError',
  'URIError',
  'AggregateError',
  'SuppressedError',
  'DOMException',
]) {
  const ctor = (globalThis as Record<string, unknown>)[name];
  if (typeof ctor !== 'function') continue;
  builtins.set(name, ctor as Constructor);
  builtinByPrototype.set(ctor.prototype as object, name);
}

/**
 * The classes that cross threads as themselves, shared by every copy of
 * skein loaded in this thread (a user's bundle may hold its own).
 */
interface Registry {
  byKey: Map<string, Constructor>;
  keyOf: WeakMap<Function, string>;
}
const kRegistry = Symbol.for('skein.errorClasses');
const registry: Registry = ((globalThis as { [kRegistry]?: Registry })[kRegistry] ??= {
  byKey: new Map(),
  keyOf: new WeakMap(),
});
for (const cls of skeinErrorClasses) {
  const key = `skein:${cls.name}`;
  registry.keyOf.set(cls, key);
  // The first copy of skein in a thread owns the key; errors of another copy's class still find it (by key).
  if (!registry.byKey.has(key)) registry.byKey.set(key, cls as unknown as Constructor);
}

/**
 * Let errors of class `cls` cross threads as themselves: an instance thrown
 * in one thread arrives `instanceof cls` in another — as Python's pickle
 * finds an exception's class by its module and qualified name.
 *
 * Call it in the module that defines the class (a static block does it
 * where the class is written), so that every thread that loads the module
 * registers it: the class is re-created on the receiving side when that
 * side has loaded the module too — which it has whenever it can name the
 * class to test `instanceof`. skein never imports a module to rebuild an
 * error. Where the class is not registered, the error arrives as its
 * nearest built-in class (`Error`, `RangeError`, …) with its name, message,
 * stack, cause and own properties. The class's constructor is not run on
 * the receiving side: its prototype is given the captured state, own
 * fields included. Registering a class again (or another class under the
 * same module and name) replaces it. Non-blocking.
 *
 * @param cls - a class whose instances are Errors (it extends Error or a subclass).
 * @param moduleUrl - the URL of the module that defines it: `import.meta.url`.
 * @throws TypeError if `cls` is not a subclass of Error, has no name, or `moduleUrl` is not a URL or a non-empty string.
 * @example
 * ```ts
 * export class QuotaError extends Error {
 *   static {
 *     registerErrorClass(QuotaError, import.meta.url);
 *   }
 *   override name = 'QuotaError';
 *   constructor(readonly limit: number) {
 *     super(`over the quota of ${limit}`);
 *   }
 * }
 * // In the main thread: `(await future.exception()) instanceof QuotaError` holds.
 * ```
 */
export function registerErrorClass(cls: ErrorClass, moduleUrl: string | URL): void {
  if (typeof cls !== 'function' || !(cls.prototype instanceof Error)) {
    throw new TypeError(`Expected \`cls\` to be a subclass of Error, got ${describeValue(cls)}`);
  }
  if (cls.name === '') {
    throw new TypeError('Expected `cls` to be a named class: the class is found on the receiving side by its name');
  }
  if (!(moduleUrl instanceof URL) && (typeof moduleUrl !== 'string' || moduleUrl === '')) {
    throw new TypeError(
      `Expected \`moduleUrl\` to be the URL of the class's module (import.meta.url), got ${describeValue(moduleUrl)}`,
    );
  }
  const key = `${moduleUrl instanceof URL ? moduleUrl.href : moduleUrl}#${cls.name}`;
  registry.byKey.set(key, cls as unknown as Constructor);
  registry.keyOf.set(cls, key);
}

// ---------------------------------------------------------------- reading hostile values

/** `String(value)`, or the best description that does not throw. */
export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return `[${typeof value}]`;
    }
  }
}

function safeDescribe(value: unknown): string {
  try {
    return describeValue(value);
  } catch {
    return `a ${typeof value}`;
  }
}

/**
 * The message of something thrown (its string form if it has none),
 * without throwing again, whatever its getters do.
 */
export function thrownMessage(thrown: unknown): string {
  try {
    const message = (thrown as { message?: unknown } | null)?.message;
    if (typeof message === 'string') return message;
  } catch {
    // fall through
  }
  return safeString(thrown);
}

/** `Name: message` of something thrown, without throwing. */
function summary(thrown: unknown): string {
  let name: unknown;
  try {
    name = (thrown as { name?: unknown } | null)?.name;
  } catch {
    // no name
  }
  const message = thrownMessage(thrown);
  return typeof name === 'string' && name !== '' && isErrorLike(thrown) ? `${name}: ${message}` : message;
}

type Read = { ok: true; value: unknown } | { ok: false; why: string };

/** `object[key]`, or why it could not be read (a getter or Proxy trap threw). */
function read(object: object, key: PropertyKey): Read {
  try {
    return { ok: true, value: (object as Record<PropertyKey, unknown>)[key] };
  } catch (error) {
    return { ok: false, why: `reading it threw ${summary(error)}` };
  }
}

/** Whether `value` is an Error (of this realm or another). Never throws. */
export function isErrorLike(value: unknown): value is Error {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return value instanceof Error || isNativeError(value);
  } catch {
    return false;
  }
}

/** `object[key] = value` as an own data property, even for a key such as `__proto__`. */
function setOwn(object: object, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Deepest nesting followed (causes, aggregated errors, fields): beyond it, a note. */
const kMaxDepth = 32;

/**
 * `value` made safe to post: a structured-clone copy, or — for what clone
 * refuses — a plain object or array with each part made safe in turn, or a
 * `[skein: …]` note saying what could not be sent and why.
 */
function sendable(value: unknown, depth = 0): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') {
    return `[skein: ${safeDescribe(value)} cannot be sent between threads]`;
  }
  if (value === null || typeof value !== 'object') return value;
  try {
    return structuredClone(value);
  } catch (error) {
    const parts = depth < 2 ? sendableParts(value, depth) : undefined;
    return parts ?? `[skein: ${safeDescribe(value)} could not be sent: ${summary(error)}]`;
  }
}

/** A plain object or array whose parts could not be cloned together, copied part by part. */
function sendableParts(value: object, depth: number): unknown {
  try {
    const isArray = Array.isArray(value);
    const prototype = Object.getPrototypeOf(value);
    if (!isArray && prototype !== Object.prototype && prototype !== null) return undefined;
    const copy: Record<string, unknown> = isArray ? ([] as unknown as Record<string, unknown>) : {};
    for (const key of Object.keys(value)) {
      const part = read(value, key);
      setOwn(copy, key, part.ok ? sendable(part.value, depth + 1) : `[skein: ${part.why}]`);
    }
    return copy;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- capturing

/**
 * Capture `thrown` — an error or any other thrown value — so that another
 * thread can rebuild it with {@link deserializeError}. Never throws: what
 * cannot be read or sent is replaced by a `[skein: …]` note. The stacks lose
 * the frames of skein's runtime under the user's code (see stack.ts).
 */
export function serializeError(thrown: unknown): SerializedError {
  try {
    return capture(thrown, new Map(), 0);
  } catch (error) {
    // Unreachable by design (every read above is guarded); the last resort.
    return {
      kind: 'error',
      name: 'Error',
      message: `[skein: the thrown value could not be captured: ${summary(error)}]`,
      stack: undefined,
      props: {},
    };
  }
}

function capture(thrown: unknown, memo: Map<object, SerializedError>, depth: number): SerializedError {
  if (!isErrorLike(thrown)) {
    return {
      kind: 'value',
      name: typeof thrown,
      message: safeString(thrown),
      stack: undefined,
      props: {},
      value: sendable(thrown),
    };
  }
  // The same error met again (a cause cycle, an error aggregated twice) is
  // the same record: structured clone keeps the graph, and so the rebuild.
  const known = memo.get(thrown);
  if (known !== undefined) return known;
  const { base, registered } = classify(thrown);
  const out: SerializedError = { kind: 'error', name: base, message: '', stack: undefined, props: {}, base };
  memo.set(thrown, out);
  if (registered !== undefined) out.registered = registered;

  const name = read(thrown, 'name');
  if (name.ok && name.value !== undefined)
    out.name = typeof name.value === 'string' ? name.value : safeString(name.value);
  const message = read(thrown, 'message');
  if (!message.ok) out.message = `[skein: the message could not be read: ${message.why}]`;
  else if (message.value !== undefined)
    out.message = typeof message.value === 'string' ? message.value : safeString(message.value);
  const stack = read(thrown, 'stack');
  if (stack.ok && typeof stack.value === 'string') out.stack = trimRuntimeFrames(stack.value);

  const special = specialFields[base] ?? [];
  let keys: string[] = [];
  try {
    keys = Object.keys(thrown);
  } catch (error) {
    out.props['[skein]'] = `[skein: the error's fields could not be listed: ${summary(error)}]`;
  }
  for (const key of keys) {
    if (key === 'name' || key === 'message' || key === 'stack' || key === 'cause' || special.includes(key)) continue;
    const field = read(thrown, key);
    setOwn(out.props, key, field.ok ? sendable(field.value) : `[skein: ${field.why}]`);
  }
  // An error of another copy of skein is still skein's (its code says so).
  if (out.registered === undefined && typeof out.props.code === 'string' && out.props.code.startsWith('SKEIN_ERR_')) {
    const key = `skein:${out.name}`;
    if (registry.byKey.has(key)) out.registered = key;
  }

  if (depth >= kMaxDepth) return out;
  const next = (value: unknown): SerializedError => capture(value, memo, depth + 1);
  let hasCause = false;
  try {
    hasCause = 'cause' in thrown;
  } catch {
    // A Proxy whose `has` trap throws: no cause.
  }
  const cause = hasCause ? read(thrown, 'cause') : undefined;
  if (cause?.ok === true && cause.value !== undefined) out.cause = next(cause.value);
  else if (cause?.ok === false) out.cause = next(new Error(`[skein: the cause could not be read: ${cause.why}]`));
  if (base === 'AggregateError') {
    const errors = read(thrown, 'errors');
    try {
      if (errors.ok && Array.isArray(errors.value)) out.errors = Array.from(errors.value as unknown[], next);
    } catch (error) {
      // A Proxy of an array whose traps throw.
      setOwn(out.props, 'errors', `[skein: the aggregated errors could not be read: ${summary(error)}]`);
    }
  } else if (base === 'SuppressedError') {
    const error = read(thrown, 'error');
    const suppressed = read(thrown, 'suppressed');
    if (error.ok) out.error = next(error.value);
    if (suppressed.ok) out.suppressed = next(suppressed.value);
  }
  return out;
}

/** Fields a built-in class keeps as errors of its own, sent as errors rather than as properties. */
const specialFields: Record<string, string[]> = {
  AggregateError: ['errors'],
  SuppressedError: ['error', 'suppressed'],
};

/** The nearest built-in class of `error`, and the first registered class on the way to it. */
function classify(error: Error): { base: string; registered: string | undefined } {
  let registered: string | undefined;
  try {
    let prototype: object | null = Object.getPrototypeOf(error);
    for (let hops = 0; prototype !== null && hops < 64; hops++) {
      const builtin = builtinByPrototype.get(prototype);
      if (builtin !== undefined) return { base: builtin, registered };
      if (registered === undefined) {
        const ctor: unknown = Object.getOwnPropertyDescriptor(prototype, 'constructor')?.value;
        if (typeof ctor === 'function') registered = registry.keyOf.get(ctor);
      }
      prototype = Object.getPrototypeOf(prototype);
    }
  } catch {
    // A Proxy whose traps throw: a plain Error.
  }
  return { base: 'Error', registered };
}

// ---------------------------------------------------------------- validating and rebuilding

/** How deep a received error may nest (causes, aggregated errors): what {@link serializeError} makes nests at most 33 levels. */
const kMaxCheckedDepth = 64;

/**
 * Check that `value`, received from another thread, has the shape of a
 * {@link SerializedError} (cycles allowed, as structured clone keeps them)
 * before it is believed: undefined if it has, else what is wrong with it.
 * Never throws, however deep or odd the value.
 */
export function checkSerializedError(value: unknown): string | undefined {
  return checkShape(value, new Set(), 0);
}

function checkShape(value: unknown, seen: Set<object>, depth: number): string | undefined {
  if (typeof value !== 'object' || value === null) return 'its error is not an object';
  if (seen.has(value)) return undefined;
  if (depth > kMaxCheckedDepth) return "its error's causes nest too deep";
  seen.add(value);
  const error = value as Partial<Record<keyof SerializedError, unknown>>;
  if (error.kind !== 'error' && error.kind !== 'value') return "its error's kind is neither error nor value";
  if (typeof error.name !== 'string') return "its error's name is not a string";
  if (typeof error.message !== 'string') return "its error's message is not a string";
  if (error.stack !== undefined && typeof error.stack !== 'string') return "its error's stack is not a string";
  if (typeof error.props !== 'object' || error.props === null) return "its error's props are not an object";
  if (error.base !== undefined && typeof error.base !== 'string') return "its error's base is not a string";
  if (error.registered !== undefined && typeof error.registered !== 'string')
    return "its error's registered class is not a string";
  for (const nested of [error.cause, error.error, error.suppressed]) {
    if (nested === undefined) continue;
    const problem = checkShape(nested, seen, depth + 1);
    if (problem !== undefined) return problem;
  }
  if (error.errors !== undefined) {
    if (!Array.isArray(error.errors)) return "its error's aggregated errors are not an array";
    for (const item of error.errors) {
      const problem = checkShape(item, seen, depth + 1);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

/** Whether `value`, received from another thread, has the shape of a {@link SerializedError} (see {@link checkSerializedError}). */
export function isSerializedError(value: unknown): value is SerializedError {
  return checkSerializedError(value) === undefined;
}

/**
 * Rebuild what {@link serializeError} captured: an error of its class (see
 * the module's header) with its name, message, stack, own properties and
 * cause — or the thrown value itself. Never throws: a malformed record
 * becomes an Error saying so.
 */
export function deserializeError(serialized: unknown): unknown {
  if (!isSerializedError(serialized)) {
    return new TypeError(`skein received a malformed error from another thread: ${safeDescribe(serialized)}`);
  }
  return rebuild(serialized, new Map());
}

function rebuild(serialized: SerializedError, memo: Map<SerializedError, unknown>): unknown {
  if (memo.has(serialized)) return memo.get(serialized);
  if (serialized.kind === 'value') {
    memo.set(serialized, serialized.value);
    return serialized.value;
  }
  const baseName = serialized.base ?? serialized.name;
  const Base: Constructor = builtins.get(baseName) ?? (Error as unknown as Constructor);
  const Registered = serialized.registered === undefined ? undefined : registry.byKey.get(serialized.registered);
  const Class =
    Registered !== undefined &&
    (Registered === Base || Object.prototype.isPrototypeOf.call(Base.prototype, Registered.prototype))
      ? Registered
      : Base;
  let error: Error;
  try {
    error = construct(Base, baseName, Class, serialized);
  } catch {
    error = new Error(serialized.message);
  }
  memo.set(serialized, error);
  const define = (key: string, value: unknown, enumerable = false): void => {
    try {
      Object.defineProperty(error, key, { value, writable: true, configurable: true, enumerable });
    } catch {
      // A class whose instances refuse the field: it is left out.
    }
  };
  if (readName(error) !== serialized.name) define('name', serialized.name);
  define('stack', serialized.stack === undefined ? undefined : mapOwnFrames(serialized.stack));
  for (const [key, value] of Object.entries(serialized.props)) define(key, value, true);
  if (serialized.cause !== undefined) define('cause', rebuild(serialized.cause, memo));
  if (serialized.errors !== undefined)
    define(
      'errors',
      serialized.errors.map((item) => rebuild(item, memo)),
    );
  if (serialized.error !== undefined) define('error', rebuild(serialized.error, memo));
  if (serialized.suppressed !== undefined) define('suppressed', rebuild(serialized.suppressed, memo));
  return error;
}

/** A real Error object of `Class` (whose nearest built-in is `Base`), its constructor not run. */
function construct(Base: Constructor, baseName: string, Class: Constructor, serialized: SerializedError): Error {
  const message = serialized.message;
  if (baseName === 'AggregateError') return Reflect.construct(Base, [[], message], Class);
  if (baseName === 'SuppressedError') return Reflect.construct(Base, [undefined, undefined, message], Class);
  if (baseName === 'DOMException') return Reflect.construct(Base, [message, serialized.name], Class);
  return Reflect.construct(Base, [message], Class);
}

function readName(error: Error): unknown {
  try {
    return error.name;
  } catch {
    return undefined;
  }
}

/**
 * How an excepthook prints `value`: an error's stack, headed by `name: message`
 * (V8's stack starts with it; Firefox's and Safari's are frames only),
 * anything else as a string. Never throws.
 */
export function formatThrown(value: unknown): string {
  if (isErrorLike(value)) {
    const stack = read(value, 'stack');
    const name = read(value, 'name');
    const message = read(value, 'message');
    const heading = `${name.ok ? safeString(name.value) : 'Error'}: ${message.ok ? safeString(message.value) : ''}`;
    if (!stack.ok || typeof stack.value !== 'string' || stack.value === '') return heading;
    // V8's stack starts with the heading; Firefox's and Safari's are frames only.
    return /^\S*@/.test(stack.value) ? `${heading}\n${stack.value}` : stack.value;
  }
  return safeString(value);
}
