/**
 * The hub: the one place that creates workers, always on the main thread.
 *
 * Node ends a nested worker together with the worker that created it, but a
 * Python thread outlives the thread that started it. So a thread started
 * inside a worker is not created there: the worker asks the hub, over its
 * parentPort, and the hub creates it as a child of the main thread.
 */
import {
  isMainThread,
  MessageChannel,
  parentPort,
  SHARE_ENV,
  Worker,
  type MessagePort,
  type ResourceLimits,
  type WorkerOptions as NodeWorkerOptions,
} from 'node:worker_threads';
import { isRelayStartRequest, relayPortForWorker, setRelayWorkerUrl, startRelay } from '../relay/relay.js';
import { sharedNow, unrefTimeout } from '../sync/timeout.js';
import { waitAsyncFor } from '../sync/wait-async.js';
import { ControlBlock, EndReason, kState, ThreadState } from './control-block.js';
import { globalsBuffer } from './globals.js';
import { StandbyWorkers, type StandbySeat, wakeSeat } from './standby.js';
import {
  isSpawnRequest,
  isTerminateRequest,
  type SpawnRequest,
  type TerminateRequest,
  type WorkerBoot,
} from './protocol.js';

let entryUrl: URL | undefined;

/**
 * @internal Where the worker entry file is. Set by the module of skein that
 * loads first in each thread — the package index, or the worker entry —
 * since the bundled code does not know which file it ended up in.
 */
export function setWorkerEntry(url: URL): void {
  entryUrl ??= url;
  setRelayWorkerUrl(new URL('./relay.js', url));
}

function workerEntry(): URL {
  if (entryUrl === undefined)
    throw new Error('skein was loaded without its index or worker entry; import it as `skein`');
  return entryUrl;
}

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

/** Serves a worker's request to start a thread; `ownerIdent` is the ident of the thread asking. */
type SpawnRequestHandler = (request: SpawnRequest, ownerIdent: number) => void;

interface Spawned {
  spawned: SpawnedWorker;
  /** The ident of the thread that started this one; the main thread's for its own. */
  ownerIdent: number | undefined;
}

/** Every worker the hub has created and not yet seen exit, by thread ident. */
const spawnedByIdent = new Map<number, Spawned>();

let spawnRequestHandler: SpawnRequestHandler | undefined;

/** On the main thread: who serves the spawn requests workers send (Thread). @internal */
export function setSpawnRequestHandler(handler: SpawnRequestHandler): void {
  spawnRequestHandler = handler;
}

const kInvalidExecArgv = /^Initiated Worker with invalid execArgv flags: (.*)$/s;

/**
 * `new Worker` with the process's execArgv. When none was removed, Node's own
 * inheritance is used: it leaves out the per-process flags a worker refuses.
 * An explicit list must leave them out itself, or the constructor throws
 * ERR_WORKER_INVALID_EXEC_ARGV — e.g. for `--stack-trace-limit=10`, which
 * Node 24's test runner passes to every test file. The flags refused are
 * named in that error: drop them, once, and retry.
 */
