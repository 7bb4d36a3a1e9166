import type { ResourceLimits } from 'node:worker_threads';
import { availableParallelism } from '../cores.js';
import { afterThisTurn } from '../host.js';
import {
  BrokenThreadPool,
  checkInteger,
  describeValue,
  exitError,
  exitReasonOf,
  RuntimeError,
  ThreadExitError,
} from '../errors.js';
import { checkSupported } from '../platform.js';
import { sharedNow } from '../sync/timeout.js';
import { keepingAlive } from '../sync/wait-async.js';
import { nextPoolNumber } from '../thread/globals.js';
import { closeItems, putRecords, writeDeposited, writeItem } from '../relay/items.js';
import { deposit, discard, forOwnWorkers, type RelayId } from '../relay/relay.js';
import { kPoolQueueId } from '../sync/layout.js';
import { kOwnerWords, Order, RecordQueue } from '../sync/record-queue.js';
import type { WorkerExit } from '../thread/hub.js';
import {
  type BrokenReport,
  kIdleWorkersWord,
  kTakenWord,
  type Outcome,
  type TargetDescriptor,
} from '../thread/protocol.js';
import { checkStopOptions, registerStoppable, type StopOptions, type StopOutcome } from '../thread/stoppables.js';
import {
  describeFunction,
  describeModuleTarget,
  isModuleTarget,
  type ModuleTarget,
  type TypedModuleTarget,
  type UntypedModuleTarget,
} from '../thread/target.js';
import { deserializeError, thrownMessage } from '../thread/error-codec.js';
import { exceptionOf, resultOf } from '../thread/outcome.js';
import { type Prepared, prepareSend, SendPlan } from '../thread/move.js';
import { checkArgs, encodeArgs, markUnsendable } from '../thread/transfer.js';
import { awaitAsPromise, Future, type TaskStopper } from './future.js';
import { DurationHistogram, type Percentiles } from './histogram.js';
import { JobSlots } from './job-slots.js';
import { type MapOptions, mapCalls } from './map.js';
import { PoolWorker, type RefusedOutcome } from './pool-worker.js';

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
  /**
   * Replace a worker after it has run this many tasks (Python's
   * `max_tasks_per_child`): the cure for tasks that leak memory or state.
   * The worker finishes its last task, exits, and a fresh one takes the
   * next. Default: no limit.
   */
  maxTasksPerWorker?: number;
  /**
   * Milliseconds a worker waits idle for a task before it exits; workers
   * start again on demand. A server's pool gives its memory back when
   * quiet. Default: `Infinity` (idle workers stay).
   */
  idleTimeout?: number;
  /**
   * Record each task's wait and run time for {@link ThreadPoolExecutor.stats}'s
   * percentiles. Default: true (its cost is measured in `npm run bench`).
   */
  recordTiming?: boolean;
}

/** What {@link ThreadPoolExecutor.stats} returns: the pool now, and since it was made. */
export interface PoolStatistics {
  /** The pool's workers now. */
  workers: {
    /** Workers started and not exited. */
    total: number;
    /** Running a task. */
    busy: number;
    /** Waiting for a task. */
    idle: number;
  };
  /** Tasks now, and since the pool was made by how they ended. */
  tasks: {
    /** Submitted, not started (cancelled ones excluded). */
    queued: number;
    /** Started on a worker, not ended. */
    running: number;
    /** Ended with a result. */
    completed: number;
    /** Ended with an error (the worker's exit included). */
    failed: number;
    /** Cancelled before they started. */
    cancelled: number;
    /** Asked to stop while running, and ended so. */
    stopped: number;
  };
  /** How long tasks ran, in ms: from their start on a worker to their outcome there (with `recordTiming`). */
  runTime: Percentiles;
  /**
   * How long tasks waited, in ms: from `submit()` to their start on a worker
   * (with `recordTiming`). Tasks submitted one after another share a
   * clock read, 64 at a time: the first one's submit time.
   */
  waitTime: Percentiles;
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

/** The booleans of a {@link PoolTask}, as bits of one field. */
const TaskFlags = {
  /** It has left the pool. */
  retired: 1,
  /** Its record goes through the relay. */
  outOfLine: 2,
  /** It moves something. */
  moves: 4,
  /** It has one argument, kept as it is. */
  oneArgument: 8,
} as const;
type TaskFlag = (typeof TaskFlags)[keyof typeof TaskFlags];

/**
 * A task the pool knows of, from submit until it leaves the pool: its
 * future and CPython's `_WorkItem` in one object — the future the caller
 * gets is the pool's record of the task.
 */
class PoolTask extends Future<unknown> {
  /**
   * Where it is in the task queue: -1 until it is put there, then its put
   * number — it has been taken once the workers have taken more records
   * than that (the queue is first in, first out).
   */
  sequence = -1;
  /** Its {@link TaskFlags}: one field for four booleans, each kept while the task is in the pool. */
  #flags: number;
  /** What its outcome must carry (see TaskHeader in protocol.ts). */
  readonly key = (Math.random() * 0x7fffffff) | 0;
  /**
   * Its argument list, already with the relay (see ThreadPoolExecutor.#deposit),
   * until it is put into the task queue as a reference to it.
   */
  deposited: RelayId | undefined;
  /**
   * Its argument list, or its one argument as it is (with
   * {@link TaskFlags.oneArgument}): a list of one would weigh ~70 bytes
   * more, for every task waiting in the pool.
   */
  readonly #arguments: unknown;
  constructor(
    stopper: TaskStopper,
    readonly fnId: number,
    args: unknown[],
    /** The task's job slot: its stop request and claim. */
    readonly slot: number,
  ) {
    super();
    this.stopper = stopper;
    const one = args.length === 1;
    this.#flags = one ? TaskFlags.oneArgument : 0;
    this.#arguments = one ? args[0] : args;
  }

