// The pools compared: raw worker_threads, piscina, tinypool, workerpool and
// skein's ThreadPoolExecutor, each behind the same small interface. The
// peers are devDependencies loaded on demand, so a missing one only skips
// its column; skein's executor is looked up at run time, so the suite runs
// (and says so) before it exists.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopEvent } from 'skein';
import { RawPool } from './raw-pool.js';
import { within } from './wait.js';

const plain = (file: string): URL => new URL(`../plain/${file}`, import.meta.url);
const tasksFile = plain('tasks.mjs');

/** A CPU-bound task in flight, and the library's way to cancel it. */
export interface Spinning {
  /** Settles when the library has given up the task (it rejects, as a rule). */
  readonly settled: PromiseLike<unknown>;
  /** Cancel the task the library's way (abort its signal, cancel its promise, stop its future). */
  cancel(): unknown;
}

/** One open pool of one library. */
export interface OpenPool {
  /** Run the trivial task `x + 1`. */
  run(x: number): PromiseLike<number>;
  /**
   * Start the CPU-bound task of `plain/tasks.mjs` (or its skein form) with
   * `marks`; absent when the library cannot cancel a running task yet.
   */
  readonly spin?: (marks: Int32Array) => Spinning;
  /** Why `spin` is absent. */
  readonly spinMissing?: string;
  close(): Promise<void>;
}

/** A library under test, installed and loaded. */
export interface Contender {
  /** Short name used as a column: `raw`, `piscina`, `skein` … */
  readonly name: string;
  /** Name and version for the report. */
  readonly label: string;
  /** Open a pool of `workers` workers and wait until they run. */
  open(workers: number): Promise<OpenPool>;
}

/** A library that could not be loaded, and why. */
export interface Missing {
  readonly name: string;
  readonly missing: string;
}

/** The version in `name`'s package.json, found by walking up from its entry point. */
function installedVersion(name: string): string {
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === name) return manifest.version ?? '?';
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) return '?';
    dir = parent;
  }
}

/** Run a few tasks so that every worker has started and the code paths are warm. */
async function warmUp(pool: OpenPool, workers: number): Promise<void> {
  await Promise.all(Array.from({ length: 50 * workers }, (_, i) => pool.run(i)));
  for (let i = 0; i < 20; i++) await pool.run(i);
}

const raw: Contender = {
  name: 'raw',
  label: 'raw worker_threads (16 in flight per worker)',
  async open(workers) {
    const pool = new RawPool(plain('raw-pool-worker.mjs'), workers);
    await pool.ready();
    return { run: (x) => pool.run(x), spinMissing: 'a hand-written pool has no cancel', close: () => pool.close() };
  },
};

/** The shape piscina and tinypool share: named tasks of one file, an AbortSignal per task, destroy(). */
interface FilePool {
  run(task: unknown, options?: { name?: string; signal?: AbortSignal }): Promise<unknown>;
  destroy(): Promise<void>;
}

/** An open pool over piscina or tinypool: cancel by aborting the task's signal, which terminates its worker. */
function abortablePool(pool: FilePool): OpenPool {
  return {
    run: (x) => pool.run(x) as Promise<number>,
    spin(marks) {
      const abort = new AbortController();
      return { settled: pool.run(marks, { name: 'spin', signal: abort.signal }), cancel: () => abort.abort() };
    },
    close: () => pool.destroy(),
  };
}

async function loadPiscina(): Promise<Contender> {
  const { Piscina, version } = await import('piscina');
  return {
    name: 'piscina',
    label: `piscina ${version}`,
    async open(workers) {
      return abortablePool(new Piscina({ filename: tasksFile.href, minThreads: workers, maxThreads: workers }));
    },
  };
}

async function loadTinypool(): Promise<Contender> {
  const { Tinypool } = await import('tinypool');
  return {
    name: 'tinypool',
    label: `tinypool ${installedVersion('tinypool')}`,
    async open(workers) {
      return abortablePool(new Tinypool({ filename: tasksFile.href, minThreads: workers, maxThreads: workers }));
    },
  };
}

async function loadWorkerpool(): Promise<Contender> {
  const { default: workerpool } = await import('workerpool');
  return {
    name: 'workerpool',
    label: `workerpool ${installedVersion('workerpool')}`,
    async open(workers) {
      const pool = workerpool.pool(fileURLToPath(plain('workerpool-worker.mjs')), {
        minWorkers: workers,
        maxWorkers: workers,
        workerType: 'thread',
      });
      return {
        run: (x) => pool.exec('inc', [x]) as PromiseLike<number>,
        spin(marks) {
          const task = pool.exec('spin', [marks]);
          return { settled: task, cancel: () => task.cancel() };
        },
        close: async () => {
          await pool.terminate();
        },
      };
    },
  };
}

