/**
 * The TypeScript loader (tsx) inside skein's workers. Loader hooks given to
 * the main thread with `--import` do not reach worker threads (on Node 20
 * none do; where tsx registers with `module.registerHooks`, on Node 22.22+,
 * 24.11+ and 26, its hooks are per thread too), and skein leaves tsx out of
 * its workers' execArgv (src/thread/exec-argv.ts). So a worker that must
 * import a `.ts` module registers tsx itself, found from the paths the main
 * thread loaded it from (its loader hints).
 *
 * That costs ~200 ms on Node 20 (tsx's code, and a hooks thread per worker),
 * ~50 ms later: a standby worker of a program that runs under tsx pays it
 * while it waits for its first job ({@link prepareTypeScript}).
 *
 * What a start still pays on Node 20 is the hooks thread's round trips: a
 * resolve and a load for each module of the target's graph, each a message
 * to that thread and a wake-up back (~0.3–1 ms apiece on a loaded 2-core
 * machine), where plain node resolves and loads on the worker's own thread.
 * A module target importing one other module measured ~1.5× its `.mjs`
 * twin's start; skein's hooks under tsx's keep that thread from waiting on
 * asynchronous fs calls too ({@link registerHooksBelowTsx}).
 */
import { readFileSync } from 'node:fs';
import module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { splitExecArgv } from '../thread/exec-argv.js';

let typeScriptLoader: Promise<boolean> | undefined;

/** Whether tsx can keep its hooks on this thread (`module.registerHooks`), rather than on a thread of their own. */
const hooksOnThisThread = typeof (module as { registerHooks?: unknown }).registerHooks === 'function';

/** Where tsx might be found: the paths the main thread loaded it from (its `hints`), the module, the program, the working directory. */
function tsxSearchBases(moduleUrl: string, hints: readonly string[]): string[] {
  const bases = hints
    .map((hint) => (hint.startsWith('file:') ? hint : hint.startsWith('/') ? pathToFileURL(hint).href : ''))
    .filter(Boolean);
  if (moduleUrl.startsWith('file:')) bases.push(moduleUrl);
  if (process.argv[1]) bases.push(pathToFileURL(process.argv[1]).href);
  bases.push(pathToFileURL(`${process.cwd()}/`).href);
  return bases;
}

/**
 * Register tsx in this worker, once; resolves whether it was found (looked
 * for from `hints`, where the main thread's TypeScript loader came from —
 * see hub.ts — and from `moduleUrl`). When
 * tsx's hooks run on a thread of their own (`module.register`: Node 20),
 * a hook of skein's is chained to them there (see `landing`).
 */
export function registerTypeScriptLoader(moduleUrl: string, hints: readonly string[]): Promise<boolean> {
  typeScriptLoader ??= (async () => {
    for (const base of tsxSearchBases(moduleUrl, hints)) {
      const api = findTsxEsmApi(base);
      if (api === undefined) continue;
      const { register } = (await import(pathToFileURL(api).href)) as { register: () => unknown };
      // Registered first, so that they run under tsx's hooks (see typescript-hooks.ts).
      if (!hooksOnThisThread) registerHooksBelowTsx();
      register();
      try {
        if (hooksOnThisThread) landHere = ((await import(landing)) as { landWrites: () => Promise<void> }).landWrites;
        else module.register(landing);
      } catch {
        // A runtime without these hooks (Bun, Deno) compiles again, as before: slower, never wrong.
      }
      return true;
    }
    return false;
  })();
  return typeScriptLoader;
}

/**
 * Where tsx's hooks run on a thread of their own, chain skein's
 * src/worker/typescript-hooks.ts under them: there they read module sources
 * and package types synchronously, where Node's default hooks and tsx's
 * lookup would wake that thread once per fs call — ~2–3 ms of a `.ts`
 * target's start. A runtime without `module.register` does without.
 */
function registerHooksBelowTsx(): void {
  try {
    // Beside the worker entry, whether this code is in it or in a chunk (scripts/build.ts).
    module.register(new URL('../worker/typescript-hooks.js', import.meta.url), {
      data: { readSources: !otherHooksMayBeBelow() },
    });
  } catch {
    // Slower without them, never wrong.
  }
}