  /** Its argument list (a new array for a task of one argument). */
  get args(): unknown[] {
    return this.#flags & TaskFlags.oneArgument ? [this.#arguments] : (this.#arguments as unknown[]);
  }

  /** Whether it has left the pool. */
  get retired(): boolean {
    return (this.#flags & TaskFlags.retired) !== 0;
  }

  /** Whether its record goes through the relay (it moves or copies big buffers). */
  get outOfLine(): boolean {
    return (this.#flags & TaskFlags.outOfLine) !== 0;
  }

  /** Whether it moves something: its arguments exist only in the record sent, so it cannot be sent twice. */
  get moves(): boolean {
    return (this.#flags & TaskFlags.moves) !== 0;
  }

  /** Set `flag` (one of {@link TaskFlags}). */
  mark(flag: TaskFlag): void {
    this.#flags |= flag;
  }
}
awaitAsPromise(PoolTask);

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

/** Bytes the task queue keeps in shared memory at first, and at most (past that, tasks go through the relay). */
const kTaskQueueBytes = 64 * 1024;
const kTaskQueueMaxBytes = 256 * 1024 * 1024;

/**
 * Tasks submitted in one turn go into the task queue in batches, without
 * waiting for the turn's end: the first batch of a turn this big, each next
 * one twice the last, up to the largest.
 */
const kFirstBatch = 64;
const kLargestBatch = 512;
/** Tasks submitted one after another that share one clock read for their submit time. */
const kTasksPerClockRead = 64;

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
 * As Python's, it is one first-in-first-out queue of tasks shared by its
 * workers: tasks start in submission order, a worker takes the next one only
 * once it is idle, and a new worker starts (up to `maxWorkers`) whenever
 * tasks wait and no worker is idle. The queue lives in shared memory, so a
 * task reaches an idle worker without a message. Tasks are functions
 * (shipped as source, so they see no variables of the scope they were
 * written in; pass data as arguments) or module targets. An idle pool does
 * not keep the process alive; a pool with work does.
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
  /** The task queue, shared by every worker; its owner words count idle workers and records taken. */
  readonly #tasks: RecordQueue;
  readonly #workers = new Map<number, PoolWorker>();
  #workerCount = 0;
  /** Tasks submitted this turn, not yet in the task queue. */
  #pending: PoolTask[] = [];
  /** Records put into the task queue so far. */
  #putCount = 0;
  /** Tasks cancelled while in the task queue, oldest first: each leaves once a worker has taken (and skipped) it. */
  #cancelledInQueue: PoolTask[] = [];
  /**
   * The tasks in the pool, by job slot (a slot is held from submit until the
   * task leaves): where a worker's report finds its task, with no map of
   * ids to grow and shrink with every burst (~0.5 µs a task).
   */
  readonly #bySlot: (PoolTask | undefined)[] = [];
  /** How many tasks are in the pool. */
  #taskCount = 0;
  readonly #slots = new JobSlots();
  /** How many job-slot slabs every worker has been sent. */
  #slabsSent = 0;
  /** Function numbers by function, and by descriptor (one number per source text). */
  readonly #functionIds = new WeakMap<Function, number>();
  readonly #descriptorIds = new Map<TargetDescriptor | string, number>();
  readonly #descriptors: TargetDescriptor[] = [];
  /** How many functions every worker has been sent. */
  #functionsSent = 0;
  #flushScheduled = false;
  /** How many tasks the batch being gathered ({@link ThreadPoolExecutor.#pending}) takes before it goes into the queue. */
  #batchLimit = kFirstBatch;
  #shutdown = false;
  #broken: BrokenThreadPool | undefined;
  #referenced = false;
  #unrefScheduled = false;
  /** Every shutdown() waiting for the last task to leave. */
  readonly #drained: (() => void)[] = [];
  /** Leaves the registry of things stopOnSignals() stops. */
  readonly #unregister: () => void;
  /** What every task of this pool stops, cancels and settles through (see Future.stopper). */
  readonly #stopper: TaskStopper = {
    request: (task, force) => this.#stopTask(task as PoolTask, force),
    settled: (task) => this.#settled(task as PoolTask),
    tryCancel: (task) => this.#slots.cancel((task as PoolTask).slot),
    hasStarted: (task) => this.#slots.started((task as PoolTask).slot),
  };
  /** Brief waits in a row that missed their result, and lone tasks not waited for since. */
  #briefMisses = 0;
  #briefSkipped = 0;
  readonly #maxTasksPerWorker: number;
  readonly #idleTimeout: number;
  readonly #recordTiming: boolean;
  /** The submit time of the tasks being submitted (one clock read per {@link kTasksPerClockRead} tasks). */
  #batchSubmittedAt = 0;
  /** How the tasks that left the pool ended (see {@link PoolStatistics}). */
  readonly #ended = { completed: 0, failed: 0, cancelled: 0, stopped: 0 };
  readonly #runTimes = new DurationHistogram();
  readonly #waitTimes = new DurationHistogram();

  /**
   * Create a pool; no worker starts until the first task.
   * @throws RangeError if `maxWorkers` or `maxTasksPerWorker` is not an integer ≥ 1, or `idleTimeout`
   *   neither an integer ≥ 1 nor `Infinity`; TypeError for a bad initializer, prefix or `recordTiming`.
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
      maxTasksPerWorker,
      idleTimeout = Infinity,
      recordTiming = true,
    } = options;
    if (typeof maxWorkers !== 'number' || !Number.isInteger(maxWorkers) || maxWorkers < 1) {
      const message = `Expected \`maxWorkers\` to be an integer ≥ 1, got ${describeValue(maxWorkers)}`;
      throw typeof maxWorkers === 'number' ? new RangeError(message) : new TypeError(message);
    }
    if (threadNamePrefix !== undefined && typeof threadNamePrefix !== 'string') {
      throw new TypeError(`Expected \`threadNamePrefix\` to be a string, got ${describeValue(threadNamePrefix)}`);
    }
    if (resourceLimits !== undefined) checkSupported('resourceLimits');
    this.#maxTasksPerWorker =
      maxTasksPerWorker === undefined ? Infinity : checkInteger(maxTasksPerWorker, '`maxTasksPerWorker`', 1);
    this.#idleTimeout = idleTimeout === Infinity ? Infinity : checkInteger(idleTimeout, '`idleTimeout` (ms)', 1);
    if (typeof recordTiming !== 'boolean') {
      throw new TypeError(`Expected \`recordTiming\` to be a boolean, got ${describeValue(recordTiming)}`);
    }
    this.#recordTiming = recordTiming;
    this.#maxWorkers = maxWorkers;
    this.#prefix = threadNamePrefix || `ThreadPoolExecutor-${nextPoolNumber()}`;
    this.#resourceLimits = resourceLimits;
    this.#initializer = initializer === undefined ? undefined : describeTask(initializer, 'initializer');
    if (!Array.isArray(initargs))
      throw new TypeError(`Expected \`initargs\` to be an array, got ${describeValue(initargs)}`);
    // Every worker runs the initializer with a copy: nothing can be moved to all of them.
    new SendPlan('every worker gets its own copy of `initargs` — pass it without move()').add(initargs, 'initargs');
    const encoded = encodeArgs(initargs, 'initializer argument');
    this.#initargs = encoded.value;
    this.#initHasEvents = encoded.hasEvents;
    this.#tasks = RecordQueue.create({
      tag: kPoolQueueId,
      order: Order.fifo,
      capacity: 0,
      dataBytes: kTaskQueueBytes,
      maxDataBytes: kTaskQueueMaxBytes,
    });
    // On SIGINT/SIGTERM (stopOnSignals), a pool cancels what has not started
    // and asks its running tasks to stop.
    this.#unregister = registerStoppable({ stop: (stopOptions) => this.#stopAll(stopOptions) });
  }

  async #stopAll(options: StopOptions | undefined): Promise<StopOutcome> {
    const { timeout, force } = checkStopOptions(options);
    const stops = this.#tasksInOrder().map((task) => task.stop({ timeout, force }));
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
   * copied by structured clone; Events inside them arrive working; buffers
   * and ports marked with {@link move} are moved (detached here when
   * `submit` returns). A MessagePort must be moved.
   *
   * @typeParam F - the task function (or the function a {@link TypedModuleTarget} names); its parameters type `args` and its result types the future.
   * @throws RuntimeError `cannot schedule new futures after shutdown`.
   * @throws BrokenThreadPool if a worker's initializer failed.
   * @throws TypeError if `fn` is neither a function nor a module target, or
   *   an argument cannot be sent (the message names its index), or a move
   *   is wrong or a MessagePort is not moved (the message names its place:
   *   `args[0].data`).
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
    const objects = checkArgs(args, 'argument');
    // Checked before the future exists: a bad move throws here, and nothing is sent.
    const prepared = objects ? prepareSend(args, 'args') : undefined;
    const task = new PoolTask(this.#stopper, fnId, args, this.#slots.acquire());
    // One clock read per 64 tasks, not per task (a read costs ~0.1 µs, ~1%
    // of a trivial task): a task's wait counts from the submit of the first
    // of its 64, at most the time to submit 64 tasks too long.
    if (this.#recordTiming) {
      if (this.#pending.length % kTasksPerClockRead === 0) this.#batchSubmittedAt = sharedNow();
      this.#slots.setSubmittedAt(task.slot, this.#batchSubmittedAt);
    }
    if (prepared !== undefined && prepared.transfer.length > 0) this.#deposit(task, prepared);
    this.#bySlot[task.slot] = task;
    this.#taskCount++;
    // A long burst of submits goes into the queue as it grows, so that the
    // workers start on it while the caller is still submitting, in batches
    // that grow with the burst: each batch is one hold of the queue's lock
    // and, for workers that ran out of tasks, one wake-up. A task with big
    // buffers goes at once, so that its worker runs it while the caller
    // copies the next one's.
    if (this.#pending.push(task) >= this.#batchLimit) {
      this.#batchLimit = Math.min(this.#batchLimit * 2, kLargestBatch);
      this.#flush();
    } else if (task.outOfLine) this.#flush();
    this.#scheduleFlush();
    this.#setReferenced(true);
    return task;
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
    // What was submitted before goes into the queue first: shutdown() lets it run.
    this.#flush();
    this.#shutdown = true;
    // cancel() succeeds on every task no worker has started.
    if (cancelFutures) for (const task of this.#tasksInOrder()) task.cancel();
    const stops: Promise<StopOutcome>[] = [];
    if (stopping !== undefined) {
      for (const task of this.#tasksInOrder()) {
        stops.push(task.stop({ timeout: stopping.timeout, force: stopping.force } satisfies StopOptions));
      }
    }
    // Workers take what is left, then find the queue closed and exit (Python puts a None per worker).
    this.#tasks.close();
    const woundDown = (async () => {
      await Promise.all(stops);
      if (this.#taskCount > this.#cancelledInQueue.length) {
        await new Promise<void>((resolve) => this.#drained.push(resolve));
      }
      await Promise.all([...this.#workers.values()].map((worker) => worker.exited));
      // The queue is closed and every worker gone: what was cancelled in it will never be taken.
      for (const task of this.#cancelledInQueue.splice(0)) this.#retire(task);
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
   * The pool now — workers busy and idle, tasks queued and running — and
   * how the tasks that left it ended, with percentiles of their wait and
   * run times (piscina's and poolifier's statistics, in one call). Cheap
   * enough to poll: its cost grows with the most tasks held at once, not with those run.
   *
   * @example
   * ```ts
   * const { tasks, waitTime } = pool.stats();
   * if (waitTime.p99 > 100) console.warn(`tasks wait ${waitTime.p99} ms (p99); ${tasks.queued} queued`);
   * ```
   */
  stats(): PoolStatistics {
    let queued = 0;
    let running = 0;
    for (const task of this.#bySlot) {
      if (task === undefined || task.done()) continue;
      if (this.#slots.started(task.slot)) running++;
      else queued++;
    }
    let busy = 0;
    for (const worker of this.#workers.values()) if (worker.runningTask !== 0) busy++;
    return {
      workers: { total: this.#workers.size, busy, idle: this.#workers.size - busy },
      tasks: { queued, running, ...this.#ended },
      runTime: this.#runTimes.percentiles(),
      waitTime: this.#waitTimes.percentiles(),
    };
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
      // A task cancelled in the queue is held only until a worker skips it: not counted.
      tasks: this.#tasksInOrder().filter((task) => !task.done()).length,
      queued: this.#pending.length + this.#tasks.size,
    };
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const state = this.#broken ? 'broken' : this.#shutdown ? 'shut down' : 'open';
    return `<ThreadPoolExecutor ${this.#prefix} ${state}, ${this.#workers.size}/${this.#maxWorkers} workers, ${this.#taskCount} tasks>`;
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
      this.#batchLimit = kFirstBatch;
      // A task submitted alone is most often awaited at once (`await pool.submit(…)`).
      const lone = this.#pending.length === 1 ? this.#pending[0] : undefined;
      this.#flush();
      if (lone !== undefined) this.#awaitBriefly(lone);
    });
  }

  /**
   * Put the tasks submitted this turn into the task queue, under one hold
   * of its lock, and start workers for those no idle worker will take — as
   * Python's pool does, a new worker whenever a task waits and no worker is
   * idle, up to maxWorkers. Workers take tasks in the order put, each only
   * once it is idle: a task never waits behind a busy worker while another
   * worker runs a task submitted after it.
   */
  #flush(): void {
    const batch = this.#pending;
    if (batch.length === 0 || this.#broken !== undefined || this.#shutdown) return;
    this.#pending = [];
    // Cancelled before it was queued: it leaves at once.
    let live = batch;
    if (batch.some((task) => task.done())) {
      live = batch.filter((task) => {
        if (!task.done()) return true;
        this.#retire(task);
        return false;
      });
      if (live.length === 0) return;
    }
    // What the tasks need reaches every worker before they can take them.
    this.#sendNews();
    let refused: Set<number> | undefined;
    // (Its workers withdraw what is deposited from this thread, in a browser.)
    forOwnWorkers(() =>
      putRecords(
        this.#tasks,
        live.length,
        (writer, i, limit) => {
          const task = live[i]!;
          // The header (TaskHeader in protocol.ts), then the arguments.
          writer.f64(task.id);
          writer.u32(task.fnId);
          writer.u32(task.slot);
          writer.u32(task.key);
          if (task.deposited === undefined)
            return writeItem(writer, task.args, limit, () => `argument list of task ${task.id}`);
          writeDeposited(writer, task.deposited);
          return task.deposited;
        },
        (i, error) => {
          (refused ??= new Set()).add(i);
          const task = live[i]!;
          task.setException(
            new TypeError(`the task cannot be sent to a worker: ${(error as Error)?.message ?? String(error)}`, {
              cause: error,
            }),
          );
        },
      ),
    );
    for (let i = 0; i < live.length; i++) {
      if (refused?.has(i)) continue;
      const task = live[i]!;
      task.sequence = this.#putCount++;
      // The queue holds the reference now: a worker withdraws it.
      task.deposited = undefined;
    }
    this.#startWorkers();
  }

  /**
   * Send a task whose arguments move or copy big buffers (their transfer
   * list `transfer`) to the relay now, not into the task queue: moved
   * buffers are detached when `submit()` returns, and a big copy is
   * transferred instead of serialized twice (src/thread/move.ts). The
   * queue gets a reference to it (see #flush); the worker that takes the
   * record withdraws it, buffers moved on to it by the relay.
   */
  #deposit(task: PoolTask, { value, transfer, moves }: Prepared<unknown[]>): void {
    task.mark(TaskFlags.outOfLine);
    if (moves) task.mark(TaskFlags.moves);
    try {
      // The argument list only: the record's header stays in the queue (see #flush).
      task.deposited = forOwnWorkers(() => deposit(value, transfer));
    } catch (error) {
      // Something postMessage cannot clone (a URL on Node 20, say): the task fails, as one refused at #flush.
      task.setException(
        new TypeError(`the task cannot be sent to a worker: ${thrownMessage(error)}`, { cause: error }),
      );
    }
  }

  /** Start workers for the tasks waiting in the queue that no idle worker will take. */
  #startWorkers(): void {
    const waiting = this.#tasks.size - Atomics.load(this.#tasks.i32, kOwnerWords + kIdleWorkersWord);
    for (let i = 0; i < waiting && this.#workers.size < this.#maxWorkers; i++) this.#startWorker();
  }

  /** Send every worker the functions and slabs made since it last heard. */
  #sendNews(): void {
    const slabs = this.#slots.slabs;
    const workers = [...this.#workers.values()];
    for (; this.#functionsSent < this.#descriptors.length; this.#functionsSent++) {
      const command = {
        type: 'function',
        id: this.#functionsSent,
        descriptor: this.#descriptors[this.#functionsSent]!,
      } as const;
      for (const worker of workers) worker.send(command);
    }
    for (; this.#slabsSent < slabs.length; this.#slabsSent++) {
      const command = { type: 'slab', index: this.#slabsSent, buffer: slabs[this.#slabsSent]! } as const;
      for (const worker of workers) worker.send(command);
    }
  }

  #startWorker(): PoolWorker {
    const number = ++this.#workerCount;
    const worker = new PoolWorker({
      assignment: {
        name: `${this.#prefix}_${number - 1}`,
        number,
        initializer: this.#initializer,
        initargs: this.#initargs,
        initHasEvents: this.#initHasEvents,
        tasks: this.#tasks.buffer,
        // As of now: later ones reach it through #sendNews.
        functions: this.#descriptors.slice(0, this.#functionsSent),
        slabs: this.#slots.slabs.slice(0, this.#slabsSent),
        maxTasks: this.#maxTasksPerWorker,
        idleTimeout: this.#idleTimeout,
      },
      resourceLimits: this.#resourceLimits,
      onOutcome: (from, outcome) => this.#onOutcome(from, outcome),
      onResult: (from, id, key, slot, value, startedAt, ranFor) =>
        this.#onResult(from, id, key, slot, value, startedAt, ranFor),
      onBroken: (_from, report) => this.#break(report),
      onExit: (from, exit) => this.#onExit(from, exit),
    });
    this.#workers.set(number, worker);
    worker.setReferenced(this.#referenced);
    return worker;
  }

  /**
   * A worker reported a task. Believed only from the worker that started
   * it (its number is in the task's claim) and with the task's key: code
   * in a task can post anything, but cannot know another task's key. A
   * report that does not check out fails the task its worker runs, saying
   * why: no task is left waiting because of what was sent.
   */
  #onOutcome(worker: PoolWorker, outcome: Outcome | RefusedOutcome): void {
    const task = this.#reported(worker, outcome.id, outcome.key, outcome.slot);
    if (task === undefined) return;
    const future = task;
    if (!future.done()) {
      if ('refusal' in outcome) {
        future.setException(
          new TypeError(
            `the worker of task ${outcome.id} sent a malformed report (${outcome.refusal}); the task's own outcome is lost`,
          ),
        );
      } else if (outcome.status === 'stopped') future.settleStopped();
      else if (outcome.status === 'error') future.setException(exceptionOf(outcome, `task ${outcome.id}`));
      // Nothing to revive in the value: as it came, making no garbage.
      else if (!outcome.hasEvents) future.setResult(outcome.value);
      else {
        const returned = resultOf(outcome, `task ${outcome.id}`);
        if ('error' in returned) future.setException(returned.error);
        else future.setResult(returned.value);
      }
      const { startedAt, ranFor } = outcome as Outcome;
      if (this.#recordTiming && typeof startedAt === 'number' && typeof ranFor === 'number')
        this.#recordTimes(task, startedAt, ranFor);
    }
    this.#retire(task);
  }

  /** {@link ThreadPoolExecutor.#onOutcome} for the common case: a result, with nothing to revive in it, from the results queue. */
  #onResult(
    worker: PoolWorker,
    id: number,
    key: number,
    slot: number,
    value: unknown,
    startedAt: number,
    ranFor: number,
  ): void {
    const task = this.#reported(worker, id, key, slot);
    if (task === undefined) return;
    if (!task.done()) {
      task.setResult(value);
      if (this.#recordTiming) this.#recordTimes(task, startedAt, ranFor);
    }
    this.#retire(task);
  }

  /** The task `worker` reported for, if the report checks out (see {@link ThreadPoolExecutor.#onOutcome}). */
  #reported(worker: PoolWorker, id: number, key: number, slot: unknown): PoolTask | undefined {
    const task = typeof slot === 'number' ? this.#bySlot[slot] : undefined;
    if (task === undefined || id !== task.id || key !== task.key) return undefined;
    if (this.#slots.startedBy(task.slot) !== worker.number) return undefined;
    return task;
  }

  /** The task in the pool with this id, if any: a search, for what is rare (a worker's exit). */
  #taskWithId(id: number): PoolTask | undefined {
    if (id === 0) return undefined;
    return this.#bySlot.find((task) => task?.id === id);
  }

  /** The tasks in the pool, in submission order (their ids are). */
  #tasksInOrder(): PoolTask[] {
    return this.#bySlot.filter((task) => task !== undefined).sort((a, b) => a.id - b.id);
  }

