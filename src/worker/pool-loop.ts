/**
 * A worker that serves a pool: CPython's `_worker` loop. It takes the next
 * task from the pool's task queue — one queue in shared memory, shared by
 * every worker of the pool, so tasks start in submission order — runs it as
 * a job (src/worker/job.ts), reports its outcome, and takes the next, until
 * the pool closes the queue. A task's outcome is reported before the next
 * task is taken, so a result, once computed, is never lost with its worker.
 */
import type { MessagePort } from 'node:worker_threads';
import { messageArrival, receiveMessageOnPort, watchPort } from '../host.js';
import { exitError, RuntimeError } from '../errors.js';
import { CLOSED, readItem, TIMED_OUT, takeRecord, tryTakeRecord } from '../relay/items.js';
import type { Event } from '../sync/event.js';
import { RecordQueue, Status, kOwnerWords } from '../sync/record-queue.js';
import { WireReader } from '../wire/reader.js';
import { WireWriter } from '../wire/writer.js';
import { type ControlBlock, EndReason } from '../thread/control-block.js';
import { claimStart, isStopRequested, stopEventOf } from '../thread/job-slot.js';
import {
  type BrokenReport,
  kDoomed,
  kIdleWorkersWord,
  kReporting,
  kResultRecordBytes,
  kSlotsPerSlab,
  kTakenWord,
  Mailbox,
  type Outcome,
  outcomeStatuses,
  type PoolAssignment,
  type PoolCommand,
  ResultHeader,
  type TargetDescriptor,
  TaskHeader,
} from '../thread/protocol.js';
import { realm } from '../thread/realm.js';
import { adoptThread, Thread } from '../thread/thread.js';
import { type SerializedError, serializeError } from '../thread/error-codec.js';
import { decodeValue, prepareDecode } from '../thread/transfer.js';
import { sharedNow } from '../sync/timeout.js';
import { failure, isThenable, type Job, postOutcome, runJob, transfersBuffers } from './job.js';
import { loadTarget } from './load-target.js';
import { exitWorker } from './process.js';

/**
 * How long an idle worker spins on the task queue before it sleeps, when
 * spinning pays: after a sleep that a task ended within this window (tasks
 * are coming one after another), or while the pool waits synchronously for
 * each result (its brief wait). A futex wake costs 25–135 µs here.
 */
const kSpinMs = 0.1;

/** What the worker knows of its pool, and the task it runs now. */
class PoolWorkerState {
  readonly tasks: RecordQueue;
  /** Where outcomes go without a message (see ResultHeader in protocol.ts). */
  readonly results: RecordQueue;
  /** Writes result records; reused, as the bytes are copied into the queue. */
  readonly writer = new WireWriter(256);
  readonly mailbox: Int32Array;
  readonly functions = new Map<
    number,
    { fn: Function | Promise<Function> | undefined; descriptor: TargetDescriptor }
  >();
  readonly slabViews: Int32Array[] = [];
  readonly slabs: SharedArrayBuffer[] = [];
  /** The task running now, and its stop request once asked for. */
  current: { id: number; slot: number; stop: Event | undefined } | undefined;
  /** Tasks this worker has started (those found cancelled are not counted). */
  started = 0;

  constructor(
    readonly assignment: PoolAssignment,
    readonly port: MessagePort,
  ) {
    watchPort(port);
    this.tasks = RecordQueue.attach(assignment.tasks);
    this.results = RecordQueue.attach(assignment.results);
    this.mailbox = new Int32Array(assignment.mailbox);
    for (const [id, descriptor] of assignment.functions.entries()) this.#learn({ type: 'function', id, descriptor });
    for (const [index, buffer] of assignment.slabs.entries()) this.#learn({ type: 'slab', index, buffer });
  }

  /** Take in what the pool has sent since: functions and slabs queued tasks use. */
  catchUp(): void {
    for (
      let message = receiveMessageOnPort(this.port);
      message !== undefined;
      message = receiveMessageOnPort(this.port)
    )
      this.#learn(message.message as PoolCommand);
  }

