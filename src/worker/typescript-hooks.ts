/**
 * Module hooks a skein worker chains *under* tsx's (registered before
 * tsx, so they are tsx's `nextResolve`/`nextLoad`) where tsx's hooks run on
 * a thread of their own (`module.register`: Node 20). Loaded there by URL,
 * never imported by skein's code: this file is its own bundle entry
 * (scripts/build.ts), and imports nothing of skein's but esbuild's name
 * helper.
 *
 * On that thread every step Node's default hooks take with asynchronous
 * fs calls costs a wake-up of the thread per call, and a thread's start
 * waits for each one. Measured on Node 20 (2 cores, a module target
 * importing one other `.ts` file, standby worker warm): reading a module's
 * source with `readFile` took 0.6–2.6 ms a file against ~0.1 ms with
 * `readFileSync`; tsx's lookup of the package type of a `.ts` file in a
 * folder it has not seen (`fs.promises.access` up the tree) ~0.6 ms. These
 * hooks do the same two things synchronously, with the same results, and
 * leave everything else to the hooks below them (the source read, too, when
 * hooks other than Node's default may be there).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { LoadFnOutput, LoadHookContext, ModuleFormat, ResolveFnOutput, ResolveHookContext } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type NextResolve = (specifier: string, context?: Partial<ResolveHookContext>) => Promise<ResolveFnOutput>;
type NextLoad = (url: string, context?: Partial<LoadHookContext>) => Promise<LoadFnOutput>;

/** The package.json files read so far, by path: parsed, or undefined where there is none. */
const manifests = new Map<string, unknown>();

/** The package.json at `path`, parsed, or undefined if there is none; throws if it cannot be read or parsed. */
function readManifest(path: string): unknown {
  if (manifests.has(path)) return manifests.get(path);
  // Asked first, as tsx does: most folders have none, and a failed read costs an Error.
  const manifest = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as unknown) : undefined;
  manifests.set(path, manifest);
  return manifest;
}

/**
 * The package type of `file` as tsx works it out (its `getPackageType`):
 * the `type` of the first package.json up the tree, not looking in a
 * `node_modules` folder itself; `'commonjs'` when none says. Undefined for
 * a `type` that is not a string: left to tsx. Throws where tsx would.
 */
function packageType(file: string): string | undefined {
  for (let dir = dirname(file); basename(dir) !== 'node_modules'; ) {
    const manifest = readManifest(join(dir, 'package.json'));
    // tsx reads a falsy parse (`null`, `0`) as no package.json at all.
    if (manifest) {
      const type = (manifest as { type?: unknown }).type ?? 'commonjs';
      return typeof type === 'string' ? type : undefined;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return 'commonjs';
}

/**
 * Resolve as the hooks below do; for a `.ts`/`.tsx` file they leave without
 * a format, give the one tsx would work out (from the package type) — at
 * once, where tsx would ask the file system asynchronously, once a folder.
 */
export async function resolve(
  specifier: string,
  context: ResolveHookContext,
  nextResolve: NextResolve,
): Promise<ResolveFnOutput> {
  const resolved = await nextResolve(specifier, context);
  if (resolved.format != null || !resolved.url.startsWith('file:')) return resolved;
  const path = fileURLToPath(resolved.url);
  const extension = /\.(?:mts|cts|tsx?)$/.exec(path)?.[0];
  if (extension === undefined) return resolved;
  let format: string | undefined;
  try {
    format = extension === '.mts' ? 'module' : extension === '.cts' ? 'commonjs' : packageType(path);
  } catch {
    // A package.json that cannot be read or parsed: tsx's own lookup reports it.
  }
  return format === undefined ? resolved : { ...resolved, format: format as ModuleFormat };
}

/** Whether {@link load} may read sources itself: only when Node's default load is the next hook (see {@link initialize}). */
let readSources = false;

/**
 * Called by `module.register` with its `data`: `readSources` is true only
 * when the worker knows of no other hooks that could be registered below
 * these (a preload's, a `--loader`'s) and no policy that Node's default
 * load would enforce — reading a source here would skip them.
 */
export function initialize(data: { readSources?: unknown } | undefined): void {
  readSources = data?.readSources === true;
}

/**
 * Load an ES module file as Node's default hook does — its bytes, as they
 * are now — but read synchronously. Anything else (CommonJS, JSON, import
 * attributes to check, a file that cannot be read, other hooks below)
 * goes to the hooks below, which handle it and report its errors.
 */
export async function load(url: string, context: LoadHookContext, nextLoad: NextLoad): Promise<LoadFnOutput> {
  const attributes = context.importAttributes as Record<string, string> | undefined;
  if (!readSources || context.format !== 'module' || !url.startsWith('file:') || (attributes && 'type' in attributes)) {
    return nextLoad(url, context);
  }
  let source: Buffer;
  try {
    source = readFileSync(fileURLToPath(url));
  } catch {
    return nextLoad(url, context);
  }
  return { format: 'module', source, shortCircuit: true };
}
