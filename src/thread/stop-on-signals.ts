import { constants } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { describeValue, RuntimeError } from '../errors.js';
import { deadlineAfter, remainingUntil, toTimeoutMs } from '../sync/timeout.js';
import { stopEvent } from './stop.js';
import { liveStoppables, type StopOptions, type Stoppable } from './stoppables.js';

/**
 * Options of {@link stopOnSignals}.
 * @example
 * ```ts
 * stopOnSignals({ timeout: 10_000, signals: ['SIGTERM'], exitCode: 2 });
 * ```
 */
export interface StopOnSignalsOptions {
  /**
   * The grace period: milliseconds every thread (and registered stoppable)
   * has to stop after the first signal before it is terminated. `Infinity`
   * waits until a second signal. Default: `5000`.
   */
  timeout?: number;
  /** The signals to handle. Default: `["SIGINT", "SIGTERM"]`. */
  signals?: readonly NodeJS.Signals[];
  /** The exit code when something had to be terminated. Default: `1`. */
  exitCode?: number;
}

const uncatchable = new Set(['SIGKILL', 'SIGSTOP']);

// One installation per process, shared by every copy of skein loaded in it.
const kInstalled = Symbol.for('skein.stopOnSignals');
const slot = globalThis as { [kInstalled]?: boolean };

/**
 * Stop every live thread cleanly when the process is told to end, then exit.
 *
 * On the first of `signals` (SIGINT — Ctrl-C — and SIGTERM by default): the
 * stop request of every live thread in the process (and of every
 * {@link registerStoppable registered} stoppable, such as a pool) is set, and
 * so is the main thread's own `stopEvent()`; each gets `timeout` ms of grace,
 * then whatever has not ended is terminated (its `finally` blocks do not
 * run). The process then exits with 0 if everything stopped by itself, or
 * `exitCode` if something had to be terminated. A second signal terminates
 * what remains at once; a third exits at once.
 *
 * Call it once, on the main thread, early in the program.
 *
 * @returns a function that removes the signal handlers (a stop in progress carries on).
 * @throws TypeError if `timeout` is not a number (RangeError if NaN),
 *   `signals` is not an array of catchable signal names, or `exitCode` is
 *   not an integer.
 * @throws RuntimeError when called in a worker (signals reach only the main
 *   thread), or when already installed.
 * @example
 * ```ts
 * stopOnSignals({ timeout: 10_000 });
 * for (const shard of shards) new Thread({ target: crunch, args: [shard] }).start();
 * // Ctrl-C: each crunch() sees stopEvent().isSet(), runs its finally, and the process exits 0.
 * ```
 */
export function stopOnSignals(options?: StopOnSignalsOptions): () => void {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(
      `Expected \`options\` to be an object { timeout?, signals?, exitCode? }, got ${describeValue(options)}`,
    );
  }
  const { timeout = 5_000, signals = ['SIGINT', 'SIGTERM'], exitCode = 1 } = options ?? {};
  const grace = toTimeoutMs(timeout, 'timeout');
  checkSignals(signals);
  if (!Number.isInteger(exitCode)) {
    throw new TypeError(`Expected \`exitCode\` to be an integer, got ${describeValue(exitCode)}`);
  }
  if (!isMainThread) {
    throw new RuntimeError('stopOnSignals() works only on the main thread: a worker does not receive process signals');
  }
  if (slot[kInstalled]) {
    throw new RuntimeError('stopOnSignals() is already installed: call the function it returned to remove it first');
  }

  let phase: 'waiting' | 'stopping' | 'forcing' = 'waiting';
  let forceNow!: () => void;
  const forced = new Promise<void>((resolve) => (forceNow = resolve));
  const onSignal = (): void => {
    if (phase === 'waiting') {
      phase = 'stopping';
      void stopEverything(grace, forced).then((clean) => process.exit(clean ? 0 : exitCode));
    } else if (phase === 'stopping') {
      phase = 'forcing';
      forceNow();
    } else {
      process.exit(exitCode);
    }
  };
  for (const signal of signals) process.on(signal, onSignal);
  slot[kInstalled] = true;
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    for (const signal of signals) process.off(signal, onSignal);
    slot[kInstalled] = false;
  };
}

function checkSignals(signals: unknown): asserts signals is NodeJS.Signals[] {
  const known = constants.signals as Record<string, number>;
  const valid =
    Array.isArray(signals) &&
    signals.length > 0 &&
    signals.every((name) => typeof name === 'string' && name in known && !uncatchable.has(name));
  if (!valid) {
    throw new TypeError(
      `Expected \`signals\` to be a non-empty array of catchable signal names such as "SIGINT", got ${describeValue(signals)}` +
        (Array.isArray(signals) && signals.some((name) => uncatchable.has(name))
          ? ' (SIGKILL and SIGSTOP cannot be caught)'
          : ''),
    );
  }
}

/**
 * Ask every stoppable to stop within `grace` ms, forcing at the end of it,
 * or at once when `forced` resolves. Stoppables registered meanwhile (a
 * thread started by a `finally`) are asked too. Resolves whether everything
 * stopped by itself.
 */
async function stopEverything(grace: number, forced: Promise<void>): Promise<boolean> {
  stopEvent().set(); // the main thread's own request, for code that checks it
  const deadline = deadlineAfter(grace);
  const asked = new Map<Stoppable, Promise<void>>();
  let clean = true;
  const ask = async (stoppable: Stoppable, options: StopOptions): Promise<void> => {
    try {
      if ((await stoppable.stop(options)) !== 'stopped') clean = false;
    } catch {
      clean = false;
    }
  };
  const secondSignal = forced.then(() => true);
  for (;;) {
    const fresh = liveStoppables().filter((stoppable) => !asked.has(stoppable));
    if (fresh.length === 0) return clean;
    const left = remainingUntil(deadline);
    for (const stoppable of fresh)
      asked.set(stoppable, ask(stoppable, left === Infinity ? {} : { timeout: left, force: true }));
    const all = Promise.all(asked.values()).then(() => false);
    if (await Promise.race([all, secondSignal])) {
      await Promise.all(liveStoppables().map((stoppable) => ask(stoppable, { timeout: 0, force: true })));
      return false;
    }
  }
}
