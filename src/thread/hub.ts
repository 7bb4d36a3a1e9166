/**
 * The hub: the one place that creates workers, always on the main thread.
 *
 * Node ends a nested worker together with the worker that created it, but a
 * Python thread outlives the thread that started it. So a thread started
 * inside a worker is not created there: the worker asks the hub, over its
 * parentPort, and the hub creates it as a child of the main thread.
 */
import { SHARE_ENV, Worker, type WorkerOptions } from 'node:worker_threads';
import { ControlBlock, EndReason, ThreadState } from './control-block.js';
import { isSpawnRequest, type SpawnRequest, type WorkerBoot } from './protocol.js';

const entryUrl = new URL('../worker/entry.js', import.meta.url);

const loaderFlags = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);
const isTsx = (value: string): boolean => /(?:^|[\\/])tsx(?:$|[\\/])/.test(value);

/**
 * The execArgv for workers: the process's own, minus a TypeScript loader
 * (tsx). On Node 20 its hooks do not apply in workers anyway, and loading it
 * in each one triples the start time; the runtime registers it in a worker
 * only when a `.ts` module target needs it, from the paths kept here.
 */
function splitExecArgv(execArgv: readonly string[]): { execArgv: string[]; loaderHints: string[] } {
  const kept: string[] = [];
  const loaderHints: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (loaderFlags.has(flag)) {
      const value = eq === -1 ? (execArgv[i + 1] ?? '') : arg.slice(eq + 1);
      if (isTsx(value)) {
        loaderHints.push(value);
        if (eq === -1) i++;
        continue;
      }
    }
    kept.push(arg);
  }
  return { execArgv: kept, loaderHints };
}

/** @internal */
export const workerArgv = splitExecArgv(process.execArgv);

/** How a worker ended, as the hub saw it. */
export interface WorkerExit {
  /** The exit code Node reported. */
  code: number;
  /** The error Node emitted before the exit, if any (e.g. ERR_WORKER_OUT_OF_MEMORY). */
  error: unknown;
  /** The reason the hub recorded, when the thread had not ended itself. */
  reason: EndReason | undefined;
}

/** A worker the hub created for a thread. */
export interface SpawnedWorker {
  readonly worker: Worker;
  /** Resolves once the worker has exited and its thread is marked ended. */
  readonly exited: Promise<WorkerExit>;
  /** Terminate the worker; its thread ends with reason `terminated`. */
  terminate(): void;
}

type SpawnRequestHandler = (request: SpawnRequest) => void;

const kInvalidExecArgv = /^Initiated Worker with invalid execArgv flags: (.*)$/s;

/**
 * `new Worker` with the process's execArgv. When none was removed, Node's own
 * inheritance is used: it leaves out the per-process flags a worker refuses.
 * An explicit list must leave them out itself, or the constructor throws
 * ERR_WORKER_INVALID_EXEC_ARGV — e.g. for `--stack-trace-limit=10`, which
 * Node 24's test runner passes to every test file. The flags refused are
 * named in that error: drop them, once, and retry.
 */
function createWorker(options: WorkerOptions): Worker {
  if (workerArgv.loaderHints.length === 0) return new Worker(entryUrl, options);
  try {
    return new Worker(entryUrl, { ...options, execArgv: workerArgv.execArgv });
  } catch (error) {
    const refused = kInvalidExecArgv.exec((error as { code?: unknown; message?: string }).message ?? '')?.[1];
    if ((error as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || refused === undefined) throw error;
    const drop = new Set(refused.split(', '));
    workerArgv.execArgv = workerArgv.execArgv.filter((arg) => !drop.has(arg));
    return new Worker(entryUrl, { ...options, execArgv: workerArgv.execArgv });
  }
}

/**
 * Create the worker for a thread. `onSpawnRequest` serves the threads this
 * worker starts in turn.
 */
export function spawnWorker(boot: WorkerBoot, onSpawnRequest: SpawnRequestHandler): SpawnedWorker {
  const worker = createWorker({
    workerData: { skein: boot },
    transferList: [boot.port],
    env: SHARE_ENV,
    argv: process.argv.slice(2),
    name: boot.name,
    ...(boot.resourceLimits ? { resourceLimits: boot.resourceLimits } : {}),
  });
  const control = ControlBlock.fromBuffer(boot.control);
  let lastError: unknown;
  let terminating = false;
  const exited = new Promise<WorkerExit>((resolve) => {
    worker.on('exit', (code) => {
      let reason: EndReason | undefined;
      // The runtime ends its thread itself before it exits; a worker that
      // exits with its thread still running died from outside or crashed.
      if (control.state !== ThreadState.ended) {
        const oom = (lastError as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
        reason = terminating ? EndReason.terminated : oom ? EndReason.outOfMemory : EndReason.crashed;
        if (!control.end(reason, code)) reason = undefined;
      }
      resolve({ code, error: lastError, reason });
    });
  });
  worker.on('error', (error) => {
    lastError = error;
  });
  worker.on('message', (message: unknown) => {
    // Only spawn requests are expected; anything else is ignored.
    if (isSpawnRequest(message)) onSpawnRequest(message);
  });
  // Listeners re-ref a worker, so unref only after attaching them.
  if (boot.daemon) worker.unref();
  return {
    worker,
    exited,
    terminate() {
      terminating = true;
      void worker.terminate();
    },
  };
}
