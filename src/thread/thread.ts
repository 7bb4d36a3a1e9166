import {
  isMainThread,
  MessageChannel,
  parentPort,
  workerData,
  type MessagePort,
  type ResourceLimits,
} from 'node:worker_threads';
import { describeValue, RuntimeError, ThreadExitError } from '../errors.js';
import { checkSupported } from '../platform.js';
import type { Event } from '../sync/event.js';
import { deadlineAfter, remainingUntil, sharedNow, toTimeoutMs } from '../sync/timeout.js';
import { keepingAlive, waitAsyncFor } from '../sync/wait-async.js';
import { ControlBlock, EndReason, kState, ThreadState } from './control-block.js';
import { reportThreadException } from './excepthook.js';
import {
  launchOnSeat,
  prepareStandby,
  returnSeat,
  setSpawnRequestHandler,
  spawnWorker,
  takeSeat,
  terminateThread,
  workerArgv,
  type SpawnedWorker,
} from './hub.js';
import { kMainIdent, globalsBuffer, nextIdent, nextThreadNumber } from './globals.js';
import type { SpawnRequest, TargetDescriptor, ThreadJob, WorkerBoot } from './protocol.js';
import {
  checkStopOptions,
  registerStoppable,
  unregisterStoppable,
  type StopOptions,
  type StopOutcome,
  type Stoppable,
} from './stoppables.js';
import {
  describeFunction,
  describeModuleTarget,
  describeSubclass,
  isModuleTarget,
  noteTarget,
  type ModuleTarget,
} from './target.js';
import { exceptionOf, resultOf, takeOutcomes, type Outcomes } from './outcome.js';
import { encodeLaunch, launchProblem, markUnsendable, whyUncloneable } from './transfer.js';

/** Options of a {@link Thread}. */
export interface ThreadOptions<A extends unknown[] = unknown[], R = unknown> {
  /**
   * What the thread runs: a function (its source is sent to the thread, so it
   * may use globals, `await import()` and skein's exports, but no variables
   * of the scope it was written in), or a {@link ModuleTarget} whose module is
   * imported in the thread with its own imports.
   * Default: none — `run()` does nothing unless a subclass overrides it.
   */
  target?: ((...args: A) => R) | ModuleTarget;
  /**
   * Arguments for the target. They are copied to the thread by structured
   * clone; an {@link Event} anywhere inside arrives as a working Event on the
   * same memory. Default: `[]`.
   */
  args?: NoInfer<A>;
  /** The thread's name. Default: `Thread-N (target)`. A non-string is converted; an empty one means the default. */
  name?: string | number;
  /**
   * A daemon thread does not keep the process alive and is ended when the
   * process exits. Default: the daemon status of the creating thread
   * (`false` on the main thread).
   */
  daemon?: boolean;
  /**
   * Memory limits for the thread's worker; exceeding them ends the thread
   * with a `ThreadExitError`. Node.js only: on Bun and Deno the constructor
   * throws `NotSupportedError`.
   */
  resourceLimits?: ResourceLimits;
  /**
   * Requests the thread's stop when it aborts — the platform's cancellation
   * (a request's signal, `AbortSignal.timeout(ms)`) reaching a thread busy
   * in synchronous code, through its `stopEvent()`. A signal already aborted
   * at `start()` starts the thread with its stop requested. The signal is
   * watched on the event loop of the thread that starts this one.
   * Default: none.
   * @example
   * ```ts
   * new Thread({ target: render, args: [page], signal: request.signal }); // client gone → render stops
   * ```
   */
  signal?: AbortSignal;
  /**
   * The most milliseconds the thread may run: this long after `start()`,
   * its stop request sets itself (a deadline). The thread is asked, not
   * terminated — as with {@link Thread.stop}, it stops when it checks
   * `stopEvent()`. The main thread keeps the time (so the deadline holds
   * even after the thread that started this one has ended); it does not
   * keep the process alive. `0` starts the thread with its stop requested.
   * Default: none.
   * @example
   * ```ts
   * new Thread({ target: search, args: [board], timeout: 30_000 }); // best move found in 30 s
   * ```
   */
  timeout?: number;
}

type Role = 'new' | 'self' | 'remote' | 'main' | 'main-view';

interface Adoption {
  role: Exclude<Role, 'new'>;
  boot?: WorkerBoot;
  ident?: number;
  target?: Function;
  args?: unknown[];
}