  #learn(command: PoolCommand): void {
    if (command.type === 'function') this.functions.set(command.id, { fn: undefined, descriptor: command.descriptor });
    else if (command.type === 'slab') {
      this.slabs[command.index] = command.buffer;
      this.slabViews[command.index] = new Int32Array(command.buffer);
    }
  }

  /**
   * Undefined if task function `fnId` and the slab of job slot `slot` are
   * known here, or have arrived (always, on Node: what the pool sent before
   * the task is in the port); else, in a browser, whose event loop takes
   * messages in only between tasks, a promise that resolves once more has.
   */
  arrival(fnId: number, slot: number): Promise<void> | undefined {
    if (this.#knows(fnId, slot)) return undefined;
    this.catchUp();
    if (this.#knows(fnId, slot)) return undefined;
    return messageArrival(this.port)?.then(() => this.catchUp());
  }

  #knows(fnId: number, slot: number): boolean {
    return this.functions.has(fnId) && this.slabViews[Math.floor(slot / kSlotsPerSlab)] !== undefined;
  }

  /** The slab of job slot `slot`, catching up if it is new. */
  slabOf(slot: number): Int32Array {
    const index = Math.floor(slot / kSlotsPerSlab);
    if (this.slabViews[index] === undefined) this.catchUp();
    const view = this.slabViews[index];
    if (view === undefined) throw new Error(`pool worker ${this.assignment.name} was sent a task before its job slot`);
    return view;
  }

  /** Task function `id`, loaded (at once, or a promise the first time a module is imported). */
  functionOf(id: number): Function | Promise<Function> {
    if (!this.functions.has(id)) this.catchUp();
    const known = this.functions.get(id);
    if (known === undefined)
      throw new Error(`pool worker ${this.assignment.name} was sent task function ${id} before its source`);
    if (known.fn === undefined) {
      const loaded = loadTarget(known.descriptor);
      known.fn = loaded;
      if (isThenable(loaded))
        void loaded.then(
          (fn) => (known.fn = fn),
          () => (known.fn = undefined),
        );
    }
    return known.fn;
  }

  /** The inline source of task function `id`, to explain a missing free variable. */
  sourceOf(id: number): string | undefined {
    const descriptor = this.functions.get(id)?.descriptor;
    return descriptor?.kind === 'inline' ? descriptor.source : undefined;
  }
}

/**
 * Serve the pool of `assignment`: run its initializer, then take and run
 * its tasks until the pool closes its task queue. The worker waits for a
 * task on the queue's shared memory (spinning first while tasks come back
 * to back), so a task reaches an idle worker without a message or a trip
 * through its event loop; an async task is awaited, which lets the event
 * loop run.
 */
export async function runPoolWorker(
  assignment: PoolAssignment,
  control: ControlBlock,
  port: MessagePort,
): Promise<void> {
  // Loaded now, not on demand: a task's arguments are decoded as the task is
  // taken from the queue, synchronously, and may hold a queue.
  await import('../sync/queue.js');
  const state = new PoolWorkerState(assignment, port);
  realm.current = adoptThread(Thread, { name: assignment.name, ident: control.ident, daemon: true, control });
  control.markRunning();
  realm.jobStop = () => {
    const current = state.current;
    if (current === undefined) return undefined;
    const { slot } = current;
    return (current.stop ??= stopEventOf(state.slabs[Math.floor(slot / kSlotsPerSlab)]!, slot % kSlotsPerSlab));
  };
  if (assignment.initializer !== undefined && !(await initialize(assignment, port))) {
    control.end(EndReason.returned);
    exitWorker(0);
    return;
  }
  const idle = state.tasks.i32;
  const idleWord = kOwnerWords + kIdleWorkersWord;
  let spinning = false;
  // maxTasksPerWorker: having run that many, the worker exits and the pool replaces it.
  while (state.started < assignment.maxTasks) {
    // Counted idle while it waits: the pool starts a worker only for tasks no idle worker will take.
    Atomics.add(idle, idleWord, 1);
    const waitedFrom = performance.now();
    const spin = spinning || Atomics.load(state.mailbox, Mailbox.eager) !== 0 ? kSpinMs : 0;
    let record = takeRecord(state.tasks, assignment.idleTimeout, spin);
    Atomics.sub(idle, idleWord, 1);
    // idleTimeout passed with no task: exit, unless one came as the worker
    // stopped counting itself idle (the pool, counting it idle, started no
    // worker for it). One put after this is the pool's to place: it starts
    // a worker for tasks waiting when this one exits.
    if (record === TIMED_OUT) record = tryTakeRecord(state.tasks);
    if (record === CLOSED || record === TIMED_OUT) break;
    spinning = performance.now() - waitedFrom < kSpinMs * 2;
    const pending = runTask(state, record);
    if (pending !== undefined) await pending;
  }
  control.end(EndReason.returned);
  exitWorker(0);
}