  /**
   * A worker exited: the task it ran (if any) ends with the reason; a task
   * it had taken but not started goes back into the queue. Tasks still
   * queued are taken by the other workers, or a new one.
   */
  #onExit(worker: PoolWorker, exit: WorkerExit): void {
    this.#workers.delete(worker.number);
    this.#sweep();
    // A forced stop swapped the running task's id for kDoomed: it is the forced task.
    const task = this.#taskWithId(worker.forcedTask ?? worker.runningTask);
    if (task !== undefined && !task.retired) {
      const startedBy = this.#slots.startedBy(task.slot);
      if (startedBy === worker.number) {
        if (worker.forcedTask === task.id) task.settleStopped();
        else if (!task.done()) {
          const reason = exitReasonOf(exit.error, exit.terminated);
          task.setException(exitError('the task', reason, exit.code, { replaced: true, cause: exit.error }));
        }
        this.#retire(task);
      } else if (startedBy === 0 && task.done()) {
        // Cancelled, taken by this worker as it died: nobody else will take it.
        this.#retire(task);
      } else if (startedBy === 0 && task.moves) {
        // Taken, never started, and what it moved went with the worker: it cannot be sent again.
        const reason = exitReasonOf(exit.error, exit.terminated);
        task.setException(
          new ThreadExitError(
            `the worker that took the task ended (${reason}) before the task started, and the buffers or ports its arguments moved were lost with it`,
            reason,
            exit.code,
            { cause: exit.error },
          ),
        );
        this.#retire(task);
      } else if (startedBy === 0 && !this.#shutdown) {
        // Taken, never started: run it elsewhere (copying its big buffers again).
        task.sequence = -1;
        if (task.outOfLine) this.#deposit(task, prepareSend(task.args, 'args'));
        this.#pending.push(task);
        this.#scheduleFlush();
      } else if (startedBy === 0) {
        // Taken, never started, and the queue is closed: it cannot run now.
        const reason = exitReasonOf(exit.error, exit.terminated);
        task.setException(exitError('the task', reason, exit.code, { cause: exit.error }));
        this.#retire(task);
      }
    }
    if (this.#broken !== undefined || this.#shutdown) return;
    // Exited of its own accord, between tasks (maxTasksPerWorker, idleTimeout):
    // a worker for the tasks waiting, if any.
    if (exit.code === 0 && !exit.terminated && task === undefined) this.#startWorkers();
    // Keep the pool at strength after a crash or a forced stop: the next
    // task finds a worker booted.
    else this.#startWorker();
  }

