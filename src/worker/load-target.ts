import type { SourceOrigin } from '../thread/origin.js';
import { type ClassDescriptor, kImportFrom, type TargetDescriptor } from '../thread/protocol.js';
import { scopeFor } from './scope.js';

const compiled = new Map<string, Function>();

/**
 * How many lines the Function constructor puts before a body (V8 writes
 * `(function anonymous(…\n) {\n`: 2), measured once on this engine from a
 * probe's own stack; undefined if its stack does not say.
 */
let functionHeaderLines: number | undefined | null = null;

function headerLines(): number | undefined {
  if (functionHeaderLines === null) {
    const stack = String(new Function('return new Error().stack\n//# sourceURL=skein:probe')());
    // Node and Bun print the frame `skein:probe:3:8`; Deno `skein:probe, <anonymous>:3:8`.
    const line = /skein:probe(?::|, <anonymous>:)(\d+):\d+/.exec(stack)?.[1];
    functionHeaderLines = line === undefined ? undefined : Number(line) - 1;
  }
  return functionHeaderLines;
}

/**
 * Evaluate `source` as an expression (between `open` and `close`) with
 * `scope` (skein's exports it mentions) in scope. Given its `origin`, it is
 * compiled as the file it was written in (`//# sourceURL`), its first line
 * moved down to the line it was written on and indented to its column: its
 * stack frames point into the user's file, not at `eval at compile` in
 * skein's worker entry. (`vm.compileFunction` would place it too, but its
 * code cannot `import()` without an experimental flag.)
 */
function compile(
  source: string,
  scope: Record<string, unknown>,
  origin: SourceOrigin | undefined,
  open = '(',
  close = ')',
): unknown {
  let body = `"use strict";\nreturn ${open}${source}\n${close};`;
  const header = origin === undefined ? undefined : headerLines();
  if (origin !== undefined && header !== undefined && !/[\r\n]/.test(origin.url)) {
    // The body's first line is line header + 1; the source starts `down` lines below it.
    const down = Math.max(origin.line - header - 1, 0);
    body = `"use strict";return ${open}${'\n'.repeat(down)}${' '.repeat(origin.column)}${source}\n${close};\n//# sourceURL=${origin.url}`;
  }
  const factory = new Function(...Object.keys(scope), body);
  return factory(...Object.values(scope));
}

/** A dynamic `import(` in a shipped source (text that merely reads `import(` in a string or a comment too: seen, but harmless). */
const dynamicImport = /(?<![\w$.])import\s*\(/g;

/**
 * The `import()` of an inline target written in `file`: a relative
 * specifier is resolved against that file, as it would be there (not
 * against skein's own worker folder), and loaded as a module target's
 * module is (TypeScript included, under tsx); any other goes to `import()`.
 */
function importFrom(file: string, specifier: unknown, options?: ImportCallOptions): Promise<unknown> {
  const relative = typeof specifier === 'string' && /^\.{1,2}\//.test(specifier);
  const resolved = relative ? new URL(specifier, file).href : (specifier as string);
  if (options !== undefined) return import(resolved, options);
  return relative ? importModule(resolved) : import(resolved);
}

/** `source`, its dynamic imports calling {@link importFrom} with `definedIn` first, when it was written in a known file. */
function withImportsFrom(definedIn: string | undefined, source: string): string {
  return definedIn === undefined
    ? source
    : source.replace(dynamicImport, `${kImportFrom}(${JSON.stringify(definedIn)}, `);
}

/** `scope`, plus {@link importFrom} when the source was written in a known file. */
function withImporter(definedIn: string | undefined, scope: Record<string, unknown>): Record<string, unknown> {
  return definedIn === undefined ? scope : { ...scope, [kImportFrom]: importFrom };
}

/** Compile an inline function target (cached by source, for pools): at once, unless its scope must be loaded first. */
export function compileInline(descriptor: Extract<TargetDescriptor, { kind: 'inline' }>): Function | Promise<Function> {
  const { definedIn } = descriptor;
  const key = `${descriptor.method ? 'm:' : ''}${definedIn === undefined ? '' : `${definedIn}\n`}${descriptor.source}`;
  const cached = compiled.get(key);
  if (cached !== undefined) return cached;
  const source = withImportsFrom(definedIn, descriptor.source);
  const build = (scope: Record<string, unknown>): Function => {
    scope = withImporter(definedIn, scope);
    let fn: Function;
    if (descriptor.method) {
      const holder = compile(source, scope, descriptor.origin, '({', '})') as Record<string, Function>;
      fn = Object.values(holder)[0]!;
    } else {
      fn = compile(source, scope, descriptor.origin) as Function;
    }
    compiled.set(key, fn);
    return fn;
  };
  const scope = scopeFor([descriptor.source]);
  return scope instanceof Promise ? scope.then(build) : build(scope);
}

const typeScriptFile = /\.(?:[cm]?ts|tsx)$/;

/** The modules this worker has imported for targets. */
const imported = new Set<string>();

/** Where the main thread's TypeScript loader came from (see hub.ts): none if it runs under none. */
let loaderHints: readonly string[] = [];

/** Tell this worker where the main thread's TypeScript loader came from. */
export function setLoaderHints(hints: readonly string[]): void {
  loaderHints = hints;
}

/** Whether the main thread runs under tsx: then any module may import `.ts` files. */
function underTypeScriptLoader(): boolean {
  return loaderHints.length > 0;
}

/**
 * The code that registers a TypeScript loader (typescript.ts), loaded on
 * first need: a worker that imports no `.ts` module, under no TypeScript
 * loader, never loads it (each module a worker loads costs every idle
 * thread memory).
 */
let typeScript: Promise<typeof import('./typescript.js')> | undefined;

/** Register the TypeScript loader in this worker (see typescript.ts); resolves whether it was found. */
async function registerTypeScript(url: string): Promise<boolean> {
  typeScript ??= import('./typescript.js');
  return (await typeScript).registerTypeScriptLoader(url, loaderHints);
}

async function importModule(url: string): Promise<Record<string, unknown>> {
  // Under tsx, register it before the first import, so that a module's own
  // `.ts` imports resolve too.
  if (typeScriptFile.test(url) || underTypeScriptLoader()) await registerTypeScript(url);
  const module = await import(url).catch(async (error: unknown) => {
    const code = (error as { code?: unknown } | null)?.code;
    // `./x.js` naming `./x.ts`, resolvable only once tsx is registered.
    if ((code === 'ERR_UNKNOWN_FILE_EXTENSION' || code === 'ERR_MODULE_NOT_FOUND') && (await registerTypeScript(url))) {
      return import(url);
    }
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new TypeError(
        `cannot import ${url} in a thread: no TypeScript loader is active there. ` +
          'Run the program under tsx (node --import tsx), or point the target at compiled JavaScript',
        { cause: error },
      );
    }
    throw error;
  });
  // Once per module: a pool's later tasks find it imported, and must not wait on what earlier ones left.
  if (!imported.has(url)) {
    imported.add(url);
    // Nothing to land if this worker never loaded the TypeScript loader.
    if (typeScript !== undefined) await (await typeScript).landTypeScriptCache();
  }
  return module as Record<string, unknown>;
}