const kAdopt = Symbol('skein.adopt');
/** @internal The key of a Thread's method that requests its stop, even before start(). */
export const kRequestStop: unique symbol = Symbol('skein.requestStop');

interface Realm {
  /** The thread running this realm's code. */
  current: Thread | undefined;
  /** The main thread's object (in a worker, a view of it). */
  main: Thread | undefined;
  /** Threads alive that this realm knows of, for enumerate(). */
  live: Set<Thread>;
  /** In a pool worker, the stop request of the task running now. */
  taskStop?: (() => Event | undefined) | undefined;
}

// One realm per JavaScript thread, shared by every copy of skein loaded in it.
const kRealm = Symbol.for('skein.realm');
const realm: Realm = ((globalThis as { [kRealm]?: Realm })[kRealm] ??= {
  current: undefined,
  main: undefined,
  live: new Set(),
});

/** In a worker, the loader hints it was launched with, passed on to the threads it starts. */
function inheritedLoaderHints(): string[] {
  return (workerData as { skein?: WorkerBoot } | null)?.skein?.loaderHints ?? [];
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    // Reading `then` throws (a getter, a Proxy): awaiting it rejects with that error, as a promise would.
    return true;
  }
}

/**
 * A thread of execution on its own worker thread: Python's
 * `threading.Thread`.
 *
 * Give it a `target` (a function, or a {@link ModuleTarget}) and `args`, or
 * subclass it and override {@link Thread.run}. Nothing runs until
 * {@link Thread.start}. A thread is stopped by asking it — through an
 * {@link Event} it checks, or its built-in stop request — and then joined.
 *
 * @example
 * ```ts
 * const event = new Event();
 * const thread = new Thread({ target: task, args: [event] });
 * thread.start();
 * await sleep(3000);
 * event.set();
 * await thread.join();
 * ```
 */
export class Thread<R = unknown, A extends unknown[] = unknown[]> {
  #role: Role = 'new';
  #target: Function | ModuleTarget | undefined;
  #args: unknown[] = [];
  #name = '';
  #daemon = false;
  #resourceLimits: ResourceLimits | undefined;
  #ident: number | undefined;
  #control: ControlBlock | undefined;
  #port: MessagePort | undefined;
  #started = false;
  #finalized = false;
  #result: unknown;
  #exception: unknown;
  #exit: Promise<unknown> | undefined;
  #exitDetail: unknown;
  #signal: AbortSignal | undefined;
  #timeout = Infinity;
  /** A stop requested before start() (a cancelled Timer): set on the control block when it exists. */
  #stopEarly = false;
  /** Undoes what start() armed to request the stop later (the signal listener). */
  #disarm: (() => void) | undefined;
  /** This thread in the stoppables registry; a subclass's own `stop` member cannot shadow it. */
  #stoppable: Stoppable | undefined;