/** A flag that can register module hooks (a preload, a loader), or give Node's default load a policy to enforce. */
const kHooksOrPolicy =
  /^(?:--import|--require|-r|--loader|--experimental-loader|--experimental-policy|--policy-integrity)(?:=|$)/;

/**
 * Whether hooks other than Node's default may already be registered in this
 * worker, below skein's: a preload or loader other than tsx among its flags
 * (which it keeps, src/thread/exec-argv.ts) or in NODE_OPTIONS, or a policy
 * that Node's default load enforces. Then skein's hooks read no source
 * themselves: that would skip those.
 */
function otherHooksMayBeBelow(): boolean {
  const nodeOptions = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
  const { execArgv } = splitExecArgv([...process.execArgv, ...nodeOptions]);
  return execArgv.some((arg) => kHooksOrPolicy.test(arg));
}

/**
 * The ESM entry of `tsx/esm/api` as seen from `base`, read from tsx's own
 * exports map (require.resolve would pick its CommonJS entry).
 */
function findTsxEsmApi(base: string): string | undefined {
  try {
    const manifestPath = createRequire(base).resolve('tsx/package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      exports?: Record<string, { import?: { default?: string } | string }>;
    };
    const entry = manifest.exports?.['./esm/api']?.import;
    const relative = typeof entry === 'string' ? entry : entry?.default;
    return relative === undefined ? undefined : join(dirname(manifestPath), relative);
  } catch {
    return undefined;
  }
}

/** How long a start may wait for tsx's cache writes, in ms: once, after a `.ts` file changed. */
const kLandWritesMs = 20;

/**
 * A module, as source, run both as a hook after tsx's and on this thread.
 * tsx compiles a `.ts` file once and keeps the result in a disk cache,
 * written asynchronously after the compile; a thread's worker exits as
 * soon as its thread ends, before that write lands — and every later start
 * of the same target would compile it again (~5 ms a file, more than the
 * whole start of a JavaScript target). `landWrites` waits, up to
 * kLandWritesMs, for the file operations under way on its thread to
 * finish: nothing is pending when the files came from the cache, so it
 * costs nothing then. Where tsx's hooks run on a thread of their own
 * (`module.register`: Node 20), its `load` hook does that there, after
 * each of tsx's loads; elsewhere the worker does it after each import.
 */
const landing = `data:text/javascript,${encodeURIComponent(`
export async function landWrites() {
  const pending = () =>
    typeof process.getActiveResourcesInfo === 'function' &&
    process.getActiveResourcesInfo().some((resource) => resource.startsWith('FSReq'));
  const deadline = performance.now() + ${kLandWritesMs};
  while (pending() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
}
export async function load(url, context, nextLoad) {
  const loaded = await nextLoad(url, context);
  await landWrites();
  return loaded;
}`)}`;

/** `landWrites` of {@link landing}, once tsx is registered with its hooks on this thread. */
let landHere: (() => Promise<void>) | undefined;

/** After an import: once tsx is registered with its hooks on this thread, let its cache writes land. */
export async function landTypeScriptCache(): Promise<void> {
  if (landHere !== undefined) await landHere();
}

/**
 * Get a standby worker of a program that runs under tsx ready for a
 * TypeScript module target before it has one: register tsx here, and
 * import a tiny .ts module (importing another) through it a few times, so
 * that loading tsx, starting its hooks and compiling their code are done
 * while the worker waits, not by the start. A failure is left for a real
 * import to meet and report.
 */
export async function prepareTypeScript(hints: readonly string[]): Promise<void> {
  // Beside the worker entry, whether this code is in it or in a chunk (scripts/build.ts).
  const warmUp = new URL('../worker/warm-up.ts', import.meta.url).href;
  if (!(await registerTypeScriptLoader(warmUp, hints))) return;
  for (let round = 0; round < 3; round++) await import(`${warmUp}?${round}`).catch(() => undefined);
}