/** Load a module target's function. */
export async function loadModuleTarget(descriptor: Extract<TargetDescriptor, { kind: 'module' }>): Promise<Function> {
  const module = await importModule(descriptor.url);
  const fn = module[descriptor.exportName];
  if (typeof fn !== 'function') {
    const found = Object.keys(module).filter((key) => typeof module[key] === 'function');
    throw new TypeError(
      `module target ${descriptor.url} has no function export \`${descriptor.exportName}\`` +
        (found.length ? ` (its function exports: ${found.join(', ')})` : ' (it exports no functions)'),
    );
  }
  return fn;
}

/** Load the function a target descriptor names: at once for an inline one, a promise for a module's. */
export function loadTarget(descriptor: TargetDescriptor): Function | Promise<Function> {
  return descriptor.kind === 'inline' ? compileInline(descriptor) : loadModuleTarget(descriptor);
}

/** Import the module a Thread subclass declares and find the class in it. */
async function loadModuleClass({ url, exportName }: { url: string; exportName: string }): Promise<Function> {
  const module = await importModule(url);
  const cls = module[exportName] ?? Object.values(module).find((v) => typeof v === 'function' && v.name === exportName);
  if (typeof cls !== 'function') {
    throw new TypeError(
      `Thread subclass \`${exportName}\` declares module ${url}, but that module does not export it; ` +
        `add \`export\` to the class`,
    );
  }
  return cls;
}

/** Load (or rebuild from source) the Thread subclass a descriptor names. */
export async function loadSubclass(descriptor: ClassDescriptor): Promise<Function> {
  if (descriptor.kind === 'module') return loadModuleClass(descriptor);
  const scope = withImporter(descriptor.definedIn, await scopeFor(descriptor.classes.map((c) => c.source)));
  // Thread itself loaded here, on need: a worker whose thread is no subclass does not load it.
  let base: Function =
    descriptor.root === undefined
      ? (await import('../thread/thread.js')).Thread
      : await loadModuleClass(descriptor.root);
  for (const { source: written, base: baseName, origin } of descriptor.classes) {
    // The rewrite keeps every line where it was: the origin still places the source.
    const source = withImportsFrom(descriptor.definedIn, written);
    base = compile(source, baseName === undefined ? scope : { ...scope, [baseName]: base }, origin) as Function;
  }
  return base;
}

/** The inline sources a descriptor ships, to recognise a missing free variable. */
export function inlineSources(target: TargetDescriptor | undefined, subclass: ClassDescriptor | undefined): string[] {
  const sources: string[] = [];
  if (target?.kind === 'inline') sources.push(target.source);
  if (subclass?.kind === 'inline') for (const c of subclass.classes) sources.push(c.source);
  return sources;
}
