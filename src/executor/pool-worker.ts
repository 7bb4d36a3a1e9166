import type { MessagePort, ResourceLimits, Worker } from 'node:worker_threads';
import { nextIdent } from '../thread/globals.js';
import { launch, takeSeat, type WorkerExit } from '../thread/hub.js';
import { receive } from '../thread/receive.js';
import { kPoolResultsId } from '../sync/layout.js';
import { Order, RecordQueue, Status } from '../sync/record-queue.js';
import { WireReader } from '../wire/reader.js';
import {
  checkOutcome,
  isBrokenReport,
  kDoomed,
  kReporting,
  kResultBytes,
  Mailbox,
  type BrokenReport,
  type Outcome,
  type PoolAssignment,
  type PoolCommand,
  outcomeStatuses,
  type Refusal,
  ResultHeader,
} from '../thread/protocol.js';

/** Reads result records on this thread (one reader serves every pool: it is done with each record before the next). */
const resultReader = new WireReader();

/** Numbers {@link readResult} reads from a result's header: id, key, status, start and run time, job slot. */
const kHeadFields = 6;

/**
 * Read the result record at `start` of `bytes` (see ResultHeader in
 * protocol.ts): its id, key, status (an index in outcomeStatuses, or -1 if
 * its value cannot be read), start and run time and job slot go into `heads` from `at`;
 * returns its value. Raw numbers into one array per drain: no object per
 * result on the pool's thread, which reads them all.
 */
function readResult(bytes: Uint8Array, start: number, heads: Float64Array, at: number): unknown {
  heads[at] = resultReader.f64(bytes, start + ResultHeader.id);
  heads[at + 1] = resultReader.u32(bytes, start + ResultHeader.key);
  heads[at + 2] = resultReader.u32(bytes, start + ResultHeader.status);
  heads[at + 3] = resultReader.f64(bytes, start + ResultHeader.startedAt);
  heads[at + 4] = resultReader.f64(bytes, start + ResultHeader.ranFor);
  heads[at + 5] = resultReader.u32(bytes, start + ResultHeader.slot);
  try {
    return resultReader.read(bytes, start + ResultHeader.bytes);
  } catch {
    heads[at + 2] = -1;
    return undefined;
  }
}

/** What a worker sent as an outcome that does not check out: the task it names, and why it was refused. */
export interface RefusedOutcome {
  id: number;
  key: number;
  slot: number | undefined;
  refusal: Refusal;
}

/** How a pool worker is made, and where what it reports goes. */
export interface PoolWorkerSpec {
  /** The worker's name, its number in the pool, and everything else its assignment carries. */
  assignment: Omit<PoolAssignment, 'type' | 'mailbox' | 'results'>;
  resourceLimits: ResourceLimits | undefined;
  /** An outcome the worker reported, or why what it sent as one (for task `id`, with `key`, in job slot `slot`) was refused. */
  onOutcome(worker: PoolWorker, outcome: Outcome | RefusedOutcome): void;
  /**
   * A task's result, read from the worker's results queue: {@link PoolWorkerSpec.onOutcome}'s
   * common case (status `ok`, nothing to revive in the value), without an outcome object.
   */
  onResult(
    worker: PoolWorker,
    id: number,
    key: number,
    slot: number,
    value: unknown,
    startedAt: number,
    ranFor: number,
  ): void;
  /** The worker's initializer failed. */
  onBroken(worker: PoolWorker, report: BrokenReport): void;
  /** The worker has exited; its port has been drained through the callbacks first. */
  onExit(worker: PoolWorker, exit: WorkerExit): void;
}

/**
 * The pool's handle on one of its workers: the worker, its port (what the
 * worker reports comes here; what its tasks need that came after its
 * assignment goes there), and its mailbox (the task it runs now).
 */
export class PoolWorker {
  readonly name: string;
  /** Its number in the pool: what it claims a task's job slot with. */
  readonly number: number;
  readonly worker: Worker;
  readonly exited: Promise<WorkerExit>;
  /** The task whose forced stop terminated this worker, if any. */
  forcedTask: number | undefined;
  readonly #port: MessagePort;
  readonly #mailbox: Int32Array;
  /** The worker's outcomes that fit in shared memory (see ResultHeader in protocol.ts). */
  readonly #results: RecordQueue;
  readonly #deliver: (message: unknown) => void;
  readonly #onResult: PoolWorkerSpec['onResult'];
  readonly #onOutcome: PoolWorkerSpec['onOutcome'];
  readonly #terminate: () => void;
  #exited = false;
  #referenced = true;

