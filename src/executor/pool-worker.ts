import { receiveMessageOnPort, type MessagePort, type ResourceLimits, type Worker } from 'node:worker_threads';
import { nextIdent } from '../thread/globals.js';
import { launch, takeSeat, type WorkerExit } from '../thread/hub.js';
import {
  checkOutcome,
  isBrokenReport,
  kDoomed,
  Mailbox,
  type BrokenReport,
  type Outcome,
  type PoolAssignment,
  type PoolCommand,
  type Refusal,
  type TargetDescriptor,
} from '../thread/protocol.js';

/** How a pool worker is made, and where what it reports goes. */
export interface PoolWorkerSpec<Task> {
  name: string;
  resourceLimits: ResourceLimits | undefined;
  initializer: TargetDescriptor | undefined;
  initargs: unknown[];
  initHasEvents: boolean;
  /** The outcome of the worker's task, or why what it sent as one was refused. */
  onOutcome(worker: PoolWorker<Task>, outcome: Outcome | Refusal): void;
  /** The worker's initializer failed. */
  onBroken(worker: PoolWorker<Task>, report: BrokenReport): void;
  /** The worker has exited; its port has been drained through the callbacks first. */
  onExit(worker: PoolWorker<Task>, exit: WorkerExit): void;
}

/**
 * The pool's handle on one of its workers: the worker, its port, its
 * mailbox, and the task it runs now (a worker has at most one).
 */
export class PoolWorker<Task = unknown> {
  readonly name: string;
  readonly worker: Worker;
  readonly exited: Promise<WorkerExit>;
  /** The task sent to this worker and not reported yet. */
  task: Task | undefined;
  /** Its id, as reports carry it. */
  taskId = 0;
  /** Functions this worker has been sent (by number). */
  readonly knownFunctions = new Set<number>();
  /** How many job-slot slabs this worker has been sent. */
  knownSlabs = 0;
  /** A close was sent: the worker exits once its task is done. */
  closing = false;
  /** The task whose forced stop terminated this worker, if any. */
  forcedTask: number | undefined;
  readonly #port: MessagePort;
  readonly #mailbox: Int32Array;
  readonly #deliver: (message: unknown) => void;
  readonly #terminate: () => void;
  #exited = false;
  #referenced = true;

  constructor(spec: PoolWorkerSpec<Task>) {
    this.name = spec.name;
    const mailbox = new SharedArrayBuffer(Mailbox.bytes);
    this.#mailbox = new Int32Array(mailbox);
    const seat = takeSeat(spec.resourceLimits);
    seat.control.markStarted(nextIdent());
    seat.port.postMessage({
      type: 'pool',
      name: spec.name,
      initializer: spec.initializer,
      initargs: spec.initargs,
      initHasEvents: spec.initHasEvents,
      mailbox,
    } satisfies PoolAssignment);
    this.#port = seat.port;
    // Ref'd while the pool has work (see setReferenced), as the port is.
    const spawned = launch(seat, {
      name: spec.name,
      daemon: false,
      stopAt: Infinity,
      resourceLimits: spec.resourceLimits,
      thread: seat.control,
    });
    this.worker = spawned.worker;
    this.#terminate = () => spawned.terminate();
    // Code in a task can post anything on this port: only outcomes and
    // broken reports are believed, and an outcome that does not check out
    // is passed on as the reason it was refused.
    this.#deliver = (message) => {
      if (isBrokenReport(message)) spec.onBroken(this, message);
      else {
        const refusal = checkOutcome(message);
        if (refusal === undefined) spec.onOutcome(this, message as Outcome);
        else if (refusal !== 'not an outcome') spec.onOutcome(this, refusal);
      }
    };
    this.#port.on('message', (message: unknown) => {
      this.#deliver(message);
      // Take the rest of what has arrived synchronously: cheaper than an
      // event per message when results stream in.
      for (let next = receiveMessageOnPort(this.#port); next !== undefined; next = receiveMessageOnPort(this.#port))
        this.#deliver(next.message);
    });
    this.exited = spawned.exited.then((exit) => {
      this.#exited = true;
      // Outcomes posted just before the worker died may still be queued:
      // take them first, so no finished task is counted as lost.
      for (let next = receiveMessageOnPort(this.#port); next !== undefined; next = receiveMessageOnPort(this.#port))
        this.#deliver(next.message);
      this.#port.close();
      spec.onExit(this, exit);
      return exit;
    });
  }

  /**
   * Take one message from the worker's port now, if one has arrived, and
   * deliver it; for a caller that cannot wait for the event loop.
   * @returns whether there was one.
   */
  poll(): boolean {
    const message = receiveMessageOnPort(this.#port);
    if (message === undefined) return false;
    this.#deliver(message.message);
    return true;
  }

  /** Ask the worker to spin, not park, between tasks (the pool is waiting for each result synchronously). */
  setEager(eager: boolean): void {
    Atomics.store(this.#mailbox, Mailbox.eager, eager ? 1 : 0);
  }

  /** Whether the worker has exited. */
  get hasExited(): boolean {
    return this.#exited;
  }

  /** Post a command and wake the worker if it is parked. Throws DataCloneError as postMessage does. */
  send(command: PoolCommand): void {
    this.#port.postMessage(command);
    // After the post: a worker that read `work` before draining sees it change.
    Atomics.add(this.#mailbox, Mailbox.work, 1);
    // Waking a parked thread is costly on a VM; a busy or spinning worker
    // sees the new count by itself. The worker raises `parked` before it
    // waits on `work`, and we bump `work` before reading `parked`, so either
    // we see it parked and notify, or its wait sees the count has moved.
    if (Atomics.load(this.#mailbox, Mailbox.parked) !== 0) Atomics.notify(this.#mailbox, Mailbox.work);
  }

  /** Ask the worker to finish its task and exit. */
  close(): void {
    if (this.closing || this.#exited) return;
    this.closing = true;
    this.send({ type: 'close' });
  }

  /**
   * Terminate the worker for a forced stop of `taskId` if, and only if, that
   * task is still running on it; false (and nothing done) if the task has
   * ended or not started. Reading the running task and then terminating
   * would race with the worker moving on to its next task, which the
   * termination would then kill instead: claiming the task with a
   * compare-and-swap first makes the worker, whose own swap back to 0
   * fails, wait for the end instead of starting another task.
   */
  terminateRunning(taskId: number): boolean {
    if (this.#exited || Atomics.compareExchange(this.#mailbox, Mailbox.running, taskId, kDoomed) !== taskId)
      return false;
    this.forcedTask = taskId;
    this.#terminate();
    return true;
  }

  /** Keep the process alive for this worker (it has work), or not. */
  setReferenced(referenced: boolean): void {
    if (this.#referenced === referenced || this.#exited) return;
    this.#referenced = referenced;
    if (referenced) {
      this.worker.ref();
      this.#port.ref();
    } else {
      this.worker.unref();
      this.#port.unref();
    }
  }
}