/** The parts of skein's executor the suite uses, as DESIGN.md specifies them. */
interface SkeinFuture<R> extends PromiseLike<R> {
  stop?: (options?: { timeout?: number; force?: boolean }) => Promise<string>;
}
interface SkeinExecutor {
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): SkeinFuture<R>;
  shutdown(options?: { wait?: boolean; cancelFutures?: boolean }): Promise<void>;
}
type SkeinExecutorClass = new (options: { maxWorkers: number }) => SkeinExecutor;

/**
 * skein's spinning task: the same loop as plain/tasks.mjs `spin`, but it
 * checks its own stop request — the cooperative cancel skein is built for.
 * Sent to the worker as source; there skein resolves `stopEvent` by name.
 */
function skeinSpin(marks: Int32Array): string {
  const stop = stopEvent();
  Atomics.store(marks, 0, 1);
  Atomics.notify(marks, 0);
  const end = Date.now() + 10_000;
  try {
    while (!stop.isSet() && Date.now() < end);
  } finally {
    Atomics.store(marks, 1, 1);
  }
  return 'spun out';
}

async function loadSkein(): Promise<Contender | Missing> {
  const skein = (await import('skein')) as Record<string, unknown>;
  const Executor = skein.ThreadPoolExecutor as SkeinExecutorClass | undefined;
  if (typeof Executor !== 'function')
    return { name: 'skein', missing: 'skein pool: not available yet (no ThreadPoolExecutor export)' };
  const version = (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  return {
    name: 'skein',
    label: `skein ${version} (this checkout)`,
    async open(workers) {
      const pool = new Executor({ maxWorkers: workers });
      const probe = pool.submit((x: number) => x + 1, 1);
      await probe;
      const canStop = typeof probe.stop === 'function';
      return {
        run: (x) => pool.submit((y: number) => y + 1, x),
        ...(canStop
          ? {
              spin(marks: Int32Array): Spinning {
                const future = pool.submit(skeinSpin, marks);
                return { settled: future, cancel: () => future.stop!() };
              },
            }
          : { spinMissing: 'skein: future.stop() not available yet' }),
        close: () => pool.shutdown(),
      };
    },
  };
}

/** Load one peer, or say why it is skipped. */
async function loadPeer(name: string, load: () => Promise<Contender>): Promise<Contender | Missing> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const why =
      code === 'ERR_MODULE_NOT_FOUND'
        ? `${name} is not installed (npm install --save-dev ${name}): column skipped`
        : `${name} could not be loaded (${(error as Error).message}): column skipped`;
    return { name, missing: why };
  }
}

/** Every contender, raw first and skein last; the ones that cannot be loaded say why. */
export async function loadContenders(): Promise<Array<Contender | Missing>> {
  return [
    raw,
    await loadPeer('piscina', loadPiscina),
    await loadPeer('tinypool', loadTinypool),
    await loadPeer('workerpool', loadWorkerpool),
    await loadSkein(),
  ];
}

/**
 * Open a pool of `workers` workers for every loaded contender and warm it
 * up. A contender whose pool fails to open or to run its first tasks is
 * skipped with the error — a bug in one library must not cost the others
 * their figures.
 */
export async function openAll(
  contenders: ReadonlyArray<Contender | Missing>,
  workers: number,
): Promise<{ pools: Map<string, OpenPool>; failed: Missing[] }> {
  const pools = new Map<string, OpenPool>();
  const failed: Missing[] = [];
  for (const contender of contenders.filter(isLoaded)) {
    let pool: OpenPool | undefined;
    try {
      pool = await within(contender.open(workers), `open a ${workers}-worker ${contender.name} pool`);
      await within(warmUp(pool, workers), `warm up the ${contender.name} pool`);
      pools.set(contender.name, pool);
    } catch (error) {
      failed.push({
        name: contender.name,
        missing: `${contender.name} pool failed: ${(error as Error).message ?? error}`,
      });
      if (pool !== undefined) await closeAll(new Map([[contender.name, pool]]));
    }
  }
  return { pools, failed };
}

/** Close every pool, each within a bound; a pool that fails to close is left to process exit. */
export async function closeAll(pools: ReadonlyMap<string, OpenPool>): Promise<void> {
  for (const [name, pool] of pools) await within(pool.close(), `close the ${name} pool`).catch(() => {});
}

/** Whether a contender was loaded. */
export const isLoaded = (entry: Contender | Missing): entry is Contender => !('missing' in entry);