function newWorker(options: NodeWorkerOptions): Worker {
  if (workerArgv.loaderHints.length === 0) return new Worker(workerEntry(), options);
  try {
    return new Worker(workerEntry(), { ...options, execArgv: workerArgv.execArgv });
  } catch (error) {
    const refused = kInvalidExecArgv.exec((error as { message?: string }).message ?? '')?.[1];
    if ((error as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || refused === undefined) throw error;
    const drop = new Set(refused.split(', '));
    workerArgv.execArgv = workerArgv.execArgv.filter((arg) => !drop.has(arg));
    return new Worker(workerEntry(), { ...options, execArgv: workerArgv.execArgv });
  }
}

/** Options every skein worker is created with, besides its workerData. */
export interface WorkerOptions {
  name: string;
  resourceLimits?: ResourceLimits | undefined;
  /**
   * The ident of the thread the worker runs: requests from it are
   * attributed to it. Set when a standby worker is given its thread.
   */
  ident: number;
}

/**
 * workerData of a standby worker: everything but its thread's job, which
 * arrives in `port` — a {@link ThreadJob} to run as the thread of `control`,
 * or a {@link StandbyAssignment} for a thread that brings its own.
 */
export interface StandbyBoot {
  kind: 'standby';
  globals: SharedArrayBuffer;
  loaderHints: string[];
  /** The control block of the thread this worker will run (unless assigned one). */
  control: SharedArrayBuffer;
  /** The worker's end of that thread's port. */
  port: MessagePort;
  /** The word the worker parks on until its job is in `port` (see {@link StandbySeat}). */
  wake: SharedArrayBuffer;
}

/**
 * Sent into a standby worker's port to give it a thread that was started
 * with its own control block and port (one a worker asked the hub for).
 */
export interface StandbyAssignment {
  type: 'skein:assign';
  boot: WorkerBoot;
}

/** How long after a thread starts on a standby worker its replacement boots, in ms: by then the thread runs. */
const kRefillDelayMs = 5;

/** What each standby worker was created with, to attribute its requests once assigned. */
const standbyOptions = new WeakMap<Worker, WorkerOptions>();

const standby = new StandbyWorkers(() => {
  const options: WorkerOptions = { name: 'skein standby', ident: 0 };
  const control = ControlBlock.create();
  const { port1, port2 } = new MessageChannel();
  const wake = new Int32Array(new SharedArrayBuffer(4));
  const boot: StandbyBoot = {
    kind: 'standby',
    globals: globalsBuffer,
    loaderHints: workerArgv.loaderHints,
    control: control.buffer,
    port: port1,
    wake: wake.buffer as SharedArrayBuffer,
  };
  const worker = createWorker({ skein: boot }, [port1], options);
  worker.unref();
  standbyOptions.set(worker, options);
  return { worker, control, port: port2, wake };
}, 1);

/**
 * Keep `count` workers started in advance, so that `thread.start()` runs
 * its target within about a millisecond instead of after a worker boot
 * (~20–40 ms). Default: 1. `0` turns standby off.
 *
 * A standby worker has run nothing before its thread: it has loaded only
 * skein itself. It serves one thread and exits with it, so threads never
 * share globals, timers or module state. Idle standby workers never keep
 * the process alive; each costs the memory of an idle worker (~8 MiB).
 * Threads with `resourceLimits` always get a fresh worker (limits are set
 * when a worker is created).
 *
 * @throws RangeError if `count` is not an integer ≥ 0.
 * @example
 * ```ts
 * setStandbyThreads(4); // a burst of four threads starts warm
 * ```
 */
export function setStandbyThreads(count: number): void {
  standby.setTarget(count);
}

/** @internal Idle standby workers (tests subtract them when counting leaks). */
export function idleStandbyCount(): number {
  return standby.idleCount;
}

/** @internal Begin booting standby workers, ahead of a first start(). Main thread only. */
export function prepareStandby(): void {
  if (isMainThread) standby.refill();
}

/**
 * @internal On the main thread, an idle standby seat for a thread about to
 * start: the caller posts the thread's job into `seat.port`, then calls
 * {@link launchOnSeat} — or {@link returnSeat} if the job could not be
 * posted. Undefined when there is none (or off the main thread).
 */
export function takeSeat(): StandbySeat | undefined {
  return isMainThread ? standby.take() : undefined;
}

/** @internal Give back a seat whose job could not be posted. */
export function returnSeat(seat: StandbySeat): void {
  standby.putBack(seat);
}

/**
 * @internal Run the thread whose job is in `seat.port`, as the thread of
 * `seat.control` (already marked started): wake the standby worker.
 */
export function launchOnSeat(seat: StandbySeat, launch: Pick<WorkerBoot, 'daemon' | 'stopAt'>): SpawnedWorker {
  return launchStandby(seat, seat.control, launch);
}

/**
 * Create a skein worker on the calling thread: the shared entry file, the
 * process's environment (shared, as threads share it in Python), argv and
 * execArgv (minus tsx). Its requests to start or force-stop a thread are
 * served on the main thread, or relayed up to this thread's parent, which
 * relays them on (a pool created inside a thread has nested workers).
 */
export function createWorker(
  workerData: unknown,
  transferList: readonly MessagePort[],
  options: WorkerOptions,
): Worker {
  // Every skein worker gets its own connection to the relay (src/relay/relay.ts).
  const relay = relayPortForWorker();
  const worker = newWorker({
    workerData: { ...(workerData as object), relay: relay.boot },
    transferList: [...transferList, relay.transfer],
    env: SHARE_ENV,
    argv: process.argv.slice(2),
    name: options.name,
    ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
  });
  worker.on('message', (message: unknown) => {
    // Only spawn, terminate and relay-start requests are expected; anything else is ignored.
    if (isSpawnRequest(message)) {
      if (isMainThread) spawnRequestHandler?.(message, options.ident);
      else parentPort?.postMessage(message, [message.boot.port]);
    } else if (isTerminateRequest(message)) {
      if (!isMainThread) parentPort?.postMessage(message);
      else if (spawnedByIdent.get(message.ident)?.ownerIdent === options.ident) terminateThread(message.ident);
    } else if (isRelayStartRequest(message)) {
      if (isMainThread) startRelay();
      else parentPort?.postMessage(message);
    }
  });
  return worker;
}

/**
 * Create the worker for a thread, on the main thread. `ownerIdent` is the
 * thread that asked for this one (undefined when the main thread started it).
 */
export function spawnWorker(boot: WorkerBoot, ownerIdent?: number): SpawnedWorker {
  const control = ControlBlock.fromBuffer(boot.control);
  // A standby worker, if there is one and no limits are asked for: it is
  // already running, so the job starts without a worker boot.
  const seat = boot.resourceLimits === undefined ? standby.take() : undefined;
  if (seat !== undefined) {
    seat.port.postMessage({ type: 'skein:assign', boot } satisfies StandbyAssignment, [boot.port]);
    return launchStandby(seat, control, boot, ownerIdent);
  }
  // The deadline first: one already due is set before the worker exists.
  const cancelDeadline = armDeadline(control, boot.stopAt);
  let worker: Worker;
  try {
    worker = createWorker({ skein: boot }, [boot.port], {
      name: boot.name,
      resourceLimits: boot.resourceLimits,
      ident: control.ident,
    });
  } catch (error) {
    cancelDeadline();
    throw error;
  }
  standby.refill();
  return track(worker, control, boot.daemon, cancelDeadline, ownerIdent);
}

/** Wake the standby worker of `seat` to run the thread of `control`, whose job is in its port. */
function launchStandby(
  seat: StandbySeat,
  control: ControlBlock,
  launch: Pick<WorkerBoot, 'daemon' | 'stopAt'>,
  ownerIdent?: number,
): SpawnedWorker {
  standbyOptions.get(seat.worker)!.ident = control.ident;
  const cancelDeadline = armDeadline(control, launch.stopAt);
  wakeSeat(seat);
  // The rest is bookkeeping that the worker need not wait for.
  const spawned = track(seat.worker, control, launch.daemon, cancelDeadline, ownerIdent);
  // Boot the replacement a little later (or once this thread ends, if
  // sooner): booting it now would compete with the start just made fast.
  void waitAsyncFor(control.i32, kState, ThreadState.started, kRefillDelayMs, false).then(() => standby.refill());
  return spawned;
}

/**
 * Set the stop request of the thread of `control` at `stopAt` (on the
 * `sharedNow()` clock): at once if that is past, so that a thread whose
 * deadline is due starts with its stop requested. Returns the cancel.
 */
function armDeadline(control: ControlBlock, stopAt: number): () => void {
  if (stopAt === Infinity) return () => {};
  return unrefTimeout(Math.max(stopAt - sharedNow(), 0), () => control.stopEvent.set());
}

/** Watch the worker of the thread of `control`: its exit, its ref; `cancelDeadline` once it exits. */
function track(
  worker: Worker,
  control: ControlBlock,
  daemon: boolean,
  cancelDeadline: () => void,
  ownerIdent: number | undefined,
): SpawnedWorker {
  const ident = control.ident;
  let lastError: unknown;
  let terminating = false;
  const exited = new Promise<WorkerExit>((resolve) => {
    worker.on('exit', (code) => {
      spawnedByIdent.delete(ident);
      cancelDeadline();
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
  // Listeners re-ref a worker, so set its ref only after attaching them.
  if (daemon) worker.unref();
  else worker.ref();
  const spawned: SpawnedWorker = {
    worker,
    exited,
    terminate() {
      terminating = true;
      void worker.terminate();
    },
  };
  spawnedByIdent.set(ident, { spawned, ownerIdent });
  return spawned;
}

/**
 * Terminate the worker of the thread `ident` (a forced stop); it ends with
 * reason `terminated`. On the main thread this acts at once; in a worker it
 * asks the hub, which honours it for a thread this worker started. A thread
 * whose worker has already exited is left alone.
 */
export function terminateThread(ident: number): void {
  if (isMainThread) spawnedByIdent.get(ident)?.spawned.terminate();
  else parentPort?.postMessage({ type: 'skein:terminate', ident } satisfies TerminateRequest);
}