  /**
   * Create a thread. Nothing runs until {@link Thread.start}.
   *
   * @throws TypeError if `target` is neither a function nor a module target,
   *   if a module target's path is relative or does not exist, if `args`
   *   is not an array, if `signal` is not an AbortSignal, or if `timeout`
   *   is not a number (RangeError if it is NaN).
   * @throws NotSupportedError if `resourceLimits` is given on Bun or Deno.
   */
  constructor(options?: ThreadOptions<A, R>) {
    const adoption = (options as { [kAdopt]?: Adoption } | undefined)?.[kAdopt];
    if (adoption !== undefined) {
      this.#adopt(adoption);
      return;
    }
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new TypeError(`Expected \`options\` to be an object, got ${describeValue(options)}`);
    }
    const { target, args, name, daemon, resourceLimits, signal, timeout } = options ?? {};
    if (target !== undefined && target !== null) {
      if (typeof target === 'function') {
        this.#target = target;
        noteTarget(target); // where it was written, for its frames in the thread
      } else if (isModuleTarget(target)) {
        describeModuleTarget(target); // validate now: bad input fails at construction
        this.#target = target;
      } else {
        throw new TypeError(
          `Expected \`target\` to be a function or a module target { module, export? }, got ${describeValue(target)}`,
        );
      }
    }
    if (args !== undefined && args !== null) {
      if (typeof args === 'string' || typeof (args as Iterable<unknown>)[Symbol.iterator] !== 'function') {
        throw new TypeError(`Expected \`args\` to be an array of arguments, got ${describeValue(args)}`);
      }
      this.#args = [...(args as Iterable<unknown>)];
    }
    if (name === undefined || name === null || name === '') {
      const number = nextThreadNumber();
      const targetName = this.#targetName();
      this.#name = targetName ? `Thread-${number} (${targetName})` : `Thread-${number}`;
    } else {
      this.#name = String(name);
    }
    this.#daemon = daemon === undefined || daemon === null ? currentThread().daemon : Boolean(daemon);
    // Refused on runtimes that ignore limits or never report a worker stopped by them.
    if (resourceLimits !== undefined && resourceLimits !== null) checkSupported('resourceLimits');
    this.#resourceLimits = resourceLimits;
    // Start booting a standby worker now, so that start() finds one ready.
    prepareStandby();
    if (signal !== undefined && signal !== null) {
      if (!(signal instanceof AbortSignal)) {
        throw new TypeError(`Expected \`signal\` to be an AbortSignal, got ${describeValue(signal)}`);
      }
      this.#signal = signal;
    }
    this.#timeout = toTimeoutMs(timeout, 'timeout');
  }

  #adopt(adoption: Adoption): void {
    this.#role = adoption.role;
    this.#started = true;
    const boot = adoption.boot;
    if (boot === undefined) {
      // The main thread, seen from itself or from a worker.
      this.#name = 'MainThread';
      this.#ident = kMainIdent;
      if (adoption.role === 'main') {
        this.#control = ControlBlock.create();
        this.#control.markStarted(kMainIdent);
        this.#control.markRunning();
      }
      return;
    }
    this.#name = boot.name;
    this.#ident = adoption.ident ?? ControlBlock.fromBuffer(boot.control).ident;
    this.#daemon = boot.daemon;
    this.#control = ControlBlock.fromBuffer(boot.control);
    this.#target = adoption.target;
    this.#args = adoption.args ?? [];
  }

  #targetName(): string {
    const target = this.#target;
    if (typeof target === 'function') return target.name;
    if (target !== undefined) return target.export ?? 'default';
    return '';
  }

  /**
   * What the thread does; runs in the new thread once {@link Thread.start}
   * is called. By default it calls the target with the args. Override it in
   * a subclass; the subclass's own public fields are copied to the thread
   * (Events in them arrive working), its constructor is not run again there.
   * May return a promise: the thread ends when it settles.
   */
  run(): unknown {
    const target = this.#target;
    if (target === undefined) return undefined;
    if (typeof target === 'function') return target(...this.#args);
    const { url, exportName } = describeModuleTarget(target) as Extract<TargetDescriptor, { kind: 'module' }>;
    return import(url).then((module: Record<string, unknown>) => {
      const fn = module[exportName];
      if (typeof fn !== 'function') throw new TypeError(`module ${url} has no function export \`${exportName}\``);
      return fn(...this.#args);
    });
  }

  /**
   * Start the thread: its {@link Thread.run} begins in a new worker thread.
   * Returns at once; {@link Thread.isAlive} is true from now until the
   * thread ends.
   *
   * @throws RuntimeError `threads can only be started once` on a second call.
   * @throws TypeError if an argument (or a subclass field) cannot be sent to
   *   a thread — the message names it and says why.
   */
  start(): void {
    if (this.#started) throw new RuntimeError('threads can only be started once');
    const subclassRuns = Object.getPrototypeOf(this).run !== Thread.prototype.run;
    const ident = nextIdent();
    if (this.#target === undefined && !subclassRuns) {
      // Nothing to run: the thread starts and ends at once, as Python's does.
      const control = ControlBlock.create();
      if (this.#stopEarly || this.#signal?.aborted) control.stopEvent.set();
      this.#started = true;
      this.#ident = ident;
      this.#control = control;
      control.markStarted(ident);
      control.end(EndReason.returned);
      this.#finalized = true;
      return;
    }
    const target = this.#target;
    const descriptor =
      target === undefined
        ? undefined
        : typeof target === 'function'
          ? describeFunction(target)
          : describeModuleTarget(target);
    const subclass = subclassRuns ? describeSubclass(this.constructor, Thread) : undefined;
    const fields = subclassRuns ? ({ ...this } as Record<string, unknown>) : undefined;
    const encoded = encodeLaunch(this.#args, fields, { name: this.#name, className: this.constructor.name });
    const loaderHints = isMainThread ? workerArgv.loaderHints : inheritedLoaderHints();
    const job: ThreadJob = {
      ident,
      name: this.#name,
      daemon: this.#daemon,
      loaderHints,
      ownerControl: isMainThread ? undefined : currentThread().#control?.buffer,
      target: descriptor,
      subclass,
      args: encoded.value[0],
      fields: encoded.value[1],
      hasEvents: encoded.hasEvents,
    };
    const stopAt = this.#timeout === Infinity ? Infinity : sharedNow() + this.#timeout;
    // A standby worker waits with this thread's control block and port made
    // (main thread, no limits): else both are made now, for a new worker.
    const seat = this.#resourceLimits === undefined ? takeSeat() : undefined;
    const control = seat?.control ?? ControlBlock.create();
    const channel = seat === undefined ? new MessageChannel() : undefined;
    const port = seat?.port ?? channel!.port2;
    try {
      // The job goes into the port first: an argument that cannot be cloned
      // fails here, before any worker exists or is woken.
      port.postMessage(job);
    } catch (error) {
      if (seat !== undefined) returnSeat(seat);
      channel?.port1.close();
      channel?.port2.close();
      throw this.#explainLaunchFailure(error, fields);
    }
    // A stop asked for before start(): set before the worker can run.
    if (this.#stopEarly || this.#signal?.aborted) control.stopEvent.set();
    this.#started = true;
    this.#ident = ident;
    this.#control = control;
    this.#port = port;
    control.markStarted(ident);
    if (seat !== undefined) {
      this.#attachWorker(launchOnSeat(seat, { daemon: this.#daemon, stopAt }));
    } else {
      const boot: WorkerBoot = {
        kind: 'thread',
        name: this.#name,
        daemon: this.#daemon,
        control: control.buffer,
        globals: globalsBuffer,
        port: channel!.port1,
        resourceLimits: this.#resourceLimits,
        stopAt,
        loaderHints,
      };
      try {
        if (isMainThread) this.#attachWorker(spawnWorker(boot));
        else parentPort!.postMessage({ type: 'skein:spawn', boot } satisfies SpawnRequest, [channel!.port1]);
      } catch (error) {
        // The worker could not be created: the thread never started.
        control.markUnstarted();
        this.#started = false;
        this.#ident = undefined;
        this.#control = undefined;
        this.#port = undefined;
        channel!.port1.close();
        channel!.port2.close();
        throw error;
      }
    }
    this.#armStopRequest(control);
    this.#register();
  }

  /** Request the stop when the signal aborts, until the thread ends. (The hub enforces the deadline.) */
  #armStopRequest(control: ControlBlock): void {
    const signal = this.#signal;
    if (signal === undefined || signal.aborted) return;
    const request = (): void => control.stopEvent.set();
    signal.addEventListener('abort', request, { once: true });
    this.#disarm = () => signal.removeEventListener('abort', request);
  }

  /** Count the started thread as live (enumerate, stopOnSignals) and settle it when it ends. */
  #register(): void {
    realm.live.add(this);
    this.#stoppable = { stop: (options) => this.#stop(checkStopOptions(options)) };
    registerStoppable(this.#stoppable);
    this.#watch();
  }

  static {
    if (isMainThread) setSpawnRequestHandler((request, ownerIdent) => Thread.#serveSpawnRequest(request, ownerIdent));
  }

  /** On the hub: the thread `ownerIdent` asked for a thread to be started on its behalf. */
  static #serveSpawnRequest(request: SpawnRequest, ownerIdent: number): void {
    const remote = Thread[kAdopt](Thread, { role: 'remote', boot: request.boot });
    try {
      remote.#attachWorker(spawnWorker(request.boot, ownerIdent));
    } catch {
      // Worker creation itself failed: end the thread so that its owner
      // does not wait forever.
      ControlBlock.fromBuffer(request.boot.control).end(EndReason.crashed, 1);
      return;
    }
    remote.#register();
  }

  #attachWorker(spawned: SpawnedWorker): void {
    this.#exit = spawned.exited.then((exit) => {
      this.#exitDetail = exit.error;
    });
  }

  #explainLaunchFailure(error: unknown, fields: Record<string, unknown> | undefined): unknown {
    if ((error as { name?: unknown } | null)?.name !== 'DataCloneError') return error;
    const thread = { name: this.#name, className: this.constructor.name };
    return launchProblem(this.#args, fields, thread, whyUncloneable, error) ?? error;
  }

  /** Watch the control block and settle the thread once it ends, even if nobody joins it. */
  #watch(): void {
    const control = this.#control!;
    const check = (): void => {
      const state = control.state;
      if (state === ThreadState.ended) this.#finalize();
      else void waitAsyncFor(control.i32, kState, state, Infinity, false).then(check);
    };
    check();
  }

  /**
   * Take in the thread's outcome once its control block says it ended:
   * the result or error from its port, or what the end reason tells.
   * Reports an error to the excepthook exactly once.
   */
  #finalize(): void {
    if (this.#finalized) return;
    this.#finalized = true;
    realm.live.delete(this);
    if (this.#stoppable !== undefined) unregisterStoppable(this.#stoppable);
    this.#disarm?.();
    this.#disarm = undefined;
    const control = this.#control!;
    let outcomes: Outcomes = {};
    if (this.#port !== undefined) {
      outcomes = takeOutcomes(this.#port);
      this.#port.close();
      this.#port = undefined;
    }
    if (this.#role === 'remote') return; // its owner, in another thread, takes the outcome
    const reason = control.endReason;
    const code = control.exitCode;
    const label = `thread "${this.#name}"`;
    switch (reason) {
      case EndReason.returned: {
        const returned = resultOf(outcomes, label);
        if ('error' in returned) this.#exception = returned.error;
        else this.#result = returned.value;
        break;
      }
      case EndReason.raised:
        this.#exception = exceptionOf(outcomes, label);
        break;
      case EndReason.exited:
        if (code !== 0) this.#exception = new ThreadExitError(`${label} called process.exit(${code})`, 'exit', code);
        break;
      case EndReason.outOfMemory:
        this.#exception = new ThreadExitError(
          `${label} ran out of memory: its worker was stopped at the resourceLimits it was given`,
          'out-of-memory',
          code,
        );
        break;
      case EndReason.crashed:
        this.#exception = new ThreadExitError(
          `${label} crashed: its worker ended unexpectedly with exit code ${code}`,
          'crashed',
          code,
          this.#exitDetail === undefined ? undefined : { cause: this.#exitDetail },
        );
        break;
      case EndReason.terminated:
        // A forced stop: its owner asked for it, so the hook is not told.
        this.#exception = new ThreadExitError(
          `${label} was terminated by a forced stop before it finished: its \`finally\` blocks did not run`,
          'terminated',
          code,
        );
        return;
      default:
        break;
    }
    if (this.#exception !== undefined) reportThreadException(this, this.#exception);
  }

  #checkJoinable(): ControlBlock {
    if (this.#role === 'self') throw new RuntimeError('cannot join current thread');
    if (this.#role === 'main' || this.#role === 'main-view') {
      throw new RuntimeError(this === realm.current ? 'cannot join current thread' : 'cannot join the main thread');
    }
    if (!this.#started || this.#control === undefined)
      throw new RuntimeError('cannot join thread before it is started');
    return this.#control;
  }

  /**
   * Wait for the thread to end, without blocking the event loop.
   *
   * Resolves `true` once the thread has ended (its result or exception is
   * then available), or `false` if `timeoutMs` elapsed first — the thread
   * keeps running. It never rejects because the target threw; see
   * {@link Thread.exception}. A pending join keeps the process alive.
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means forever, negative acts as 0.
   * @throws (rejects) RuntimeError `cannot join thread before it is started`,
   *   `cannot join current thread`; TypeError/RangeError for a bad timeout.
   * @example
   * ```ts
   * thread.start();
   * if (!(await thread.join(5_000))) console.log('still running after 5 s');
   * else if (thread.exception) console.error(thread.exception);
   * else console.log(thread.result);
   * ```
   */
  async join(timeoutMs?: number): Promise<boolean> {
    const timeout = toTimeoutMs(timeoutMs);
    const control = this.#checkJoinable();
    const deadline = deadlineAfter(timeout);
    for (;;) {
      const state = control.state;
      if (state === ThreadState.ended) break;
      const left = remainingUntil(deadline);
      if (left === 0) return false;
      await waitAsyncFor(control.i32, kState, state, left);
    }
    this.#finalize();
    // On the hub, also wait for the worker itself to be gone.
    if (this.#exit !== undefined) await keepingAlive(this.#exit);
    return true;
  }

  /**
   * Block the calling thread until the thread ends or `timeoutMs` elapses —
   * Python's `join()`. On the main thread this blocks the event loop; prefer
   * {@link Thread.join} there.
   *
   * @returns true if the thread has ended, false on timeout.
   * @throws RuntimeError as {@link Thread.join}; TypeError/RangeError for a bad timeout.
   * @example
   * ```ts
   * // Inside a thread, where blocking is the point:
   * const helper = new Thread({ target: () => 42 });
   * helper.start();
   * helper.joinSync();
   * ```
   */
  joinSync(timeoutMs?: number): boolean {
    const timeout = toTimeoutMs(timeoutMs);
    const control = this.#checkJoinable();
    const deadline = deadlineAfter(timeout);
    for (;;) {
      const state = control.state;
      if (state === ThreadState.ended) break;
      const left = remainingUntil(deadline);
      if (left === 0) return false;
      Atomics.wait(control.i32, kState, state, left);
    }
    this.#finalize();
    return true;
  }

  /**
   * Ask the thread to stop, then report how it ended — the writer's side of
   * the thread's built-in stop request, which the thread reads with
   * `stopEvent()` (or `throwIfStopped()`).
   *
   * The request is set at once, before this returns; asking again does
   * nothing more. The promise then resolves:
   * - `"stopped"` once the thread has ended on its own — it saw the request
   *   (its `finally` blocks ran), or had already ended for any reason;
   * - `"forced"` if it had not ended by `timeout` and `force` was given: its
   *   worker was terminated, no `finally` ran, and {@link Thread.exception}
   *   is a `ThreadExitError` with reason `"terminated"` (not reported to
   *   the excepthook: the owner asked for it);
   * - `"alive"` if it had not ended by `timeout` and `force` was not given;
   *   it keeps running, its stop still requested.
   *
   * A thread busy in synchronous code that never checks its stop request
   * only ends by force. A pending `stop()` keeps the process alive, as
   * {@link Thread.join} does.
   *
   * @param options.timeout - milliseconds to wait for the thread to end; omitted means until it ends, negative acts as 0.
   * @param options.force - terminate the thread if it has not ended by `timeout`.
   * @throws (synchronously) TypeError if `timeout` is not a number, `force`
   *   not a boolean, or `force` is given without a `timeout`; RangeError if
   *   `timeout` is NaN.
   * @throws (synchronously) RuntimeError `cannot stop thread before it is
   *   started`, `cannot stop current thread`, `cannot stop the main thread`.
   * @example
   * ```ts
   * const outcome = await thread.stop({ timeout: 2_000, force: true });
   * if (outcome === 'forced') console.warn(`${thread.name} ignored the stop request`);
   * ```
   */
  stop(options?: StopOptions): Promise<StopOutcome> {
    const checked = checkStopOptions(options);
    if (this.#role === 'self' || this === realm.current) {
      throw new RuntimeError(
        'cannot stop current thread: return from run(), or call throwIfStopped() after stopEvent().set()',
      );
    }
    if (this.#role === 'main' || this.#role === 'main-view') {
      throw new RuntimeError('cannot stop the main thread: it is stopped by the process ending (see stopOnSignals())');
    }
    if (!this.#started || this.#control === undefined)
      throw new RuntimeError('cannot stop thread before it is started');
    return this.#stop(checked);
  }

  /** Set the stop request (synchronously: before the first await), then wait and report. */
  async #stop({ timeout, force }: { timeout: number; force: boolean }): Promise<StopOutcome> {
    const control = this.#control!;
    control.stopEvent.set();
    if (!(await this.join(timeout))) {
      if (!force) return 'alive';
      terminateThread(this.#ident!);
      await this.join();
    }
    return control.endReason === EndReason.terminated ? 'forced' : 'stopped';
  }

  /** Whether the thread is running: true from {@link Thread.start} returning until it has ended. */
  isAlive(): boolean {
    return this.#started && this.#control !== undefined && this.#control.state !== ThreadState.ended;
  }

  /** The thread's name, for identification only. Default `Thread-N (target)`; the main thread is `MainThread`. */
  get name(): string {
    return this.#name;
  }

  /** Rename the thread; a non-string is converted. Allowed at any time, as in Python. */
  set name(value: string) {
    this.#name = String(value);
  }

  /**
   * Whether this is a daemon thread, which does not keep the process alive.
   * @throws RuntimeError when set after the thread has started.
   */
  get daemon(): boolean {
    return this.#daemon;
  }

  /**
   * Make the thread a daemon (or not) before it starts.
   * @throws RuntimeError `cannot set daemon status of active thread` once started.
   */
  set daemon(value: boolean) {
    if (this.#started) throw new RuntimeError('cannot set daemon status of active thread');
    this.#daemon = Boolean(value);
  }

  /** A number identifying the thread in this process, or `undefined` before it starts. */
  get ident(): number | undefined {
    return this.#ident;
  }

  /** What `run()` returned (or its promise fulfilled with), once the thread has ended; `undefined` before. */
  get result(): Awaited<R> | undefined {
    return this.#result as Awaited<R> | undefined;
  }

  /**
   * The uncaught error that ended the thread, with the thread's own stack,
   * name, message and own properties; `undefined` if it ended normally or by
   * a stop request.
   */
  get exception(): unknown {
    return this.#exception;
  }

  /** @internal The stop request of this thread. */
  get stopEventOf(): Event | undefined {
    return this.#control?.stopEvent;
  }

  /** @internal Set the stop request now, or when the thread starts (a Timer cancelled early). */
  [kRequestStop](): void {
    if (this.#control !== undefined) this.#control.stopEvent.set();
    else this.#stopEarly = true;
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const status = !this.#started ? 'initial' : this.isAlive() ? `started ${this.#ident}` : 'stopped';
    return `<${this.constructor.name}(${this.#name}, ${status}${this.#daemon ? ' daemon' : ''})>`;
  }

  /** @internal Build the object of a thread that already exists (see {@link adoptThread}). */
  static [kAdopt](cls: Function, adoption: Adoption): Thread {
    return Reflect.construct(Thread, [{ [kAdopt]: adoption }], cls) as Thread;
  }
}

markUnsendable(
  Thread,
  "a Thread, whose handle stays in the thread that created it: pass what the other thread needs (an Event to wait on, the thread's result once joined)",
);

/**
 * @internal Build the Thread object of a thread that already runs: the
 * worker's own thread (`self`), possibly of a subclass `cls`. Unless
 * `becomeCurrent` is false (a standby worker rehearsing a start), it is
 * what `currentThread()` returns from now on in this worker.
 */
export function adoptThread(
  cls: Function,
  identity: Pick<WorkerBoot, 'name' | 'daemon' | 'control'> & { ident: number },
  target: Function | undefined,
  args: unknown[],
  becomeCurrent = true,
): Thread {
  const boot = identity as unknown as WorkerBoot;
  const thread = Thread[kAdopt](cls, {
    role: 'self',
    boot,
    ident: identity.ident,
    ...(target ? { target } : {}),
    args,
  });
  if (becomeCurrent) realm.current = thread;
  return thread;
}

/**
 * The Thread object of the calling thread: Python's `threading.current_thread()`.
 * On the main thread it is {@link mainThread}; inside a thread, that thread's
 * own object (of its subclass, if any).
 *
 * @example
 * ```ts
 * console.log(`${currentThread().name} starting`);
 * ```
 */
export function currentThread(): Thread {
  return (realm.current ??= mainThread());
}

/** The Thread object of the main thread (`MainThread`): Python's `threading.main_thread()`. */
export function mainThread(): Thread {
  return (realm.main ??= Thread[kAdopt](Thread, { role: isMainThread ? 'main' : 'main-view' }));
}

/**
 * The threads alive that the calling thread knows of, the main thread and
 * the caller included: Python's `threading.enumerate()`. On the main thread
 * this is every thread skein runs in the process; in a worker, the main
 * thread, the worker's own thread and the threads it started.
 */
export function enumerate(): Thread[] {
  const threads = new Set<Thread>([mainThread()]);
  threads.add(currentThread());
  for (const thread of realm.live) if (thread.isAlive()) threads.add(thread);
  return [...threads];
}

/** The number of threads {@link enumerate} returns: Python's `threading.active_count()`. */
export function activeCount(): number {
  return enumerate().length;
}

/**
 * The stop request of whatever the calling thread is running now.
 * @internal Exported publicly through stop.ts.
 */
export function currentStopEvent(): Event {
  return realm.taskStop?.() ?? currentThread().stopEventOf!;
}

/**
 * @internal In a pool worker: where the running task's stop request comes
 * from (undefined between tasks, when the worker's own is used).
 */
export function setTaskStopProvider(provider: (() => Event | undefined) | undefined): void {
  realm.taskStop = provider;
}

/** @internal Use the outcome helpers in the worker runtime. */
export { isThenable };
