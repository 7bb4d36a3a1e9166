import { describeValue } from '../errors.js';
import { noteModuleTarget } from './globals.js';
import { checkLocalModule, fileUrlOf, isAbsolutePath } from './local-files.js';
import { locateSource, noteCallSite } from './origin.js';
import { privateInstanceMembers } from './private-names.js';
import { type ClassDescriptor, type InlineClass, kImportFrom, type TargetDescriptor } from './protocol.js';

/**
 * A function exported by a module, run in the thread with the module's own
 * imports working. Use it when an inline function would need variables from
 * its surroundings.
 *
 * @example
 * ```ts
 * new Thread({ target: { module: new URL('./jobs.js', import.meta.url), export: 'resize' }, args: [file] });
 * ```
 */
export interface ModuleTarget {
  /** An absolute file path, a `file:` URL (string or URL), or a package specifier. Not a relative path. */
  readonly module: string | URL;
  /** The export to call; the module's default export when omitted. */
  readonly export?: string;
}

/** Type only: the key under which a {@link TypedModuleTarget} carries its function's type. */
declare const kFunctionType: unique symbol;

/**
 * A {@link ModuleTarget} that carries the type of the function it names, so
 * that `new Thread` and `pool.submit` check its args and type its result as
 * for an inline function. Made by {@link moduleTargets}; at run time it is a
 * plain `{ module, export }`, and it can go wherever a ModuleTarget can.
 *
 * @typeParam F - the exported function's type.
 */
export interface TypedModuleTarget<F extends (...args: never[]) => unknown> extends ModuleTarget {
  /**
   * Type only, never set: the exported function's type.
   * @hidden
   */
  readonly [kFunctionType]?: F;
}

/**
 * A {@link ModuleTarget} that carries no function type (a plain
 * `{ module, export }`): what `pool.submit<R>(target)` takes with the
 * result type given by hand.
 */
export interface UntypedModuleTarget extends ModuleTarget {
  /**
   * Type only, never set: no function type.
   * @hidden
   */
  readonly [kFunctionType]?: undefined;
}

/**
 * The module targets of one module's exports, typed from the module's type:
 * a function from an export's name to the {@link TypedModuleTarget} that
 * runs it. Returned by {@link moduleTargets}.
 *
 * @typeParam M - the module's type, `typeof import('./jobs.js')`; `unknown` gives untyped targets.
 */
export type ModuleTargets<M> = unknown extends M ? (exportName: string) => ModuleTarget : TypedModuleTargets<M>;

/** {@link ModuleTargets} of a module whose type is known. */
export interface TypedModuleTargets<M> {
  /**
   * The module target that runs the export `exportName`, typed from it.
   * @typeParam K - the export's name: one of the module's function exports
   *   (written out here, so that an error lists them).
   */
  // biome-ignore lint/style/useShorthandFunctionType: an interface's call signature carries the docs of K (TypeDoc).
  <K extends { [N in keyof M]-?: M[N] extends (...args: never[]) => unknown ? N : never }[keyof M] & string>(
    exportName: K,
  ): TypedModuleTarget<Extract<M[K], (...args: never[]) => unknown>>;
}

/**
 * Typed module targets for the exports of one module: give it the module's
 * type (`typeof import('./jobs.js')` — a type only, nothing is imported here)
 * and where the module is, and call what it returns with an export's name.
 * `new Thread` and `pool.submit` then check the args against that export's
 * parameters and type the result from its return, as for an inline function;
 * a name that is not a function export of the module is a type error.
 *
 * The module is found as for any {@link ModuleTarget}: an absolute path, a
 * `file:` URL or a package specifier, never a relative path.
 *
 * @typeParam M - the module's type. Without it, the targets are untyped (args and result `unknown`).
 * @param module - where the module is: `new URL('./jobs.js', import.meta.url)`, an absolute path or a package specifier.
 * @returns a function from an export's name (`'default'` for the default export) to its module target.
 * @throws TypeError if `module` is relative, not a string or URL, or names a file that does not exist;
 *   (from the returned function) if the export's name is not a non-empty string.
 * @example
 * ```ts
 * // jobs.ts: export function resize(path: string, width: number): Promise<Uint8Array>
 * const jobs = moduleTargets<typeof import('./jobs.js')>(new URL('./jobs.js', import.meta.url));
 * const thumbnail = pool.submit(jobs('resize'), 'cat.png', 128); // Future<Uint8Array>
 * new Thread({ target: jobs('resize'), args: ['cat.png', 128] });
 * ```
 */