  constructor(spec: PoolWorkerSpec) {
    this.name = spec.assignment.name;
    this.number = spec.assignment.number;
    const mailbox = new SharedArrayBuffer(Mailbox.bytes);
    this.#mailbox = new Int32Array(mailbox);
    this.#results = RecordQueue.create({
      tag: kPoolResultsId,
      order: Order.fifo,
      capacity: 0,
      dataBytes: 16 * 1024,
      // Grown as outcomes pile up; the worker never spills past it (putInline).
      maxDataBytes: kResultBytes,
    });
    const seat = takeSeat(spec.resourceLimits);
    seat.control.markStarted(nextIdent());
    seat.port.postMessage({
      type: 'pool',
      ...spec.assignment,
      mailbox,
      results: this.#results.buffer,
    } satisfies PoolAssignment);
    this.#port = seat.port;
    // Ref'd while the pool has work (see setReferenced), as the port is.
    const spawned = launch(seat, {
      name: this.name,
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
    this.#onResult = spec.onResult;
    this.#onOutcome = spec.onOutcome;
    this.#deliver = (message) => {
      if (isBrokenReport(message)) spec.onBroken(this, message);
      else {
        const refusal = checkOutcome(message);
        if (refusal === undefined) spec.onOutcome(this, message as Outcome);
        else if (refusal !== 'not an outcome') {
          const { id, key, slot } = message as Outcome;
          spec.onOutcome(this, { id, key, slot, refusal });
        }
      }
    };
    const onMessage = (message: unknown): void => {
      this.#deliver(message);
      // Take the rest of what has arrived synchronously: cheaper than an
      // event per message when results stream in.
      while (this.poll());
    };
    // A port that came in a message (a worker given back after a clean
    // thread brings its next one) is a web MessagePort on Deno, without `on`.
    if (typeof this.#port.on === 'function') this.#port.on('message', onMessage);
    else {
      (this.#port as unknown as EventTarget).addEventListener('message', (event) =>
        onMessage((event as MessageEvent).data),
      );
      this.#port.start();
    }
    this.#watchResults();
    this.exited = spawned.exited.then((exit) => {
      this.#exited = true;
      // A worker terminated in the middle of reporting (a forced stop)
      // holds the results queue's lock for ever: nobody else uses it now.
      this.#results.reclaimLock();
      // Outcomes reported just before the worker died may still be queued:
      // take them first, so no finished task is counted as lost.
      while (this.poll());
      // Ends the wait for more (see #watchResults).
      this.#results.close();
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
    if (this.#drainResults()) return true;
    const received = receive(this.#port);
    if (received === undefined) return false;
    // A message V8 cannot read names no task: it is dropped, the rest still arrive.
    if ('message' in received) this.#deliver(received.message);
    return true;
  }

  /** Deliver every outcome in the results queue now; whether there was one. */
  #drainResults(): boolean {
    const drained = this.#results.drain();
    if (typeof drained === 'number') return false;
    const { bytes, starts } = drained;
    // Every record read before any is delivered: delivering runs done
    // callbacks, whose own queue work may reuse this thread's buffer.
    const n = starts.length;
    const heads = new Float64Array(n * kHeadFields);
    const values = new Array<unknown>(n);
    for (let i = 0; i < n; i++) values[i] = readResult(bytes, starts[i]!, heads, i * kHeadFields);
    for (let i = 0; i < n; i++) this.#deliverResult(heads, i * kHeadFields, values[i]);
    return true;
  }

  /** Deliver a result read by {@link readResult}: the common case at once, any other as an outcome, checked. */
  #deliverResult(heads: Float64Array, at: number, value: unknown): void {
    const id = heads[at]!;
    const key = heads[at + 1]!;
    const status = outcomeStatuses[heads[at + 2]!];
    const slot = heads[at + 5]!;
    if (status === 'ok') this.#onResult(this, id, key, slot, value, heads[at + 3]!, heads[at + 4]!);
    else if (status === undefined)
      this.#onOutcome(this, { id, key, slot, refusal: 'its result record cannot be read' });
    else
      this.#deliver({
        type: 'outcome',
        id,
        key,
        status,
        value,
        hasEvents: false,
        startedAt: heads[at + 3],
        ranFor: heads[at + 4],
        slot,
      } satisfies Outcome);
  }

  /**
   * Deliver outcomes as they come into the results queue: wait (without
   * blocking the event loop) for one, then take it and every other there —
   * one wake-up of the event loop for a whole stream of outcomes.
   */
  #watchResults(): void {
    // Not keeping the process alive: the worker does, while the pool has work.
    void this.#results.takeAsync(Infinity, false).then(([status]) => {
      if (status === Status.closed) return;
      if (status === Status.ok) {
        const heads = new Float64Array(kHeadFields);
        const value = readResult(this.#results.taken, 0, heads, 0);
        this.#deliverResult(heads, 0, value);
      }
      this.#drainResults();
      this.#watchResults();
    });
  }

  /** Send what queued tasks will need (a function, a slab); the worker reads it when it meets such a task. */
  send(command: PoolCommand): void {
    this.#port.postMessage(command);
  }

  /** Ask the worker to spin, not sleep, between tasks (the pool is waiting for each result synchronously). */
  setEager(eager: boolean): void {
    Atomics.store(this.#mailbox, Mailbox.eager, eager ? 1 : 0);
  }

  /** The id of the task the worker runs now (or has just taken), 0 if none. */
  get runningTask(): number {
    const running = Atomics.load(this.#mailbox, Mailbox.running);
    // Reporting its outcome: still the worker's task until it is reported.
    if (running === kReporting) return Atomics.load(this.#mailbox, Mailbox.reporting);
    return Math.max(running, 0);
  }

  /** Whether the worker has exited. */
  get hasExited(): boolean {
    return this.#exited;
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
    // (A browser's ports keep nothing alive: they have no ref().)
    if (referenced) {
      this.worker.ref();
      this.#port.ref?.();
    } else {
      this.worker.unref();
      this.#port.unref?.();
    }
  }
}
