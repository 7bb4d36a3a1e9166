import { availableParallelism } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import { BrokenThreadPool, describeValue, exitError, exitReasonOf, RuntimeError } from '../errors.js';
import { checkSupported } from '../platform.js';
import { keepingAlive } from '../sync/wait-async.js';
import { nextPoolNumber } from '../thread/globals.js';
import type { WorkerExit } from '../thread/hub.js';
import type { BrokenReport, Outcome, Refusal, TargetDescriptor, TaskMessage } from '../thread/protocol.js';
import { checkStopOptions, registerStoppable, type StopOptions, type StopOutcome } from '../thread/stoppables.js';
import {
  describeFunction,
  describeModuleTarget,
  isModuleTarget,
  type ModuleTarget,
  type TypedModuleTarget,
  type UntypedModuleTarget,
} from '../thread/target.js';
import { decodeValue, deserializeError, encodeArgs, whyUncloneable } from '../thread/transfer.js';
import { Future, type TaskStopper } from './future.js';
import { JobSlots } from './job-slots.js';
import { type MapOptions, mapCalls } from './map.js';
import { PoolWorker } from './pool-worker.js';

/** Options of a {@link ThreadPoolExecutor}. */
export interface ThreadPoolExecutorOptions {
  /** The most workers the pool runs at once. Default: `os.availableParallelism()`. */
  maxWorkers?: number;
  /** Workers are named `PREFIX_N`. Default: `ThreadPoolExecutor-K`. */
  threadNamePrefix?: string;
  /**
   * Run once in each worker before its first task (a function, shipped as
   * source, or a module target). If it throws, the pool is broken: pending
   * futures fail with {@link BrokenThreadPool} and later submits throw it.
   */
  initializer?: ((...args: never[]) => unknown) | ModuleTarget;
  /** Arguments for the initializer. */
  initargs?: unknown[];
  /** Memory limits for each worker; a task that exceeds them fails and its worker is replaced. */
  resourceLimits?: ResourceLimits;
}

/** Options of {@link ThreadPoolExecutor.shutdown}. */
export interface ShutdownOptions {
  /** Wait until every task has ended and the workers have exited. Default: true. */
  wait?: boolean;
  /** Cancel the tasks that have not started. Default: false. */
  cancelFutures?: boolean;
  /** Ask the running tasks to stop (their `stopEvent()` is set). Default: false. */
  stopRunning?: boolean;
  /** With `stopRunning`: milliseconds the running tasks get to stop. */
  timeout?: number;
  /** With `stopRunning` and `timeout`: terminate the workers of tasks still running at the timeout. */
  force?: boolean;
}

/** The pool's side of a task record. */
interface TaskOwner {
  readonly slots: JobSlots;
  stopTask(record: TaskRecord, force: boolean): boolean;
  retire(record: TaskRecord): void;
  awaiting(record: TaskRecord): void;
}

/** A task the pool knows of, from submit until it leaves the pool: CPython's `_WorkItem`. */
class TaskRecord implements TaskStopper {
  /** The worker it was sent to, until that worker reports it. */
  worker: PoolWorker<TaskRecord> | undefined = undefined;
  retired = false;
  constructor(
    readonly owner: TaskOwner,
    readonly future: Future<unknown>,
    readonly fnId: number,
    readonly args: unknown[],
    readonly hasEvents: boolean,
    /** The task's job slot: its stop request and claim. */
    readonly slot: number,
  ) {}

  request(force: boolean): boolean {
    return this.owner.stopTask(this, force);
  }

  settled(): void {
    // Cancelled while still queued: it leaves the pool at once. A task on a
    // worker leaves when the worker reports it (or dies).
    if (this.worker === undefined) this.owner.retire(this);
  }

  tryCancel(): boolean {
    return this.owner.slots.cancel(this.slot);
  }

  awaiting(): void {
    this.owner.awaiting(this);
  }