export function moduleTargets<M = unknown>(module: string | URL): ModuleTargets<M> {
  // Checked now, as a target's module is: bad input fails here, not in the thread.
  resolveModuleUrl(module, 'target');
  const targetOf = (exportName: string): ModuleTarget => {
    if (typeof exportName !== 'string' || exportName === '') {
      throw new TypeError(`Expected \`exportName\` to be the name of an export, got ${describeValue(exportName)}`);
    }
    return { module, export: exportName };
  };
  return targetOf as ModuleTargets<M>;
}

/**
 * The `args` option of a {@link ThreadOptions} for a target with parameters
 * `A`: {@link RequiredArgs} when the target has required parameters (so
 * that a target that takes arguments cannot be started without them by
 * mistake), else {@link OptionalArgs}.
 *
 * @typeParam A - the target's parameters.
 */
export type ThreadArgs<A extends unknown[]> = [] extends A ? OptionalArgs<A> : RequiredArgs<A>;

/** `args` for a target that can be called without arguments. See {@link ThreadArgs}. */
export interface OptionalArgs<A extends unknown[]> {
  /**
   * Arguments for the target. They are copied to the thread by structured
   * clone; an {@link Event} anywhere inside arrives as a working Event on the
   * same memory. Default: `[]`.
   */
  args?: NoInfer<A>;
}

/** `args` for a target with required parameters: they must be given. See {@link ThreadArgs}. */
export interface RequiredArgs<A extends unknown[]> {
  /**
   * Arguments for the target: required, because the target has required
   * parameters. They are copied to the thread by structured clone; an
   * {@link Event} anywhere inside arrives as a working Event on the same memory.
   */
  args: NoInfer<A>;
}

/** Whether `value` has the shape of a {@link ModuleTarget}. */
export function isModuleTarget(value: unknown): value is ModuleTarget {
  return typeof value === 'object' && value !== null && 'module' in value;
}

const inlineCache = new WeakMap<Function, TargetDescriptor>();
/**
 * Descriptors by source text, so that a fresh closure with the same source
 * (`pool.submit((x) => x + 1, i)` in a loop) costs a lookup, not a compile
 * check. Bounded: cleared when it grows past kSourceCacheSize.
 */
const sourceCache = new Map<string, TargetDescriptor>();
const kSourceCacheSize = 1024;

