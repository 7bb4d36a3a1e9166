/**
 * The hub: the one place that creates skein's workers and watches them end.
 *
 * Every worker is created the same way (src/worker/boot.ts is its other
 * side): with a {@link WorkerBoot} and a port, into which its owner posts
 * its first message — a thread's job, a handover, or a pool assignment —
 * before the worker runs it. The owner takes a {@link Seat}: a standby
 * worker already booted and parked, or a fresh one that is created when the
 * seat is launched. Either way, what the job needs (its control block, its
 * port) exists before any worker is woken or created, so a job that cannot
 * be posted fails before anything starts.
 *
 * Node ends a nested worker together with the worker that created it, but a
 * Python thread outlives the thread that started it. So threads are created
 * on the main thread: a skein worker asks for one over its parentPort (see
 * spawn-server.ts and relay.ts). A pool's workers are created wherever the
 * pool lives, and end with it.
 */
import {
  isMainThread,
  MessageChannel,
  SHARE_ENV,
  type MessagePort,
  type ResourceLimits,
  type Worker,
} from 'node:worker_threads';
import { sharedNow, unrefTimeout } from '../sync/timeout.js';
import { waitAsyncFor } from '../sync/wait-async.js';
import { ControlBlock, EndReason, kState, ThreadState } from './control-block.js';
import { newWorker, workerArgv } from './exec-argv.js';
import { globalsBuffer } from './globals.js';
import type { WorkerBoot } from './protocol.js';
import { relayRequests } from './relay.js';
import { StandbyWorkers } from './standby.js';

let entryUrl: URL | undefined;

/**
 * @internal Where the worker entry file is. Set by the module of skein that
 * loads first in each thread — the package index, or the worker entry —
 * since the bundled code does not know which file it ended up in.
 */
export function setWorkerEntry(url: URL): void {
  entryUrl ??= url;
}

function workerEntry(): URL {
  if (entryUrl === undefined)
    throw new Error('skein was loaded without its index or worker entry; import it as `skein`');
  return entryUrl;
}

/** How a worker ended, as the hub saw it. */
export interface WorkerExit {
  /** The exit code Node reported. */
  code: number;
  /** The error Node emitted before the exit, if any (e.g. ERR_WORKER_OUT_OF_MEMORY). */
  error: unknown;
  /** Whether the hub terminated it (a forced stop). */
  terminated: boolean;
}

/** A worker the hub launched. */
export interface SpawnedWorker {
  readonly worker: Worker;
  /** Resolves once the worker has exited (and its thread is marked ended). */
  readonly exited: Promise<WorkerExit>;
  /** Terminate the worker; a thread still running ends with reason `terminated`. */
  terminate(): void;
}

/**
 * Where a job will run: a worker, its control block and the owner's end of
 * its port. Take one with {@link takeSeat}, post the first message into
 * `port`, then {@link launch} it — or {@link returnSeat} it if the post
 * failed.
 */
export interface Seat {
  /** The control block of the thread the worker will be. */
  readonly control: ControlBlock;
  /** The owner's end of the worker's port. */
  readonly port: MessagePort;
  /** One Int32 the worker waits on until its first message is in its port. */
  readonly wake: Int32Array;
  /** A standby worker, already booted; undefined for a fresh seat, whose worker is created at launch. */
  readonly worker: Worker | undefined;
  /** A fresh seat's end of the port, given to the worker when it is created. */
  readonly workerPort: MessagePort | undefined;
  /** The attribution of the worker's requests: the ident of the thread it runs (0 while on standby). */
  readonly attribution: { ident: number };
}

function bootFor(seat: Pick<Seat, 'control' | 'wake'>, port: MessagePort, rehearse: boolean): WorkerBoot {
  return {
    globals: globalsBuffer,
    loaderHints: workerArgv.loaderHints,
    control: seat.control.buffer,
    port,
    wake: seat.wake.buffer as SharedArrayBuffer,
    rehearse,
  };
}

/** A seat with everything made but its worker. */
function freshSeat(): Seat {
  const { port1, port2 } = new MessageChannel();
  return {
    control: ControlBlock.create(),
    port: port2,
    wake: new Int32Array(new SharedArrayBuffer(4)),
    worker: undefined,
    workerPort: port1,
    attribution: { ident: 0 },
  };
}

const standby = new StandbyWorkers<Seat>(
  () => {
    const seat = freshSeat();
    const worker = createWorker(bootFor(seat, seat.workerPort!, true), [seat.workerPort!], {
      name: 'skein standby',
      attribution: seat.attribution,
    });
    worker.unref();
    return { ...seat, worker, workerPort: undefined };
  },
  (seat) => seat.worker!,
  1,
);

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
 * when a worker is created). Pools take standby workers too.
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
 * @internal A seat for a job about to start: an idle standby worker (on the
 * main thread, without `resourceLimits`), else a fresh one.
 */
export function takeSeat(resourceLimits?: ResourceLimits): Seat {
  return (isMainThread && resourceLimits === undefined ? standby.take() : undefined) ?? freshSeat();
}