  hasStarted(): boolean {
    return this.worker !== undefined && this.owner.slots.started(this.slot);
  }
}

type TaskFunction = ((...args: never[]) => unknown) | ModuleTarget;

/**
 * @internal For tests only: the key of a pool's statistics method, reached
 * with `Symbol.for('skein.internal.poolStats')` — not public API.
 */
export const kPoolStats: unique symbol = Symbol.for('skein.internal.poolStats') as never;

/** @internal What `pool[kPoolStats]()` returns. */
export interface PoolStats {
  workers: number;
  maxWorkers: number;
  tasks: number;
  queued: number;
}

/** How long `await future` on a lone task may watch for its result before yielding to the event loop. */
const kBriefWaitMs = 0.1;
/** Brief waits in a row that may miss before the pool stops waiting. */
const kBriefMisses = 4;
/** Once stopped, try again every this many lone tasks. */
const kBriefRetry = 64;

/**
 * A pool of worker threads running tasks: Python's
 * `concurrent.futures.ThreadPoolExecutor`, with tasks that can be stopped.
 *
 * Workers start lazily, up to `maxWorkers`, and are reused. Tasks are
 * functions (shipped as source, so they see no variables of the scope they
 * were written in; pass data as arguments) or module targets. An idle pool
 * does not keep the process alive; a pool with work does.
 *
 * @example
 * ```ts
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 4 });
 * const future = pool.submit((a: number, b: number) => a + b, 1, 2);
 * console.log(await future); // 3
 * for await (const square of pool.map((n: number) => n * n, [1, 2, 3])) console.log(square);
 * ```
 */