/**
 * Run the pool's initializer, as a job (src/worker/job.ts): what it throws,
 * or a `process.exit()` in it, is captured as a task's would be — and
 * breaks the pool. Resolves false (the pool told it is broken) if it failed.
 */
async function initialize(assignment: PoolAssignment, port: MessagePort): Promise<boolean> {
  const subject = 'the initializer';
  let succeeded = false;
  const broken = (error: SerializedError): void => {
    port.postMessage({ type: 'broken', error } satisfies BrokenReport);
  };
  const job: Job = {
    id: 0,
    key: 0,
    get sources() {
      const initializer = assignment.initializer;
      return initializer?.kind === 'inline' ? [initializer.source] : [];
    },
    label: subject,
    unsendable: `the result of ${subject} cannot be read`,
    settle: (outcome) => {
      if (outcome.status === 'ok') succeeded = true;
      else if (outcome.status === 'error') broken(outcome.value as SerializedError);
      else broken(serializeError(new RuntimeError(`${subject} was stopped, so the pool cannot run tasks`)));
    },
    exited: (code) => {
      // The worker is exiting: the pool is broken, as by an initializer that throws.
      broken(serializeError(exitError(subject, 'exit', code)));
    },
  };
  const pending = runJob(job, async () => {
    const init = await loadTarget(assignment.initializer!);
    await prepareDecode(assignment.initargs, assignment.initHasEvents);
    // What it returns is not kept (as in Python): not read, so not a failure either.
    await init(...decodeValue(assignment.initargs, assignment.initHasEvents));
  });
  if (pending !== undefined) await pending;
  return succeeded;
}

/** Reads the raw headers of task records (the arguments go through the relay's reader: see readItem). */
const headerReader = new WireReader();

/**
 * Run one task. Returns undefined when it completed synchronously — the
 * common case, which costs no trip through the microtask queue — or a
 * promise when it has to be awaited.
 */
function runTask(state: PoolWorkerState, record: Uint8Array): Promise<void> | undefined {
  // The header first: reading the arguments may withdraw them from the relay, which takes other queues' buffers.
  const id = headerReader.f64(record, TaskHeader.id);
  const fnId = headerReader.u32(record, TaskHeader.fn);
  const slot = headerReader.u32(record, TaskHeader.slot);
  const key = headerReader.u32(record, TaskHeader.key);
  const args = readItem(record, TaskHeader.bytes);
  // In a browser, arguments kept by the pool's thread come as a promise (src/relay/relay.browser.ts).
  if (isThenable(args))
    return Promise.resolve(args).then((arrived) => startTask(state, id, fnId, slot, key, arrived as unknown[]));
  return startTask(state, id, fnId, slot, key, args as unknown[]);
}

/** {@link runTask}, its record read. */
function startTask(
  state: PoolWorkerState,
  id: number,
  fnId: number,
  slot: number,
  key: number,
  args: unknown[],
): Promise<void> | undefined {
  const arriving = state.arrival(fnId, slot);
  if (arriving !== undefined) return arriving.then(() => startTask(state, id, fnId, slot, key, args));
  const { mailbox, assignment } = state;
  state.current = { id, slot, stop: undefined };
  Atomics.store(mailbox, Mailbox.running, id);
  // Cancelled, or asked to stop, before it began: it does not run at all.
  const slab = state.slabOf(slot);
  const inSlab = slot % kSlotsPerSlab;
  const started = claimStart(slab, inSlab, assignment.number);
  // Counted taken only once its slot is claimed (or found cancelled): the
  // pool reuses a cancelled task's slot once the count says it was taken,
  // and a claim made after that would land on the next task's slot.
  Atomics.add(state.tasks.i32, kOwnerWords + kTakenWord, 1);
  if (!started) {
    // Cancelled while queued: its future is settled already; nothing to report.
    finish(state);
    return undefined;
  }
  state.started++;
  const task = new PoolTask(state, id, key, fnId, slot);
  if (isStopRequested(slab, inSlab)) {
    task.settle({ type: 'outcome', id, key, status: 'stopped', value: undefined, hasEvents: false });
    return undefined;
  }
  return runJob(task, () => {
    const fn = state.functionOf(fnId);
    return isThenable(fn) ? fn.then((loaded) => loaded(...args)) : fn(...args);
  });
}