  /** Count a task's wait (submit → start) and run time, as its worker measured them. */
  #recordTimes(task: PoolTask, startedAt: number, ranFor: number): void {
    this.#waitTimes.record(startedAt - this.#slots.submittedAt(task.slot));
    this.#runTimes.record(ranFor);
  }

  /** A task's future settled: unless it is still in the queue (a worker will take and skip it), it leaves. */
  #settled(task: PoolTask): void {
    if (task.sequence === -1 || this.#slots.started(task.slot)) return;
    // Cancelled in the queue: it leaves once a worker has taken it (see #sweep).
    this.#cancelledInQueue.push(task);
    this.#sweep();
  }

  /**
   * Let go of cancelled tasks the workers have taken from the queue since:
   * only then may their job slots be reused, since a worker claims a task's
   * slot when it takes it.
   */
  #sweep(): void {
    const taken = Atomics.load(this.#tasks.i32, kOwnerWords + kTakenWord);
    const queue = this.#cancelledInQueue;
    let done = 0;
    while (done < queue.length && queue[done]!.sequence < taken) this.#retire(queue[done++]!);
    if (done > 0) this.#cancelledInQueue = queue.slice(done);
  }

  /** A task leaves the pool: its slot is free, and the pool may go idle. */
  #retire(task: PoolTask): void {
    if (task.retired) return;
    task.mark(TaskFlags.retired);
    if (task.cancelled()) this.#ended[this.#slots.started(task.slot) ? 'stopped' : 'cancelled']++;
    else if (task.exceptionNow() !== undefined) this.#ended.failed++;
    else this.#ended.completed++;
    this.#bySlot[task.slot] = undefined;
    this.#taskCount--;
    this.#slots.release(task.slot);
    // Never put into the queue (cancelled before, or the pool broke): nobody will withdraw it.
    if (task.deposited !== undefined) discard(task.deposited);
    if (this.#cancelledInQueue.length > 0) this.#sweep();
    if (this.#taskCount === this.#cancelledInQueue.length) this.#idleNow();
  }

  /** No task left but cancelled ones the workers will skip: the pool may let the process exit, and shutdown() go on. */
  #idleNow(): void {
    this.#scheduleUnref();
    for (const resolve of this.#drained.splice(0)) resolve();
  }

  /**
   * The only task in the pool, submitted alone in its turn and just queued
   * — `await pool.submit(…)`, one task after another: watch the workers'
   * ports for up to kBriefWaitMs and take the result synchronously, so the
   * caller's continuation runs without a trip through the event loop (a
   * wake-up from it costs 15-20 µs on a VM — most of a round trip).
   * Meanwhile the workers spin on the task queue between tasks (`eager`)
   * instead of sleeping, since the next task follows each result within
   * microseconds. Python's `future.result()` blocks its caller outright;
   * this blocks the event loop for at most kBriefWaitMs, and stops after
   * kBriefMisses waits in a row that missed (tasks too long to wait for:
   * started, but not done in time), trying again every kBriefRetry lone tasks.
   */
  #awaitBriefly(task: PoolTask): void {
    if (this.#taskCount !== 1 || this.#broken !== undefined) return;
    if (this.#briefMisses >= kBriefMisses && ++this.#briefSkipped % kBriefRetry !== 0) return;
    if (this.#workers.size === 0 || task.done()) return;
    const workers = [...this.#workers.values()];
    for (const worker of workers) worker.setEager(true);
    const until = performance.now() + kBriefWaitMs;
    while (!task.done() && performance.now() < until) for (const worker of workers) worker.poll();
    if (task.done()) {
      this.#briefMisses = 0;
      return;
    }
    // Only a task that ran past the wait counts as a miss: one no worker
    // had started yet was late to wake (a slow host), not long.
    if (!this.#slots.started(task.slot)) return;
    if (++this.#briefMisses >= kBriefMisses) for (const worker of workers) worker.setEager(false);
  }

  /** Set the task's stop request; with `force`, terminate its worker if the task is running there. True if terminated. */
  #stopTask(task: PoolTask, force: boolean): boolean {
    this.#slots.requestStop(task.slot);
    if (!force) return false;
    // Not started yet: its stop request is set, so the worker skips it.
    // Already ended: its report is on the way.
    const worker = this.#workers.get(this.#slots.startedBy(task.slot));
    return worker?.terminateRunning(task.id) ?? false;
  }

  #break(report: BrokenReport): void {
    if (this.#broken !== undefined) return;
    const cause = deserializeError(report.error);
    this.#broken = new BrokenThreadPool(
      `a worker initializer failed, so the pool cannot run tasks: ${thrownMessage(cause)}`,
      { cause },
    );
    closeItems(this.#tasks, true);
    this.#pending = [];
    this.#cancelledInQueue = [];
    for (const task of this.#tasksInOrder()) {
      if (!task.done()) task.setException(this.#broken);
      this.#retire(task);
    }
  }

  /**
   * Let the process exit once the pool stays idle past this turn of the
   * event loop — not at once, so that a caller submitting one task after
   * another does not flip the workers' refs on every task.
   */
  #scheduleUnref(): void {
    if (this.#unrefScheduled) return;
    this.#unrefScheduled = true;
    afterThisTurn(() => {
      this.#unrefScheduled = false;
      if (this.#taskCount === this.#cancelledInQueue.length) this.#setReferenced(false);
    });
  }

  #setReferenced(referenced: boolean): void {
    if (this.#referenced === referenced) return;
    this.#referenced = referenced;
    for (const worker of this.#workers.values()) worker.setReferenced(referenced);
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
