/**
 * The execArgv skein's workers are created with: the process's own, minus a
 * TypeScript loader (tsx). On Node 20 its hooks do not apply in workers
 * anyway, and loading it in each one triples the start time; the worker
 * registers it only when a `.ts` module target needs it — a standby worker
 * ahead of need, once the program uses module targets — from the paths
 * kept here as loader hints (src/worker/typescript.ts).
 */
import { SHARE_ENV, Worker, type WorkerOptions } from 'node:worker_threads';

const loaderFlags = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);
const isTsx = (value: string): boolean => /(?:^|[\\/])tsx(?:$|[\\/])/.test(value);

/** Split `execArgv` into the flags workers keep and the tsx loader paths they leave out. */
export function splitExecArgv(execArgv: readonly string[]): { execArgv: string[]; loaderHints: string[] } {
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

/** The execArgv of this process, split once. */
export const workerArgv = splitExecArgv(process.execArgv);

const kInvalidExecArgv = /^Initiated Worker with invalid execArgv flags: (.*)$/s;

/**
 * `new Worker(entry)` with the process's environment (shared, as threads
 * share it in Python), argv and execArgv (minus tsx). When none was removed,
 * Node's own inheritance is used: it leaves out the per-process flags a
 * worker refuses. An explicit list must leave them out itself, or the
 * constructor throws ERR_WORKER_INVALID_EXEC_ARGV — e.g. for
 * `--stack-trace-limit=10`, which Node 24's test runner passes to every test
 * file. The flags refused are named in that error: drop them, once, and retry.
 */
export function newWorker(entry: URL, workerOptions: WorkerOptions): Worker {
  const options: WorkerOptions = { ...workerOptions, env: SHARE_ENV, argv: process.argv.slice(2) };
  if (workerArgv.loaderHints.length === 0) return new Worker(entry, options);
  try {
    return new Worker(entry, { ...options, execArgv: workerArgv.execArgv });
  } catch (error) {
    const refused = kInvalidExecArgv.exec((error as { message?: string }).message ?? '')?.[1];
    if ((error as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || refused === undefined) throw error;
    const drop = new Set(refused.split(', '));
    workerArgv.execArgv = workerArgv.execArgv.filter((arg) => !drop.has(arg));
    return new Worker(entry, { ...options, execArgv: workerArgv.execArgv });
  }
}
