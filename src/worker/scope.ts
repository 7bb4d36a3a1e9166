/**
 * What an inline target sees by name: skein's exports — but only those its
 * source mentions are loaded. Loading all of skein in every worker (the pool,
 * signals, timers…) would cost each thread about 2 MiB it never uses.
 */

/** Where each public export of skein lives, relative to this file. Kept equal to src/index.ts by a test. */
export const exportModules: Readonly<Record<string, string>> = {
  Event: '../sync/event.js',
  sleep: '../sync/sleep.js',
  sleepSync: '../sync/sleep.js',
  Thread: '../thread/thread.js',
  RuntimeError: '../thread/thread.js',
  currentThread: '../thread/thread.js',
  mainThread: '../thread/thread.js',
  enumerate: '../thread/thread.js',
  activeCount: '../thread/thread.js',
  setStandbyThreads: '../thread/hub.js',
  setExcepthook: '../thread/excepthook.js',
  getExcepthook: '../thread/excepthook.js',
  stopEvent: '../thread/stop.js',
  stopSignal: '../thread/stop.js',
  throwIfStopped: '../thread/stop.js',
  Timer: '../thread/timer.js',
  stopOnSignals: '../thread/stop-on-signals.js',
  registerStoppable: '../thread/stoppables.js',
  unregisterStoppable: '../thread/stoppables.js',
  liveStoppables: '../thread/stoppables.js',
  StopError: '../errors.js',
  ThreadExitError: '../errors.js',
  CancelledError: '../errors.js',
  TimeoutError: '../errors.js',
  BrokenThreadPool: '../errors.js',
  InvalidStateError: '../errors.js',
  NotSupportedError: '../errors.js',
  Future: '../executor/future.js',
  ThreadPoolExecutor: '../executor/thread-pool-executor.js',
  wait: '../executor/wait.js',
  asCompleted: '../executor/wait.js',
  FIRST_COMPLETED: '../executor/wait.js',
  FIRST_EXCEPTION: '../executor/wait.js',
  ALL_COMPLETED: '../executor/wait.js',
};

// One pattern for every name: a first match compiles one regular
// expression, not one per export (which cost a fresh worker ~0.5 ms).
const mentions = new RegExp(`(?:^|[^\\w$.])(${Object.keys(exportModules).join('|')})(?![\\w$])`, 'g');

// The helper esbuild (tsx) inserts into functions it compiles with keepNames.
const defineName = (target: object, value: string): object =>
  Object.defineProperty(target, 'name', { value, configurable: true });

/**
 * The scope for inline sources: each skein export the sources mention, and
 * esbuild's `__name` helper. Only the modules of those exports are imported.
 */
export async function scopeFor(sources: readonly string[]): Promise<Record<string, unknown>> {
  const wanted = new Set<string>();
  for (const source of sources) {
    // exec on the one pattern, not matchAll: matchAll clones it, and a
    // clone may compile the pattern again (~0.25 ms on a thread's start).
    mentions.lastIndex = 0;
    for (let match = mentions.exec(source); match !== null; match = mentions.exec(source)) wanted.add(match[1]!);
  }
  const modules = new Map<string, Record<string, unknown>>();
  if (wanted.size > 0) {
    const paths = new Set<string>();
    for (const name of wanted) paths.add(exportModules[name]!);
    await Promise.all(
      [...paths].map(async (path) => {
        modules.set(path, (await import(path)) as Record<string, unknown>);
      }),
    );
  }
  const scope: Record<string, unknown> = { __name: defineName };
  for (const name of wanted) scope[name] = modules.get(exportModules[name]!)![name];
  return scope;
}
