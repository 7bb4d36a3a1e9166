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
import type { MessagePort, ResourceLimits, Worker } from 'node:worker_threads';
import { isMainThread, MessageChannel } from '../host.js';
import { checkSupported, runtime } from '../platform.js';
import { relayPortForWorker } from '../relay/relay.js';
import { sharedNow, unrefTimeout } from '../sync/timeout.js';
import { ControlBlock, EndReason, ThreadState } from './control-block.js';
import { workerEntry } from './entry-url.js';
import { newWorker, workerArgv } from './exec-argv.js';
import { globalsBuffer } from './globals.js';
import { isReleaseReport, Wake, type WorkerBoot } from './protocol.js';
import { serveRequests } from './requests.js';
import { StandbyWorkers } from './standby.js';

/** How a worker's job ended, as the hub saw it: the worker exited, or was released for another thread. */
export interface WorkerExit {
  /** The exit code Node reported; 0 for a released worker. */
  code: number;
  /** The error Node emitted before the exit, if any (e.g. ERR_WORKER_OUT_OF_MEMORY). */
  error: unknown;
  /** Whether the hub terminated it (a forced stop). */
  terminated: boolean;
  /** Whether the worker did not exit but was released, clean, to serve another thread. */
  released: boolean;
}

/** A worker the hub launched. */
export interface SpawnedWorker {
  readonly worker: Worker;
  /** Resolves once the worker has exited or been released (and its thread is marked ended). */
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
    globals: globalsBuffer(),
    loaderHints: workerArgv.loaderHints,
    control: seat.control.buffer,
    port,
    wake: seat.wake.buffer as SharedArrayBuffer,
    rehearse,
    // Only standby takes workers back (see StandbyWorkers.putBack), and only on the main thread.
    reusable: isMainThread && standby.keepsWorkers,
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

const standby = new StandbyWorkers<Seat>({
  create() {
    const seat = freshSeat();
    const worker = createWorker(bootFor(seat, seat.workerPort!, true), [seat.workerPort!], {
      name: 'skein standby',
      attribution: seat.attribution,
    });
    worker.unref();
    return { ...seat, worker, workerPort: undefined };
  },
  workerOf: (seat) => seat.worker!,
  // Parked on its wake word: it runs a job at once, without waiting out its boot.
  isReady: (seat) => Atomics.load(seat.wake, 0) === Wake.parked,
  // None in a browser (see setStandbyThreads).
  target: runtime === 'browser' ? 0 : 1,
});

/**
 * Keep `count` workers started in advance, so that `thread.start()` runs
 * its target within about a millisecond instead of after a worker boot
 * (~20–40 ms). Default: 1. `0` turns standby off, and with it the giving
 * back of clean workers below: each thread then gets a fresh worker, which
 * exits with it.
 *
 * A standby worker has run nothing but skein itself — or only threads that
 * left it exactly as clean: a thread whose target is inline code that
 * imports nothing, and that leaves no global changed, no built-in patched,
 * no timer, socket, port or process listener behind, gives its worker back
 * for the next thread (the check costs ~1–5 ms after the thread's end,
 * before `join()` resolves). Any other thread's worker exits with it. So
 * threads never share globals, timers or module state — except threads
 * that ask to share modules (`shareModules`): one of theirs that imported a
 * module but is otherwise left as clean is kept too, up to as many as this
 * count, for the next such thread only. While starts come
 * faster than workers boot, more are kept (up to the number of cores), and
 * let go again once starts slow down. Idle standby workers never keep the
 * process alive; each costs the memory of an idle worker (~8 MiB). Threads
 * with `resourceLimits` always get a fresh worker (limits are set when a
 * worker is created). Pools take standby workers too.
 *
 * @throws RangeError if `count` is not an integer ≥ 0.
 * @throws NotSupportedError in a browser for any `count` but 0: a Web Worker
 *   takes its first job as a message, which it reads only once its boot has
 *   returned to its event loop, so starting it ahead gains nothing there.
 * @example
 * ```ts
 * setStandbyThreads(4); // a burst of four threads starts warm
 * ```
 */
export function setStandbyThreads(count: number): void {
  if (count !== 0) checkSupported('setStandbyThreads()');
  standby.setTarget(count);
}

/** @internal Idle standby workers (tests subtract them when counting leaks). */
export function idleStandbyCount(): number {
  return standby.idleCount;
}

/** Workers given back to the standby pool after a clean thread, since the process started. */
let releasedWorkers = 0;

/** @internal How many workers were given back after a clean thread (tests wait for one). */
export function releasedWorkerCount(): number {
  return releasedWorkers;
}

/** @internal Idle standby workers that have booted and parked, ready to run a job at once (the bench waits for one). */
export function readyStandbyCount(): number {
  return standby.readyCount;
}

/** @internal Begin booting standby workers, ahead of a first start(). Standby workers live on the main thread only. */
export function prepareStandby(): void {
  if (isMainThread) standby.refill();
}

/**
 * @internal A seat for a job about to start: an idle standby worker (on the
 * main thread, without `resourceLimits`) — for a thread that
 * `sharesModules`, one that an earlier such thread left first — else a fresh one.
 */
export function takeSeat(resourceLimits?: ResourceLimits, sharesModules = false): Seat {
  return (isMainThread && resourceLimits === undefined ? standby.take({ sharesModules }) : undefined) ?? freshSeat();
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
  /** Whether the thread shares modules: its worker, given back, holds them, for such a thread only. */
  sharesModules?: boolean;
}

/**
 * How long after a job starts on a standby worker its replacement boots, in
 * ms, if the job still runs then. A thread that ends sooner may give its
 * worker back (see src/worker/isolation.ts), and booting a replacement for
 * it would only compete with the start just made fast.
 */
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
  Atomics.store(seat.wake, 0, Wake.woken);
  if (worker !== undefined) {
    Atomics.notify(seat.wake, 0);
    unrefTimeout(kRefillDelayMs, () => {
      if (thread.state !== ThreadState.ended) prepareStandby();
    });
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
    prepareStandby();
  }
  if (spec.sharesModules === true) sharingWorkers.add(worker);
  return track(worker, thread, spec.daemon, cancelDeadline, spec.ownerIdent);
}

