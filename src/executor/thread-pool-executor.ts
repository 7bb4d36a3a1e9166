import { availableParallelism } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import { BrokenThreadPool, RuntimeError, ThreadExitError, describeValue } from '../errors.js';
import { checkSupported } from '../platform.js';
import { toTimeoutMs } from '../sync/timeout.js';
import { keepingAlive } from '../sync/wait-async.js';
import { nextPoolNumber } from '../thread/globals.js';
import type { TargetDescriptor } from '../thread/protocol.js';
import { describeFunction, describeModuleTarget, isModuleTarget, type ModuleTarget } from '../thread/target.js';
import { deserializeError, thrownMessage, type SerializedError } from '../thread/error-codec.js';
import { encodeArgs, markUnsendable, whyUncloneable } from '../thread/transfer.js';
import { checkStopOptions, registerStoppable, type StopOptions, type StopOutcome } from '../thread/stoppables.js';
import { Future, type TaskStopper } from './future.js';
import { PoolWorker } from './pool-worker.js';
import { kTaskStride, type PoolReport, type TaskFunctionRef } from './protocol.js';
import { settleFromReport } from './report-check.js';
import { StopSlots } from './stop-slots.js';

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

/** Options of {@link ThreadPoolExecutor.map}. */
export interface MapOptions {
  /** Milliseconds, from the `map()` call, for every result to arrive; then the iterator throws TimeoutError. */
  timeout?: number;
}

/** The pool's side of a task record. */
interface TaskOwner {
  readonly slots: StopSlots;
  stopTask(record: TaskRecord, force: boolean): boolean;
  retire(record: TaskRecord): void;
  awaiting(record: TaskRecord): void;
}

/** A task the pool knows of, from submit until it leaves every worker. */
class TaskRecord implements TaskStopper {
  worker: PoolWorker<TaskRecord> | undefined = undefined;
  /** Whether its batch carried the function's source to its worker (which later tasks there then rely on). */
  carriesSource = false;