function compiles(body: string): string | undefined {
  try {
    // Compiles without running: a syntax check of the shipped source.
    new Function(body);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A dynamic `import(` in a source (not `x.import(`): its relative specifiers need the file the source came from. */
const dynamicImport = /(?<![\w$.])import\s*\(/;

// A function made inside an inline source whose imports a worker rewrote
// (see kImportFrom) and sent on to another thread carries the rewrite in its
// own source: asWritten() undoes it there.
const rewrittenImport = new RegExp(`${kImportFrom}\\("([^"\\\\]*)", `, 'g');

/** A source as it was written, and the file its rewritten imports named, if it has any. */
function asWritten(source: string): { source: string; file: string | undefined } {
  if (!source.includes(kImportFrom)) return { source, file: undefined };
  let file: string | undefined;
  const written = source.replace(rewrittenImport, (_, named: string) => {
    file ??= named;
    return 'import(';
  });
  return { source: written, file };
}

/** skein's own folder (dist/, whether this code is in an entry or a chunk) and its sources (src/, where source maps point). */
const ownFolders = ((): string[] => {
  // Read through a variable: a bundler takes `new URL('./', import.meta.url)`
  // for an asset to copy, and Vite warns, on every build, that there is none.
  const here = import.meta.url;
  let dist = new URL('./', here);
  if (/\/(?:chunks|worker|thread)\/$/.test(dist.pathname)) dist = new URL('../', dist);
  return [dist.href, new URL('../src/', dist).href];
})();

/** A stack line's file, as a URL: `at f (file:///a/b.ts:3:5)`, `at /a/b.js:3:5`. */
const stackFile = /(?:\(|\bat )((?:file:\/\/|\/)[^()\s]*?):\d+:\d+\)?$/;

/**
 * The module that called into skein: the first frame of the stack outside
 * skein's own files and Node's, as a `file:` URL; undefined if none is
 * seen (code run from a REPL, an eval, or with stack traces turned off).
 * The file an inline target's relative `import()` is resolved against.
 */
export function callerModule(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  for (const line of stack.split('\n').slice(1)) {
    const file = stackFile.exec(line)?.[1];
    if (file === undefined) continue;
    const url = file.startsWith('/') ? fileUrlOf(file) : file;
    if (!ownFolders.some((folder) => url.startsWith(folder))) return url;
  }
  return undefined;
}

/**
 * The file an inline target was written in, as far as its relative
 * `import()` needs one: the caller's module when the source imports
 * dynamically, else undefined (nothing to capture).
 */
export function definedIn(fn: Function): string | undefined {
  const { source, file } = asWritten(Function.prototype.toString.call(fn));
  return file ?? (dynamicImport.test(source) ? callerModule() : undefined);
}

/**
 * Note where the target `fn` is handed to skein (a Thread's constructor),
 * for {@link describeFunction} to find where it was written — unless a
 * function of the same source is described already (its origin is known:
 * a closure made afresh for each Thread costs a lookup, not a stack).
 */
export function noteTarget(fn: Function): void {
  if (inlineCache.has(fn) || sourceCache.has(Function.prototype.toString.call(fn))) return;
  noteCallSite(fn);
}

/**
 * Describe a function target for shipping as source, checking on this side
 * that its source compiles on its own. Cached per function, so a function
 * submitted many times is checked once. A source with a dynamic `import()`
 * carries `definedIn`, the file its relative specifiers are resolved
 * against: `writtenIn`, or else the caller's module ({@link callerModule}).
 */
export function describeFunction(fn: Function, role = 'target', writtenIn?: string): TargetDescriptor {
  const cached = inlineCache.get(fn);
  if (cached !== undefined) return cached;
  const text = Function.prototype.toString.call(fn);
  // A fresh closure of a source seen before (a task function written
  // inline in a loop): found by its text alone, unless the text's file
  // matters (a dynamic import, resolved against it) — not scanned again.
  const seen = writtenIn === undefined ? sourceCache.get(text) : undefined;
  if (seen?.kind === 'inline' && seen.definedIn === undefined) return seen;
  const { source, file } = asWritten(text);
  const definedIn = writtenIn ?? file ?? (dynamicImport.test(source) ? callerModule() : undefined);
  const key = definedIn === undefined ? source : `${definedIn}\n${source}`;
  const known = sourceCache.get(key);
  // Not remembered per function: a fresh closure per submit would fill the
  // WeakMap with dead keys, which the garbage collector then pays for.
  if (known !== undefined) return known;
  const label = fn.name ? `\`${fn.name}\`` : 'the anonymous function';
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    throw new TypeError(
      `${role} ${label} is a built-in or bound function, whose source cannot be sent to a thread; ` +
        'pass a function written in your code, or a module target { module, export }',
    );
  }
  let method = false;
  const asExpression = compiles(`return (${source}\n)`);
  if (asExpression !== undefined) {
    // Method shorthand (`run() {}`) is not an expression on its own.
    if (compiles(`return ({${source}\n})`) !== undefined) {
      throw new TypeError(
        `${role} ${label} cannot be compiled from its source alone (${asExpression}); ` +
          'use a module target { module: import.meta.url, export: "name" } instead',
      );
    }
    method = true;
  }
  const descriptor: TargetDescriptor = { kind: 'inline', source, name: fn.name, method, definedIn };
  const origin = locateSource(source, fn.name, fn);
  if (origin !== undefined) descriptor.origin = origin;
  inlineCache.set(fn, descriptor);
  if (sourceCache.size >= kSourceCacheSize) sourceCache.clear();
  sourceCache.set(key, descriptor);
  return descriptor;
}

/** Turn the `module` of a module target into a URL string the worker can import. */
export function resolveModuleUrl(module: unknown, role = 'target'): string {
  let url: string;
  if (module instanceof URL) url = module.href;
  else if (typeof module !== 'string' || module === '') {
    throw new TypeError(`Expected \`${role}.module\` to be a URL or an absolute path, got ${describeValue(module)}`);
  } else if (module.startsWith('./') || module.startsWith('../') || module === '.' || module === '..') {
    throw new TypeError(
      `${role}.module ${JSON.stringify(module)} is a relative path, which the thread cannot resolve: ` +
        `pass new URL(${JSON.stringify(module)}, import.meta.url) or an absolute path`,
    );
  } else if (isAbsolutePath(module)) url = fileUrlOf(module);
  else url = module; // a URL string (file:, node:, data:, https:) or a package specifier
  if (url.startsWith('file:')) checkLocalModule(url, role);
  noteModuleTarget();
  return url;
}

/** Describe a module target, checking its shape and that its file exists. */
export function describeModuleTarget(target: ModuleTarget, role = 'target'): TargetDescriptor {
  const exportName = target.export ?? 'default';
  if (typeof exportName !== 'string' || exportName === '') {
    throw new TypeError(`Expected \`${role}.export\` to be the name of an export, got ${describeValue(target.export)}`);
  }
  return { kind: 'module', url: resolveModuleUrl(target.module, role), exportName };
}

const classCache = new WeakMap<Function, ClassDescriptor>();

/** The module a class declares with `static module = import.meta.url` — its own, not one inherited. */
function declaredModule(cls: Function): unknown {
  return Object.hasOwn(cls, 'module') ? (cls as { module?: unknown }).module : undefined;
}

/**
 * Describe a Thread subclass for the worker: through `static module =
 * import.meta.url` when the class declares it (its module is imported in the
 * thread, imports and all), else as the sources of its class chain up to
 * `base` — or up to the nearest ancestor that declares its module, which the
 * worker imports and the shipped classes then extend.
 */
export function describeSubclass(cls: Function, base: Function, writtenIn?: string): ClassDescriptor {
  const cached = classCache.get(cls);
  if (cached !== undefined) return cached;
  checkNoPrivateMembers(cls, base);
  let descriptor: ClassDescriptor;
  const declared = declaredModule(cls);
  if (declared !== undefined) {
    descriptor = { kind: 'module', url: resolveModuleUrl(declared, cls.name), exportName: cls.name };
  } else {
    const classes: InlineClass[] = [];
    let root: { url: string; exportName: string } | undefined;
    for (let c: Function | null = cls; c !== null && c !== base; c = Object.getPrototypeOf(c) as Function | null) {
      if (typeof c !== 'function') break;
      const module = declaredModule(c);
      if (module !== undefined) {
        root = { url: resolveModuleUrl(module, c.name), exportName: c.name };
        break;
      }
      const { source, file } = asWritten(Function.prototype.toString.call(c));
      writtenIn ??= file;
      const header = /^class\b[^{]*?\bextends\s+([A-Za-z_$][\w$]*)\s*\{/.exec(source);
      if (!source.startsWith('class')) {
        throw new TypeError(
          `Thread subclass \`${c.name}\` is not a class declaration; define it with \`class ... extends Thread\``,
        );
      }
      const origin = locateSource(source, c.name, cls, 'class');
      classes.unshift(
        origin === undefined
          ? { source, name: c.name, base: header?.[1] }
          : { source, name: c.name, base: header?.[1], origin },
      );
    }
    const definedIn = classes.some((c) => dynamicImport.test(c.source)) ? (writtenIn ?? callerModule()) : undefined;
    descriptor = { kind: 'inline', classes, ...(root === undefined ? {} : { root }), definedIn };
  }
  classCache.set(cls, descriptor);
  return descriptor;
}

/**
 * Refuse a Thread subclass with private instance members: the thread runs
 * on a copy of the object made from its public fields without running its
 * constructor, so `#private` fields and methods would not exist there.
 *
 * @throws TypeError naming the first class and member, and what to do instead.
 */
function checkNoPrivateMembers(cls: Function, base: Function): void {
  for (let c: Function | null = cls; c !== null && c !== base; c = Object.getPrototypeOf(c) as Function | null) {
    if (typeof c !== 'function') break;
    const [member] = privateInstanceMembers(Function.prototype.toString.call(c));
    if (member === undefined) continue;
    throw new TypeError(
      `Thread subclass \`${c.name}\` declares the private member ${member}, which cannot reach its thread: the ` +
        'thread runs on a copy of the object made from its public fields, without running its constructor. ' +
        `Make it a public field (\`${member.slice(1)}\`, or TypeScript's \`private ${member.slice(1)}\`), or pass it in args`,
    );
  }
}