/** @internal Give back a seat whose first message could not be posted: nothing was sent, nothing woken. */
export function returnSeat(seat: Seat): void {
  if (seat.worker !== undefined) standby.putBack(seat);
  else {
    seat.port.close();
    seat.workerPort?.close();
  }
}

/** What {@link launch} needs to know of the job. */
export interface LaunchSpec {
  /** The worker's name (a fresh worker's; a standby worker keeps its own). */
  name: string;
  daemon: boolean;
  /** When the thread's stop request sets itself, on the `sharedNow()` clock; `Infinity` for never. */
  stopAt: number;
  resourceLimits: ResourceLimits | undefined;
  /** The thread the worker runs, ended by the hub if the worker dies first: the seat's own, or a handover's. */
  thread: ControlBlock;
  /** The thread that asked for this one (its forced stops are honoured); undefined for the hub's own. */
  ownerIdent?: number | undefined;
}

/** How long after a job starts on a standby worker its replacement boots, in ms: by then the job runs. */
const kRefillDelayMs = 5;

/**
 * Run the job whose first message is in `seat.port`: wake the standby
 * worker, or create the fresh one. The seat's control block (or the
 * handover's, `spec.thread`) must be marked started.
 * @throws what `new Worker` throws (the seat's ports are closed then).
 */
export function launch(seat: Seat, spec: LaunchSpec): SpawnedWorker {
  const thread = spec.thread;
  seat.attribution.ident = thread.ident;
  // The deadline first: one already due is set before the worker runs.
  const cancelDeadline = armDeadline(thread, spec.stopAt);
  let worker = seat.worker;
  // The worker reads its first message once it sees the wake word set; the
  // message was posted before this store, so it is there when it looks.
  Atomics.store(seat.wake, 0, 1);
  if (worker !== undefined) {
    Atomics.notify(seat.wake, 0);
    // Boot the replacement a little later (or once this job ends, if
    // sooner): booting it now would compete with the start just made fast.
    void waitAsyncFor(thread.i32, kState, ThreadState.started, kRefillDelayMs, false).then(() => standby.refill());
  } else {
    try {
      worker = createWorker(bootFor(seat, seat.workerPort!, false), [seat.workerPort!], {
        name: spec.name,
        resourceLimits: spec.resourceLimits,
        attribution: seat.attribution,
      });
    } catch (error) {
      cancelDeadline();
      seat.port.close();
      seat.workerPort?.close();
      throw error;
    }
    standby.refill();
  }
  return track(worker, thread, spec.daemon, cancelDeadline, spec.ownerIdent);
}

/** Options every skein worker is created with, besides its boot. */
interface CreateOptions {
  name: string;
  resourceLimits?: ResourceLimits | undefined;
  /** The ident its requests are attributed to: the thread it runs, once launched. */
  attribution: { ident: number };
}

/**
 * Create a skein worker on the calling thread: the shared entry file, the
 * process's environment (shared, as threads share it in Python), argv and
 * execArgv (minus tsx). Its requests to start or force-stop a thread are
 * served here or passed on (see relay.ts).
 */
function createWorker(boot: WorkerBoot, transferList: MessagePort[], options: CreateOptions): Worker {
  const worker = newWorker(workerEntry(), {
    workerData: { skein: boot },
    transferList,
    env: SHARE_ENV,
    argv: process.argv.slice(2),
    name: options.name,
    ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
  });
  relayRequests(worker, options.attribution);
  return worker;
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

interface Tracked {
  spawned: SpawnedWorker;
  /** The ident of the thread that started this one; undefined for the hub's own. */
  ownerIdent: number | undefined;
}

/** Every worker launched here and not yet seen exit, by the ident of its thread. */
const trackedByIdent = new Map<number, Tracked>();

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
  let terminated = false;
  const exited = new Promise<WorkerExit>((resolve) => {
    worker.on('exit', (code) => {
      trackedByIdent.delete(ident);
      cancelDeadline();
      // The runtime ends its thread itself before it exits; a worker that
      // exits with its thread still running died from outside or crashed.
      if (control.state !== ThreadState.ended) {
        const oom = (lastError as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
        control.end(terminated ? EndReason.terminated : oom ? EndReason.outOfMemory : EndReason.crashed, code);
      }
      resolve({ code, error: lastError, terminated });
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
      terminated = true;
      void worker.terminate();
    },
  };
  trackedByIdent.set(ident, { spawned, ownerIdent });
  return spawned;
}

/**
 * @internal Terminate the worker of the thread `ident` (a forced stop), if
 * it was launched here and has not exited; it ends with reason
 * `terminated`. With `ownerIdent`, only if that thread started it.
 */
export function terminateLaunched(ident: number, ownerIdent?: number): void {
  const tracked = trackedByIdent.get(ident);
  if (tracked === undefined) return;
  if (ownerIdent !== undefined && tracked.ownerIdent !== ownerIdent) return;
  tracked.spawned.terminate();
}