/**
 * A task as the job runner sees it. A class, not an object of closures:
 * one allocation a task, and nothing compiled or named per task.
 */
class PoolTask implements Job {
  /** When it started, on the `sharedNow()` clock. */
  readonly startedAt = sharedNow();

  constructor(
    readonly state: PoolWorkerState,
    readonly id: number,
    readonly key: number,
    readonly fnId: number,
    readonly slot: number,
  ) {}

  get sources(): string[] {
    const source = this.state.sourceOf(this.fnId);
    return source === undefined ? [] : [source];
  }

  get label(): string {
    return `a task of ${this.state.assignment.name}`;
  }

  get unsendable(): string {
    return `the result of task ${this.id} cannot be sent back to the pool`;
  }

  settle(outcome: Outcome): void {
    const { state, id } = this;
    outcome.startedAt = this.startedAt;
    outcome.ranFor = sharedNow() - this.startedAt;
    outcome.slot = this.slot;
    // Safe from a forced stop from here on (see kReporting), or doomed to
    // one. Both sequentially consistent: the pool that reads kReporting
    // finds this task's id in `reporting`.
    Atomics.store(state.mailbox, Mailbox.reporting, id);
    if (Atomics.compareExchange(state.mailbox, Mailbox.running, id, kReporting) === kDoomed) awaitTermination(state);
    report(state, this, outcome);
    finish(state, kReporting);
  }

  exited(code: number): void {
    // The worker is exiting: say so for the task's future.
    const outcome: Outcome = failure(this, exitError('the task', 'exit', code, { replaced: true }));
    outcome.slot = this.slot;
    this.state.port.postMessage(outcome);
  }
}

/**
 * Report a task's outcome: into the results queue when the wire format
 * holds it (no message; the pool drains the queue in batches), else as a
 * message. Reported before the task counts as ended (see finish()): were
 * the worker to die after that, the pool would read the task as never
 * reported.
 */
function report(state: PoolWorkerState, job: Job, outcome: Outcome): void {
  if (!outcome.hasEvents && !transfersBuffers(outcome)) {
    const { writer, results } = state;
    writer.reset();
    let written = false;
    try {
      // The header (ResultHeader in protocol.ts), then the value.
      writer.f64(outcome.id);
      writer.f64(outcome.startedAt ?? 0);
      writer.f64(outcome.ranFor ?? 0);
      writer.u32(outcome.key);
      writer.u32(outcomeStatuses.indexOf(outcome.status));
      writer.u32(outcome.slot ?? 0);
      written = writer.length === ResultHeader.bytes && writer.write(outcome.value, kResultRecordBytes);
    } catch {
      // A getter that throws: the message path explains it.
    }
    // No room (the pool is far behind): the message path takes it, without waiting.
    if (written && results.putInline(writer.bytes, 0, writer.length) === Status.ok) return;
  }
  postOutcome(state.port, job, outcome);
}

/** The task has ended and been reported: clear it, and stop here if the pool is terminating this worker for it. */
function finish(state: PoolWorkerState, running = state.current?.id ?? 0): void {
  state.current = undefined;
  // The pool claims a running task for a forced stop by swapping its id
  // for kDoomed just before terminating this worker: then start nothing
  // more (the termination must hit no other task) and wait for it.
  if (Atomics.compareExchange(state.mailbox, Mailbox.running, running, 0) === kDoomed) awaitTermination(state);
}

/** The pool is terminating this worker for a forced stop of its task: do nothing more. */
function awaitTermination(state: PoolWorkerState): never {
  for (;;) Atomics.wait(state.mailbox, Mailbox.running, kDoomed);
}