/**
 * Workers that have run a thread that shares modules: given back, they are
 * kept for such threads only, whatever their release report says.
 */
const sharingWorkers = new WeakSet<Worker>();

/** Each worker's attribution, kept for the seats it is given again after a release. */
const attributionOf = new WeakMap<Worker, { ident: number }>();

/** Options every skein worker is created with, besides its boot. */
interface CreateOptions {
  name: string;
  resourceLimits?: ResourceLimits | undefined;
  /** The ident its requests are attributed to: the thread it runs, once launched. */
  attribution: { ident: number };
}

/**
 * Create a skein worker on the calling thread, from the shared entry file
 * (see {@link newWorker} for what else it gets). Its requests to start or force-stop a thread are
 * served here or passed on (see requests.ts).
 */
function createWorker(boot: WorkerBoot, transferList: MessagePort[], options: CreateOptions): Worker {
  // Every skein worker gets its own connection to the relay (src/relay/relay.ts).
  const relay = relayPortForWorker();
  const worker = newWorker(workerEntry(), {
    workerData: { skein: boot, relay: relay?.boot },
    transferList: relay === undefined ? transferList : [...transferList, relay.transfer],
    name: options.name,
    ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
  });
  serveRequests(worker, options.attribution);
  attributionOf.set(worker, options.attribution);
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

/**
 * Watch the worker of the thread of `control` until it exits or is released:
 * its ref, its deadline, and how its job ended. A worker released clean
 * (see src/worker/isolation.ts) goes back to standby, on the seat it brings.
 */
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
  let settle!: (exit: WorkerExit) => void;
  const exited = new Promise<WorkerExit>((resolve) => (settle = resolve));
  const onError = (error: unknown): void => {
    lastError = error;
  };
  const stopTracking = (): void => {
    trackedByIdent.delete(ident);
    cancelDeadline();
    worker.off('exit', onExit);
    worker.off('error', onError);
    worker.off('message', onRelease);
  };
  const onExit = (code: number): void => {
    stopTracking();
    // The runtime ends its thread itself before it exits; a worker that
    // exits with its thread still running died from outside or crashed.
    if (control.state !== ThreadState.ended) {
      const oom = (lastError as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      control.end(terminated ? EndReason.terminated : oom ? EndReason.outOfMemory : EndReason.crashed, code);
    }
    settle({ code, error: lastError, terminated, released: false });
    prepareStandby();
  };
  // Believed only once the thread has ended: code in a running thread could post one.
  const onRelease = (message: unknown): void => {
    if (!isReleaseReport(message) || control.state !== ThreadState.ended || terminated) return;
    stopTracking();
    worker.unref();
    settle({ code: 0, error: undefined, terminated: false, released: true });
    // Standby workers live on the main thread only: elsewhere it is let go.
    if (!isMainThread) {
      void worker.terminate();
      return;
    }
    releasedWorkers++;
    standby.putBack(
      {
        control: ControlBlock.fromBuffer(message.control),
        port: message.port,
        wake: new Int32Array(message.wake),
        worker,
        workerPort: undefined,
        attribution: attributionOf.get(worker)!,
      },
      { modules: message.modules || sharingWorkers.has(worker) },
    );
  };
  worker.on('exit', onExit);
  worker.on('error', onError);
  worker.on('message', onRelease);
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
