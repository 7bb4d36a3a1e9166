import { MessageChannel, type MessagePort, type ResourceLimits, type Worker } from 'node:worker_threads';
import { ControlBlock } from '../thread/control-block.js';
import { globalsBuffer, nextIdent } from '../thread/globals.js';
import { createWorker, workerArgv } from '../thread/hub.js';
import { receive } from '../thread/receive.js';
import type { TargetDescriptor } from '../thread/protocol.js';
import {
  kDoomed,
  kEager,
  kMailboxSize,
  kParked,
  kRunning,
  kWork,
  type PoolBoot,
  type PoolCommand,
  type PoolReport,
} from './protocol.js';
import { checkPoolReport } from './report-check.js';

/** How a pool worker is made. */
export interface PoolWorkerSpec<Task> {
  name: string;
  resourceLimits: ResourceLimits | undefined;
  initializer: TargetDescriptor | undefined;
  initargs: unknown[];
  initHasEvents: boolean;
  /** Every message the worker reports. */
  onReport(worker: PoolWorker<Task>, report: PoolReport): void;
  /** The worker has exited; its port has been drained through onReport first. */
  onExit(worker: PoolWorker<Task>, code: number, error: unknown): void;
}

/**
 * The pool's handle on one of its workers: the worker, its port, its
 * mailbox, and the tasks dispatched to it that it has not yet reported.
 */
export class PoolWorker<Task = unknown> {
  readonly name: string;
  readonly worker: Worker;
  readonly #port: MessagePort;
  #deliver: (message: unknown) => void = () => {};
  readonly #mailbox: Int32Array;
  /** Tasks sent to this worker and not reported yet, in the order sent (which is the order it runs them). */
  readonly inflight = new Map<number, Task>();
  /**
   * The slots of tasks taken back from this worker before it started them
   * (see `StopSlots.move`): the worker still holds them in its batch and
   * reports each as skipped when it gets there, and only then may the slot
   * be reused. By slot, not task id: a task may come back to this worker
   * (with a new slot) before the worker has skipped its old copy.
   */
  readonly moved = new Set<number>();
  /** Functions this worker has been sent (by number). */
  readonly knownFunctions = new Set<number>();
  /** How many stop-slot slabs this worker has been sent. */
  knownSlabs = 0;
  /** A close was sent: the worker exits once its queue is done. */
  closing = false;
  /** The task whose forced stop terminated this worker, if any. */
  forcedTask: number | undefined;
  #exited = false;
  #lastError: unknown;
  #referenced = true;
  readonly exited: Promise<void>;

  constructor(spec: PoolWorkerSpec<Task>) {
    this.name = spec.name;
    const mailbox = new SharedArrayBuffer(kMailboxSize);
    this.#mailbox = new Int32Array(mailbox);
    const control = ControlBlock.create();
    const ident = nextIdent();
    control.markStarted(ident);
    const { port1, port2 } = new MessageChannel();
    this.#port = port2;
    const boot: PoolBoot = {
      kind: 'pool',
      name: spec.name,
      control: control.buffer,
      globals: globalsBuffer,
      mailbox,
      port: port1,
      loaderHints: workerArgv.loaderHints,
      initializer: spec.initializer,
      initargs: spec.initargs,
      initHasEvents: spec.initHasEvents,
    };
    this.worker = createWorker({ skein: boot }, [port1], {
      name: spec.name,
      resourceLimits: spec.resourceLimits,
      ident,
    });
    // Only reports reach the pool (a task can post anything here); a
    // malformed one on a task arrives as an error report on it.
    const deliver = (message: unknown): void => {
      const report = checkPoolReport(message);
      if (report !== undefined) spec.onReport(this, report);
    };
    this.#deliver = deliver;
    this.#port.on('message', (message: unknown) => {
      deliver(message);
      // Take the rest of what has arrived synchronously: cheaper than an
      // event per message when results stream in.
      while (this.poll());
    });
    this.worker.on('error', (error) => {
      this.#lastError = error;
    });
    this.exited = new Promise((resolve) => {
      this.worker.on('exit', (code) => {
        this.#exited = true;
        // Results posted just before the worker died may still be queued:
        // take them first, so no finished task is counted as lost.
        while (this.poll());
        this.#port.close();
        spec.onExit(this, code, this.#lastError);
        resolve();
      });
    });
  }

  /**
   * Take one message from the worker's port now, if one has arrived, and
   * deliver it; for a caller that cannot wait for the event loop.
   * @returns whether there was one.
   */
  poll(): boolean {
    const received = receive(this.#port);
    if (received === undefined) return false;
    // A message V8 cannot read names no task: it is dropped, the rest still arrive.
    if ('message' in received) this.#deliver(received.message);
    return true;
  }

  /** Ask the worker to spin, not park, between tasks (the pool is waiting for each result synchronously). */
  setEager(eager: boolean): void {
    Atomics.store(this.#mailbox, kEager, eager ? 1 : 0);
  }

  /** Whether the worker has exited. */
  get hasExited(): boolean {
    return this.#exited;
  }

  /** The id of the task the worker is running now, 0 if none. */
  get runningTask(): number {
    return Atomics.load(this.#mailbox, kRunning);
  }

  /** Post a command and wake the worker if it is parked. Throws DataCloneError as postMessage does. */
  send(command: PoolCommand): void {
    this.#port.postMessage(command);
    // After the post: a worker that read kWork before draining sees it change.
    Atomics.add(this.#mailbox, kWork, 1);
    // Waking a parked thread is costly on a VM; a busy or spinning worker
    // sees the new count by itself. The worker raises kParked before it
    // waits on kWork, and we bump kWork before reading kParked, so either we
    // see it parked and notify, or its wait sees the count has moved.
    if (Atomics.load(this.#mailbox, kParked) !== 0) Atomics.notify(this.#mailbox, kWork);
  }

  /** Send a batch of tasks, laid out as protocol.ts says. */
  run(tasks: unknown[]): void {
    this.send({ type: 'run', tasks });
  }

  /** Ask the worker to finish its queued tasks and exit. */
  close(): void {
    if (this.closing || this.#exited) return;
    this.closing = true;
    this.send({ type: 'close' });
  }

  /** Terminate the worker at once (a forced stop of `taskId`). */
  terminate(taskId?: number): void {
    this.forcedTask = taskId;
    void this.worker.terminate();
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
    if (this.#exited || Atomics.compareExchange(this.#mailbox, kRunning, taskId, kDoomed) !== taskId) return false;
    this.terminate(taskId);
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