  retired = false;
  constructor(
    readonly owner: TaskOwner,
    readonly future: Future<unknown>,
    readonly fnId: number,
    readonly args: unknown[],
    readonly hasEvents: boolean,
    /** The task's stop slot; a fresh one when the task moves to another worker. */
    public slot: number,
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

/** Most tasks in flight on one worker: enough to batch, few enough to keep workers balanced. */
const kInflightCap = 64;

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
  readonly #slots = new StopSlots();
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
   * @typeParam F - the task function; its parameters type `args` and its result types the future.
   * @throws RuntimeError `cannot schedule new futures after shutdown`.
   * @throws BrokenThreadPool if a worker's initializer failed.
   * @throws TypeError if `fn` is neither a function nor a module target, or
   *   an argument cannot be sent (the message names its index).
   */
  submit<F extends (...args: never[]) => unknown>(fn: F, ...args: Parameters<F>): Future<Awaited<ReturnType<F>>>;
  submit<R = unknown>(fn: ModuleTarget, ...args: unknown[]): Future<R>;
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
   * Run `fn` on every item of `iterable`: all are submitted now, and the
   * results are yielded in input order as they are ready. A task's error is
   * thrown at its position. Closing the iterator early (`break`), an error,
   * or the timeout cancels the calls not yet started.
   *
   * @throws (from the iterator) TimeoutError when `timeout` ms have passed since this call.
   * @example
   * ```ts
   * for await (const size of pool.map(fileSize, paths, { timeout: 10_000 })) total += size;
   * ```
   */
  map<T, R>(
    fn: (item: T) => R,
    iterable: Iterable<T>,
    options: MapOptions = {},
  ): AsyncGenerator<Awaited<R>, void, undefined> {
    const timeout = toTimeoutMs(options.timeout, 'timeout');
    const deadline = timeout === Infinity ? Infinity : performance.now() + timeout;
    if (iterable === null || typeof (iterable as Iterable<T>)?.[Symbol.iterator] !== 'function') {
      throw new TypeError(`Expected \`iterable\` to be iterable, got ${describeValue(iterable)}`);
    }
    const futures: Future<Awaited<R>>[] = [];
    for (const item of iterable) futures.push(this.submit(fn as (item: T) => R, item as never) as Future<Awaited<R>>);
    return (async function* results() {
      try {
        for (const future of futures) {
          const left = deadline === Infinity ? undefined : Math.max(0, deadline - performance.now());
          yield await future.result(left);
        }
      } finally {
        for (const future of futures) future.cancel();
      }
    })();
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

  /** Hand queued tasks to workers, starting workers up to maxWorkers. */
  #flush(): void {
    if (this.#broken !== undefined) return;
    let queued = this.#queue.length - this.#queueHead;
    let idle = 0;
    for (const worker of this.#workers) if (worker.inflight.size === 0 && !worker.closing) idle++;
    // As Python does: a new worker whenever no idle one can take the work.
    while (queued > idle && this.#workers.size < this.#maxWorkers) {
      this.#startWorker();
      idle++;
    }
    const open = [...this.#workers].filter((worker) => !worker.closing && !worker.hasExited);
    open.sort((a, b) => a.inflight.size - b.inflight.size);
    for (const worker of open) {
      queued = this.#queue.length - this.#queueHead;
      if (queued === 0) break;
      const share = Math.min(kInflightCap - worker.inflight.size, Math.ceil(queued / open.length));
      if (share > 0) this.#dispatch(worker, share);
    }
    if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
    if (this.#shutdown) this.#closeIdleWorkers();
  }

  #dispatch(worker: PoolWorker<TaskRecord>, count: number): void {
    const tasks: unknown[] = [];
    const records: TaskRecord[] = [];
    while (records.length < count && this.#queueHead < this.#queue.length) {
      const record = this.#queue[this.#queueHead++]!;
      // A cancelled future is skipped. The task stays pending until the
      // worker claims it (see StopSlots), so it can still be cancelled.
      if (record.future.done()) continue;
      let fn: TaskFunctionRef = record.fnId;
      record.carriesSource = !worker.knownFunctions.has(fn);
      if (record.carriesSource) {
        worker.knownFunctions.add(fn);
        fn = [fn, this.#descriptors[fn]!];
      }
      tasks.push(record.future.id, fn, record.slot, record.args, record.hasEvents);
      records.push(record);
      record.worker = worker;
      worker.inflight.set(record.future.id, record);
    }
    if (records.length === 0) return;
    const slabs = this.#slots.slabs;
    while (worker.knownSlabs < slabs.length) {
      worker.send({ type: 'slab', index: worker.knownSlabs, buffer: slabs[worker.knownSlabs]! });
      worker.knownSlabs++;
    }
    try {
      worker.run(tasks);
    } catch {
      // Something in the batch cannot be cloned after all (a host object
      // the submit-time check cannot see): send the tasks one by one and
      // fail only those that cannot go.
      for (const [index, record] of records.entries()) {
        const single = tasks.slice(index * kTaskStride, (index + 1) * kTaskStride);
        single[1] = [record.fnId, this.#descriptors[record.fnId]!]; // whether or not the batch got there
        record.carriesSource = true;
        try {
          worker.run(single);
        } catch (error) {
          worker.inflight.delete(record.future.id);
          record.worker = undefined;
          const culprit = record.args.findIndex((arg) => whyUncloneable(arg) !== undefined);
          const why =
            culprit === -1
              ? String((error as Error).message)
              : `argument ${culprit}: ${whyUncloneable(record.args[culprit])}`;
          record.future.setException(new TypeError(`the task cannot be sent to a worker: ${why}`, { cause: error }));
        }
      }
    }
  }

  #startWorker(): PoolWorker<TaskRecord> {
    const worker = new PoolWorker<TaskRecord>({
      name: `${this.#prefix}_${this.#workerCount++}`,
      resourceLimits: this.#resourceLimits,
      initializer: this.#initializer,
      initargs: this.#initargs,
      initHasEvents: this.#initHasEvents,
      onReport: (from, report) => this.#onReport(from, report),
      onExit: (from, code, error) => this.#onExit(from, code, error),
    });
    this.#workers.add(worker);
    worker.setReferenced(this.#referenced);
    return worker;
  }

  #onReport(worker: PoolWorker<TaskRecord>, report: PoolReport): void {
    if (report.type === 'broken') {
      this.#break(report.error);
      return;
    }
    const record = worker.inflight.get(report.id);
    if (record === undefined || record.slot !== report.slot) {
      // The old copy of a task moved away from this worker (the task may be
      // back here by now, with another slot): skipped, so its slot is free.
      if (worker.moved.delete(report.slot)) this.#slots.release(report.slot);
      return;
    }
    worker.inflight.delete(report.id);
    record.worker = undefined;
    const future = record.future;
    if (!future.done()) settleFromReport(future, report);
    this.#retire(record);
    if (this.#queueHead < this.#queue.length && worker.inflight.size <= kInflightCap / 2) this.#scheduleFlush();
    else if (this.#shutdown && worker.inflight.size === 0) this.#closeIdleWorkers();
    else if (worker.inflight.size === 0) this.#rebalance(worker);
  }

  /**
   * An idle worker takes over half of the tasks that wait, not yet started,
   * in the batch of the busiest worker — the oldest first. With Python's
   * single shared queue an idle worker takes the next task; batching gives
   * each worker its own queue, where a task could otherwise wait behind a
   * long one while a worker idles (forever, behind a task that runs until
   * it is stopped). Each task is claimed as moved before its worker starts
   * it (or not at all), and gets a fresh slot here: its worker skips the old
   * one, which is freed once it reports so.
   */
  #rebalance(idle: PoolWorker<TaskRecord>): void {
    if (idle.closing || idle.hasExited || this.#queueHead < this.#queue.length) return;
    let busiest: PoolWorker<TaskRecord> | undefined;
    for (const worker of this.#workers) {
      if (worker !== idle && !worker.hasExited && worker.inflight.size > (busiest?.inflight.size ?? 1))
        busiest = worker;
    }
    if (busiest === undefined) return;
    const running = busiest.runningTask;
    const moving: TaskRecord[] = [];
    const want = Math.floor(busiest.inflight.size / 2);
    for (const [id, record] of busiest.inflight) {
      if (moving.length === want) break;
      // A task that carries its function's source stays: later tasks there need it.
      if (id === running || record.carriesSource || !this.#slots.move(record.slot)) continue;
      busiest.inflight.delete(id);
      busiest.moved.add(record.slot);
      record.slot = this.#slots.acquire();
      record.worker = undefined;
      moving.push(record);
    }
    if (moving.length === 0) return;
    this.#queue.splice(this.#queueHead, 0, ...moving);
    this.#dispatch(idle, moving.length);
  }

  #onExit(worker: PoolWorker<TaskRecord>, code: number, error: unknown): void {
    this.#workers.delete(worker);
    // Tasks moved away that it never reached: their old slots are free now.
    for (const slot of worker.moved) this.#slots.release(slot);
    worker.moved.clear();
    const running = worker.runningTask;
    const requeue: TaskRecord[] = [];
    for (const [id, record] of worker.inflight) {
      record.worker = undefined;
      if (id === running || worker.forcedTask === id) {
        if (worker.forcedTask === id) record.future.settleStopped();
        else if (!record.future.done()) record.future.setException(crashError(code, error));
        this.#retire(record);
      } else if (record.future.done()) {
        this.#retire(record);
      } else {
        requeue.push(record); // never started on that worker: run it elsewhere
      }
    }
    worker.inflight.clear();
    if (requeue.length > 0) {
      this.#queue.splice(this.#queueHead, 0, ...requeue);
    }
    if (this.#broken !== undefined) return;
    // Keep the pool at strength after a crash or a forced stop.
    if (!worker.closing && !this.#shutdown && this.#workers.size < this.#maxWorkers) this.#startWorker();
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

  /** Set the task's stop request; with `force`, terminate its worker if the task is running there. True if terminated. */
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

  #stopTask(record: TaskRecord, force: boolean): boolean {
    this.#slots.requestStop(record.slot);
    if (!force) return false;
    // Not started yet: its stop request is set, so the worker skips it.
    // Already ended: its report is on the way.
    return record.worker?.terminateRunning(record.future.id) ?? false;
  }

  #break(serialized: SerializedError): void {
    if (this.#broken !== undefined) return;
    const cause = deserializeError(serialized);
    this.#broken = new BrokenThreadPool(
      `a worker initializer failed, so the pool cannot run tasks: ${thrownMessage(cause)}`,
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
    for (const worker of this.#workers) if (worker.inflight.size === 0) worker.close();
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

markUnsendable(
  ThreadPoolExecutor,
  'a ThreadPoolExecutor, which stays in the thread that created it: submit the work from here, or create a pool inside the thread',
);

function describeTask(fn: unknown, role: string): TargetDescriptor {
  if (typeof fn === 'function') return describeFunction(fn, role);
  if (isModuleTarget(fn)) return describeModuleTarget(fn, role);
  throw new TypeError(
    `Expected \`${role}\` to be a function or a module target { module, export? }, got ${describeValue(fn)}`,
  );
}

function crashError(code: number, error: unknown): ThreadExitError {
  const options = error === undefined ? undefined : { cause: error };
  if ((error as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new ThreadExitError(
      'the task ran out of memory: its worker was stopped at the resourceLimits it was given (the pool replaced it)',
      'out-of-memory',
      code,
      options,
    );
  }
  return new ThreadExitError(
    `the task's worker ended unexpectedly with exit code ${code} (the pool replaced it)`,
    'crashed',
    code,
    options,
  );
}