export class ThreadPoolExecutor {
  readonly #maxWorkers: number;
  readonly #prefix: string;
  readonly #resourceLimits: ResourceLimits | undefined;
  readonly #initializer: TargetDescriptor | undefined;
  readonly #initargs: unknown[];
  readonly #initHasEvents: boolean;
  readonly #workers = new Set<PoolWorker<TaskRecord>>();
  #workerCount = 0;
  #queue: TaskRecord[] = [];
  #queueHead = 0;
  readonly #records = new Map<number, TaskRecord>();
  readonly #slots = new JobSlots();
  /** Workers with no task, the most recently idle last. */
  readonly #idle: PoolWorker<TaskRecord>[] = [];
  /** Function numbers by function, and by descriptor (one number per source text). */
  readonly #functionIds = new WeakMap<Function, number>();
  readonly #descriptorIds = new Map<TargetDescriptor | string, number>();
  readonly #descriptors: TargetDescriptor[] = [];
  #flushScheduled = false;
  #shutdown = false;
  #broken: BrokenThreadPool | undefined;
  #referenced = false;
  #unrefScheduled = false;
  /** Every shutdown() waiting for the last task to leave. */
  readonly #drained: (() => void)[] = [];
  /** Leaves the registry of things stopOnSignals() stops. */
  readonly #unregister: () => void;
  readonly #owner: TaskOwner = {
    slots: this.#slots,
    stopTask: (record, force) => this.#stopTask(record, force),
    retire: (record) => this.#retire(record),
    awaiting: (record) => this.#awaitBriefly(record),
  };
  /** Brief waits in a row that missed their result, and lone tasks not waited for since. */
  #briefMisses = 0;
  #briefSkipped = 0;

  /**
   * Create a pool; no worker starts until the first task.
   * @throws RangeError if `maxWorkers` is not an integer ≥ 1; TypeError for a bad initializer or prefix.
   * @throws NotSupportedError if `resourceLimits` is given on Bun or Deno.
   */
  constructor(options: ThreadPoolExecutorOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`Expected \`options\` to be an object, got ${describeValue(options)}`);
    }
    const {
      maxWorkers = availableParallelism(),
      threadNamePrefix,
      initializer,
      initargs = [],
      resourceLimits,
    } = options;
    if (typeof maxWorkers !== 'number' || !Number.isInteger(maxWorkers) || maxWorkers < 1) {
      const message = `Expected \`maxWorkers\` to be an integer ≥ 1, got ${describeValue(maxWorkers)}`;
      throw typeof maxWorkers === 'number' ? new RangeError(message) : new TypeError(message);
    }
    if (threadNamePrefix !== undefined && typeof threadNamePrefix !== 'string') {
      throw new TypeError(`Expected \`threadNamePrefix\` to be a string, got ${describeValue(threadNamePrefix)}`);
    }
    if (resourceLimits !== undefined) checkSupported('resourceLimits');
    this.#maxWorkers = maxWorkers;
    this.#prefix = threadNamePrefix || `ThreadPoolExecutor-${nextPoolNumber()}`;
    this.#resourceLimits = resourceLimits;
    this.#initializer = initializer === undefined ? undefined : describeTask(initializer, 'initializer');
    if (!Array.isArray(initargs))
      throw new TypeError(`Expected \`initargs\` to be an array, got ${describeValue(initargs)}`);
    const encoded = encodeArgs(initargs, 'initializer argument');
    this.#initargs = encoded.value;
    this.#initHasEvents = encoded.hasEvents;
    // On SIGINT/SIGTERM (stopOnSignals), a pool cancels what has not started
    // and asks its running tasks to stop.
    this.#unregister = registerStoppable({ stop: (stopOptions) => this.#stopAll(stopOptions) });
  }

  async #stopAll(options: StopOptions | undefined): Promise<StopOutcome> {
    const { timeout, force } = checkStopOptions(options);
    const stops = [...this.#records.values()].map((record) => record.future.stop({ timeout, force }));
    void this.shutdown({ wait: false, cancelFutures: true });
    const outcomes = await Promise.all(stops);
    return outcomes.includes('alive') ? 'alive' : outcomes.includes('forced') ? 'forced' : 'stopped';
  }

  /**
   * Schedule `fn(...args)` on a worker and return its {@link Future} at once.
   *
   * `fn` is a function — shipped as source, so it may use globals,
   * `await import()` and skein's exports, but no variables of the scope it
   * was written in — or a module target `{ module, export }`. Arguments are
   * copied by structured clone; Events inside them arrive working.
   *
   * @typeParam F - the task function (or the function a {@link TypedModuleTarget} names); its parameters type `args` and its result types the future.
   * @throws RuntimeError `cannot schedule new futures after shutdown`.
   * @throws BrokenThreadPool if a worker's initializer failed.
   * @throws TypeError if `fn` is neither a function nor a module target, or
   *   an argument cannot be sent (the message names its index).
   */
  submit<F extends (...args: never[]) => unknown>(
    fn: F | TypedModuleTarget<F>,
    ...args: Parameters<F>
  ): Future<Awaited<ReturnType<F>>>;
  /**
   * Schedule a module target that carries no type (a plain `{ module, export }`),
   * its result typed by hand: `pool.submit<Uint8Array>({ module, export: 'resize' }, path)`.
   * {@link moduleTargets} types args and result from the module instead.
   *
   * @typeParam R - the result type, unchecked. Default: `unknown`.
   */
  submit<R = unknown>(fn: UntypedModuleTarget, ...args: unknown[]): Future<R>;
  submit(fn: TaskFunction, ...args: unknown[]): Future<unknown> {
    if (this.#broken !== undefined) throw this.#broken;
    if (this.#shutdown) throw new RuntimeError('cannot schedule new futures after shutdown');
    const fnId = this.#functionId(fn);
    const encoded = encodeArgs(args, 'argument');
    const future = new Future<unknown>();
    const record = new TaskRecord(this.#owner, future, fnId, encoded.value, encoded.hasEvents, this.#slots.acquire());
    future.stopper = record;
    this.#records.set(future.id, record);
    this.#queue.push(record);
    this.#setReferenced(true);
    this.#scheduleFlush();
    return future;
  }

  /**
   * Run `fn` on every item of `iterable`, yielding the results in input
   * order as they are ready. A task's error is thrown at its position, as
   * is an error of the input itself. Closing the iterator early (`break`),
   * an error, or the timeout cancels the calls not yet started and closes
   * the input.
   *
   * Without `buffersize`, every item is submitted now, when `map()` is
   * called (as Python does); an async iterable (a stream of lines, a
   * paginated API) has each item submitted as it arrives. With
   * `buffersize` (Python 3.14), at most that many calls are submitted ahead
   * of the consumer: the first `buffersize` now, then one more each time a
   * result is asked for — an endless or huge input runs in bounded memory.
   *
   * @param options.timeout - milliseconds from this call for every result to arrive.
   * @param options.buffersize - the most calls submitted ahead of the consumer (an integer ≥ 1).
   * @throws TypeError/RangeError for a bad `timeout` or `buffersize`, or an
   *   `iterable` that is neither iterable nor async iterable; what `submit`
   *   or the input throws for the calls submitted now.
   * @throws (from the iterator) TimeoutError when `timeout` ms have passed since this call.
   * @example
   * ```ts
   * for await (const size of pool.map(fileSize, paths, { timeout: 10_000 })) total += size;
   * // An endless input, eight calls ahead of the loop at most:
   * for await (const line of pool.map(render, readLines(file), { buffersize: 8 })) out.write(line);
   * ```
   */
  map<T, R>(
    fn: (item: T) => R,
    iterable: Iterable<T> | AsyncIterable<T>,
    options: MapOptions = {},
  ): AsyncGenerator<Awaited<R>, void, undefined> {
    return mapCalls(
      (item: T) => this.submit(fn as (item: T) => R, item as never) as Future<Awaited<R>>,
      iterable,
      options,
    );
  }

  /**
   * Stop accepting tasks and let the pool wind down: Python's `shutdown()`.
   * Queued tasks still run unless `cancelFutures`; running ones finish
   * unless `stopRunning` asks them to stop. Calling it again is harmless.
   *
   * @returns (resolves) once every task has ended and every worker has
   *   exited when `wait` (the default), else at once — the work still
   *   completes before the process exits.
   * @throws TypeError for a bad `timeout`, or `force` without a timeout.
   */
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    const { wait = true, cancelFutures = false, stopRunning = false } = options;
    const stopping = stopRunning ? checkStopOptions(options) : undefined;
    this.#shutdown = true;
    // cancel() succeeds on every task no worker has started, batched or not.
    if (cancelFutures) for (const record of [...this.#records.values()]) record.future.cancel();
    const stops: Promise<StopOutcome>[] = [];
    if (stopping !== undefined) {
      for (const record of [...this.#records.values()]) {
        stops.push(record.future.stop({ timeout: stopping.timeout, force: stopping.force } satisfies StopOptions));
      }
    }
    this.#closeIdleWorkers();
    const woundDown = (async () => {
      await Promise.all(stops);
      if (this.#records.size > 0) await new Promise<void>((resolve) => this.#drained.push(resolve));
      this.#closeIdleWorkers();
      await Promise.all([...this.#workers].map((worker) => worker.exited));
      // Waited for or not, a pool that has wound down leaves the registry.
      this.#unregister();
    })();
    if (!wait) return;
    // Idle workers are unref'd: hold the process open until they are gone.
    await keepingAlive(woundDown);
  }

  /** `await using pool = new ThreadPoolExecutor()` shuts the pool down, waiting, like Python's `with`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown({ wait: true });
  }

  /**
   * @internal For skein's own tests only — not public API, may change
   * without notice: how many workers the pool has (started and not yet
   * exited), its limit, the tasks it holds and how many of them are queued.
   */
  [kPoolStats](): PoolStats {
    return {
      workers: this.#workers.size,
      maxWorkers: this.#maxWorkers,
      tasks: this.#records.size,
      queued: this.#queue.length - this.#queueHead,
    };
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const state = this.#broken ? 'broken' : this.#shutdown ? 'shut down' : 'open';
    return `<ThreadPoolExecutor ${this.#prefix} ${state}, ${this.#workers.size}/${this.#maxWorkers} workers, ${this.#records.size} tasks>`;
  }

  #functionId(fn: TaskFunction): number {
    if (typeof fn === 'function') {
      const id = this.#functionIds.get(fn);
      if (id !== undefined) return id;
      // describeFunction returns one descriptor per source text.
      const descriptor = describeTask(fn, 'fn');
      let known = this.#descriptorIds.get(descriptor);
      if (known === undefined) {
        // Remember the first function of each source only: a fresh closure
        // per submit finds its number through the source text, and leaves
        // no dead key behind for the garbage collector.
        known = this.#descriptors.push(descriptor) - 1;
        this.#descriptorIds.set(descriptor, known);
        this.#functionIds.set(fn, known);
      }
      return known;
    }
    if (!isModuleTarget(fn)) {
      throw new TypeError(
        `Expected \`fn\` to be a function or a module target { module, export? }, got ${describeValue(fn)}`,
      );
    }
    const key = `${String(fn.module)}#${fn.export ?? 'default'}`;
    let id = this.#descriptorIds.get(key);
    if (id === undefined) {
      id = this.#descriptors.push(describeTask(fn, 'fn')) - 1;
      this.#descriptorIds.set(key, id);
    }
    return id;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  /**
   * Hand queued tasks to idle workers, in submission order, starting
   * workers up to maxWorkers — as Python's pool does, a new worker whenever
   * a task waits and no worker is idle. A worker gets a task only once it
   * is idle, so a task never waits behind a busy worker while another
   * worker runs a task submitted after it.
   */
  #flush(): void {
    if (this.#broken !== undefined) return;
    while (this.#queueHead < this.#queue.length) {
      const record = this.#queue[this.#queueHead]!;
      // A cancelled future is skipped.
      if (record.future.done()) {
        this.#queueHead++;
        continue;
      }
      const worker = this.#idle.pop() ?? (this.#workers.size < this.#maxWorkers ? this.#startWorker() : undefined);
      if (worker === undefined) break;
      this.#queueHead++;
      this.#dispatch(worker, record);
    }
    if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
    if (this.#shutdown) this.#closeIdleWorkers();
  }

  /** Send `record` to the idle `worker`. The task stays pending, and cancellable, until the worker claims it. */
  #dispatch(worker: PoolWorker<TaskRecord>, record: TaskRecord): void {
    const slabs = this.#slots.slabs;
    while (worker.knownSlabs < slabs.length) {
      worker.send({ type: 'slab', index: worker.knownSlabs, buffer: slabs[worker.knownSlabs]! });
      worker.knownSlabs++;
    }
    const known = worker.knownFunctions.has(record.fnId);
    const task: TaskMessage = {
      type: 'task',
      id: record.future.id,
      fn: known ? record.fnId : [record.fnId, this.#descriptors[record.fnId]!],
      slot: record.slot,
      args: record.args,
      hasEvents: record.hasEvents,
    };
    try {
      worker.send(task);
    } catch (error) {
      // Something in the arguments cannot be cloned after all (a host
      // object the submit-time check cannot see): this task fails, saying
      // which argument; the worker stays idle.
      const culprit = record.args.findIndex((arg) => whyUncloneable(arg) !== undefined);
      const why =
        culprit === -1
          ? String((error as Error)?.message ?? error)
          : `argument ${culprit}: ${whyUncloneable(record.args[culprit])}`;
      record.future.setException(new TypeError(`the task cannot be sent to a worker: ${why}`, { cause: error }));
      this.#idle.push(worker);
      return;
    }
    if (!known) worker.knownFunctions.add(record.fnId);
    worker.task = record;
    worker.taskId = record.future.id;
    record.worker = worker;
  }

  #startWorker(): PoolWorker<TaskRecord> {
    const worker = new PoolWorker<TaskRecord>({
      name: `${this.#prefix}_${this.#workerCount++}`,
      resourceLimits: this.#resourceLimits,
      initializer: this.#initializer,
      initargs: this.#initargs,
      initHasEvents: this.#initHasEvents,
      onOutcome: (from, outcome) => this.#onOutcome(from, outcome),
      onBroken: (_from, report) => this.#break(report),
      onExit: (from, exit) => this.#onExit(from, exit),
    });
    this.#workers.add(worker);
    worker.setReferenced(this.#referenced);
    return worker;
  }

  /**
   * A worker reported its task: settle the future, and give the worker the
   * next task (or close it, once the pool is shut down and drained). A
   * report that does not check out fails the task, saying why: no task is
   * left waiting because of what its worker sent.
   */
  #onOutcome(worker: PoolWorker<TaskRecord>, outcome: Outcome | Refusal): void {
    const record = worker.task;
    if (record === undefined) return;
    if (typeof outcome === 'string') {
      if (!record.future.done()) {
        record.future.setException(
          new TypeError(`the task's worker sent a malformed report (${outcome}); the task's own outcome is lost`),
        );
      }
    } else {
      // A report for another task is not this worker's to make: ignored.
      if (outcome.id !== worker.taskId) return;
      const future = record.future;
      if (!future.done()) {
        if (outcome.status === 'ok') future.setResult(decodeValue(outcome.value, outcome.hasEvents));
        else if (outcome.status === 'error') future.setException(deserializeError(outcome.value as never));
        else future.settleStopped();
      }
    }
    worker.task = undefined;
    worker.taskId = 0;
    record.worker = undefined;
    this.#retire(record);
    if (worker.closing || worker.hasExited) return;
    this.#idle.push(worker);
    if (this.#queueHead < this.#queue.length) this.#flush();
    else if (this.#shutdown) this.#closeIdleWorkers();
  }

  /** A worker exited: the task it ran (if any) ends with the reason; queued tasks go to other workers. */
  #onExit(worker: PoolWorker<TaskRecord>, exit: WorkerExit): void {
    this.#workers.delete(worker);
    const at = this.#idle.indexOf(worker);
    if (at !== -1) this.#idle.splice(at, 1);
    const record = worker.task;
    if (record !== undefined) {
      worker.task = undefined;
      record.worker = undefined;
      if (worker.forcedTask === record.future.id) record.future.settleStopped();
      else if (!record.future.done() && this.#slots.started(record.slot)) {
        const reason = exitReasonOf(exit.error, exit.terminated);
        record.future.setException(exitError('the task', reason, exit.code, { replaced: true, cause: exit.error }));
      } else if (!record.future.done()) {
        // Never started on that worker: run it elsewhere, first in line.
        this.#queue.splice(this.#queueHead, 0, record);
      }
      if (record.future.done()) this.#retire(record);
    }
    if (this.#broken !== undefined) return;
    // Keep the pool at strength after a crash or a forced stop: the next
    // task finds a worker booted.
    if (!worker.closing && !this.#shutdown && this.#workers.size < this.#maxWorkers) {
      this.#idle.push(this.#startWorker());
    }
    if (this.#queueHead < this.#queue.length) this.#scheduleFlush();
  }

  /** A task leaves the pool: its slot is free, and the pool may go idle. */
  #retire(record: TaskRecord): void {
    if (record.retired) return;
    record.retired = true;
    this.#records.delete(record.future.id);
    this.#slots.release(record.slot);
    if (this.#records.size === 0) {
      this.#scheduleUnref();
      for (const resolve of this.#drained.splice(0)) resolve();
      if (this.#shutdown) this.#closeIdleWorkers();
    }
  }

  /**
   * `await future` on the only task in the pool: watch its worker's port for
   * up to kBriefWaitMs and take the result synchronously, so the caller's
   * continuation runs without a trip through the event loop (a wake-up from
   * it costs 15-20 µs on a VM — most of a round trip). Meanwhile the worker
   * spins between tasks (kEager) instead of parking, since the next task
   * follows each result within microseconds. Python's `future.result()`
   * blocks its caller outright; this blocks the event loop for at most
   * kBriefWaitMs, and stops after kBriefMisses waits in a row that missed
   * (tasks too long to wait for: started, but not done in time), trying
   * again every kBriefRetry lone tasks.
   */
  #awaitBriefly(record: TaskRecord): void {
    if (this.#records.size !== 1) return;
    if (this.#briefMisses >= kBriefMisses && ++this.#briefSkipped % kBriefRetry !== 0) return;
    if (record.worker === undefined) {
      // Submitted in this same turn: dispatch now rather than in the microtask.
      if (this.#queueHead >= this.#queue.length || this.#broken !== undefined) return;
      this.#flush();
      if (record.worker === undefined) return;
    }
    const worker = record.worker;
    worker.setEager(true);
    const until = performance.now() + kBriefWaitMs;
    while (!record.future.done() && !worker.hasExited && performance.now() < until) worker.poll();
    if (record.future.done()) {
      this.#briefMisses = 0;
      return;
    }
    // Only a task that ran past the wait counts as a miss: one its worker
    // had not even started was late to wake (a slow host), not long.
    if (!this.#slots.started(record.slot)) return;
    if (++this.#briefMisses >= kBriefMisses) for (const each of this.#workers) each.setEager(false);
  }

  /** Set the task's stop request; with `force`, terminate its worker if the task is running there. True if terminated. */
  #stopTask(record: TaskRecord, force: boolean): boolean {
    this.#slots.requestStop(record.slot);
    if (!force) return false;
    // Not started yet: its stop request is set, so the worker skips it.
    // Already ended: its report is on the way.
    return record.worker?.terminateRunning(record.future.id) ?? false;
  }

  #break(report: BrokenReport): void {
    if (this.#broken !== undefined) return;
    const cause = deserializeError(report.error);
    this.#broken = new BrokenThreadPool(
      `a worker initializer failed, so the pool cannot run tasks: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
    for (const record of [...this.#records.values()]) {
      if (!record.future.done()) record.future.setException(this.#broken);
      this.#retire(record);
    }
    this.#queue = [];
    this.#queueHead = 0;
    for (const worker of this.#workers) worker.close();
  }

  #closeIdleWorkers(): void {
    if (!this.#shutdown || this.#queueHead < this.#queue.length) return;
    for (const worker of this.#workers) if (worker.task === undefined) worker.close();
    this.#idle.length = 0;
  }

  /**
   * Let the process exit once the pool stays idle past this turn of the
   * event loop — not at once, so that a caller submitting one task after
   * another does not flip the workers' refs on every task.
   */
  #scheduleUnref(): void {
    if (this.#unrefScheduled) return;
    this.#unrefScheduled = true;
    setImmediate(() => {
      this.#unrefScheduled = false;
      if (this.#records.size === 0) this.#setReferenced(false);
    });
  }

  #setReferenced(referenced: boolean): void {
    if (this.#referenced === referenced) return;
    this.#referenced = referenced;
    for (const worker of this.#workers) worker.setReferenced(referenced);
  }
}

function describeTask(fn: unknown, role: string): TargetDescriptor {
  if (typeof fn === 'function') return describeFunction(fn, role);
  if (isModuleTarget(fn)) return describeModuleTarget(fn, role);
  throw new TypeError(
    `Expected \`${role}\` to be a function or a module target { module, export? }, got ${describeValue(fn)}`,
  );
}
