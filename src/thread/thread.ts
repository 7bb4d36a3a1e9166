import type { MessagePort, ResourceLimits, TransferListItem } from 'node:worker_threads';
import { isMainThread, MessageChannel, parentPort, watchPort, workerData } from '../host.js';
import { describeValue, exitError, RuntimeError } from '../errors.js';
import { checkCanBlock, checkSupported } from '../platform.js';
import type { Event } from '../sync/event.js';
import { deadlineAfter, remainingUntil, sharedNow, toTimeoutMs } from '../sync/timeout.js';
import { keepingAlive, waitAsyncFor } from '../sync/wait-async.js';
import { ControlBlock, EndReason, kState, ThreadState } from './control-block.js';
import { reportThreadException } from './excepthook.js';
import { workerArgv } from './exec-argv.js';
import { nextIdent, nextThreadNumber } from './globals.js';
import { launch, prepareStandby, returnSeat, type SpawnedWorker, takeSeat, terminateLaunched } from './hub.js';
import type { SpawnRequest, TargetDescriptor, TerminateRequest, ThreadJob, WorkerBoot } from './protocol.js';
import { isHub, realm } from './realm.js';
import {
  checkStopOptions,
  registerStoppable,
  type StopOptions,
  type StopOutcome,
  type Stoppable,
  unregisterStoppable,
} from './stoppables.js';
import {
  definedIn,
  describeFunction,
  describeModuleTarget,
  describeSubclass,
  isModuleTarget,
  noteTarget,
  type ModuleTarget,
  type ThreadArgs,
  type TypedModuleTarget,
} from './target.js';
import { exceptionOf, outcomeArrival, resultOf, takeOutcomes } from './outcome.js';
import { type Prepared, SendPlan } from './move.js';
import { encodeLaunch, launchProblem, markUnsendable, whyUncloneable } from './transfer.js';
// A thread's outcome is decoded as it is taken in, synchronously: every kind must be revivable.
import './revivers.js';

/**
 * Options of a {@link Thread}: the {@link ThreadSettings}, with `args`
 * required when the target has required parameters ({@link ThreadArgs}).
 *
 * @typeParam A - the target's parameters.
 * @typeParam R - what the target returns.
 */
export type ThreadOptions<A extends unknown[] = unknown[], R = unknown> = ThreadSettings<A, R> & ThreadArgs<A>;

/** Options of a {@link Thread} but `args`, which {@link ThreadArgs} adds (optional or required). */
export interface ThreadSettings<A extends unknown[] = unknown[], R = unknown> {
  /**
   * What the thread runs: a function (its source is sent to the thread, so it
   * may use globals, `await import()` and skein's exports, but no variables
   * of the scope it was written in), or a {@link ModuleTarget} whose module is
   * imported in the thread with its own imports ({@link moduleTargets} types
   * its args and result).
   * Default: none — `run()` does nothing unless a subclass overrides it.
   */
  target?: ((...args: A) => R) | TypedModuleTarget<(...args: A) => R>;
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
   * Let the thread share modules with other threads that share them, as
   * Python's threads do: its worker, if the thread imported modules (a
   * module target does) but left no global changed, no timer, socket or
   * listener behind, is kept when the thread ends and given to the next
   * `shareModules` thread, which finds those modules as they were left —
   * their state included — instead of booting a worker and importing them
   * again. Threads started back to back with a module target then start
   * within a millisecond or so, as inline ones do. Otherwise a worker that
   * imported a module exits with its thread, so that no thread ever sees
   * another's module state.
   *
   * Whether a thread finds an earlier one's modules is not promised (it may
   * get a fresh worker, or run beside the other): pass data between threads
   * through their arguments, results or a `Queue`, not module state.
   * As many such workers are kept as standby workers
   * ({@link setStandbyThreads}); none in a browser, on Bun, or with
   * `resourceLimits`.
   * Default: false.
   * @example
   * ```ts
   * new Thread({ target: jobs('resize'), args: [path, 640], shareModules: true }); // warm even back to back
   * ```
   */
  shareModules?: boolean;
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

/**
 * How to build the object of a thread that already exists, instead of a new
 * one: the worker's own thread, a thread the hub started for a worker, the
 * main thread, a dummy thread.
 * @internal
 */
export interface Adoption {
  name: string;
  ident: number;
  daemon: boolean;
  /** Its control block; none for a view of the main thread from a worker. */
  control: ControlBlock | undefined;
  target?: Function | undefined;
  args?: unknown[];
}

/** @internal The options key under which {@link Adoption} is passed to the Thread constructor. */
export const kAdopt: unique symbol = Symbol('skein.adopt');
/** @internal The key of a Thread's method that requests its stop, even before start(). */
export const kRequestStop: unique symbol = Symbol('skein.requestStop');

let watchRemote: (control: ControlBlock, request: SpawnRequest, spawned: SpawnedWorker) => void;

/** In a worker, the loader hints it was launched with, passed on to the threads it starts. */
function inheritedLoaderHints(): string[] {
  return (workerData as { skein?: WorkerBoot } | null)?.skein?.loaderHints ?? [];
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
  #target: Function | ModuleTarget | undefined;
  #args: unknown[] = [];
  #name = '';
  #daemon = false;
  #resourceLimits: ResourceLimits | undefined;
  #shareModules = false;
  #ident: number | undefined;
  /** The shared control block, from start() on (or from adoption). */
  #control: ControlBlock | undefined;
  /** The owner's end of the thread's port, where its outcome arrives; only the thread's owner has it. */
  #port: MessagePort | undefined;
  #started = false;
  #finalized = false;
  #result: unknown;
  #exception: unknown;
  /** On the hub, the worker's exit (join waits for it); its error, if any, is the crash's cause. */
  #exit: Promise<void> | undefined;
  #exitDetail: unknown;
  #signal: AbortSignal | undefined;
  /** The module that made this thread, if its inline target or class imports dynamically (see `definedIn`). */
  #definedIn: string | undefined;
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
    const { target, args, name, daemon, resourceLimits, shareModules, signal, timeout } = options ?? {};
    if (target !== undefined && target !== null) {
      if (typeof target === 'function') {
        this.#target = target;
        this.#definedIn = definedIn(target);
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
    // A subclass's own methods may import relatively, too (only the class itself is looked at).
    if (this.#definedIn === undefined && new.target !== Thread) this.#definedIn = definedIn(new.target);
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
    // Python's default: the creating thread's (a dummy thread, in a worker skein did not create, is a daemon).
    this.#daemon =
      daemon === undefined || daemon === null ? (runningThread()?.daemon ?? !isMainThread) : Boolean(daemon);
    // Refused on runtimes that ignore limits or never report a worker stopped by them.
    if (resourceLimits !== undefined && resourceLimits !== null) checkSupported('resourceLimits');
    this.#resourceLimits = resourceLimits;
    if (shareModules !== undefined && shareModules !== null && typeof shareModules !== 'boolean') {
      throw new TypeError(`Expected \`shareModules\` to be a boolean, got ${describeValue(shareModules)}`);
    }
    this.#shareModules = shareModules === true;
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
    this.#started = true;
    this.#name = adoption.name;
    this.#ident = adoption.ident;
    this.#daemon = adoption.daemon;
    this.#control = adoption.control;
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
   * May return a promise: the thread ends when it settles. What it returns
   * (or its promise fulfils with) becomes {@link Thread.result}: in a
   * subclass `class Job extends Thread<number>`, `run()` must return a
   * number (or a promise of one); a subclass that gives no type argument
   * has `result` typed from its own `run()`.
   */
  run(): R | PromiseLike<R> | undefined {
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
    const { value: job, transfer } = this.#job(subclassRuns);
    const stopAt = this.#timeout === Infinity ? Infinity : sharedNow() + this.#timeout;
    if (isHub) this.#launchHere(job, transfer, ident, stopAt);
    else this.#askHub(job, transfer, ident, stopAt);
    this.#armStopRequest(this.#control!);
    this.#register();
  }

  /** The job this thread's worker runs (target, class, encoded args and fields), and what its message transfers. */
  #job(subclassRuns: boolean): Prepared<ThreadJob> {
    const target = this.#target;
    const fields = subclassRuns ? ({ ...this } as Record<string, unknown>) : undefined;
    const encoded = encodeLaunch(this.#args, fields, { name: this.#name, className: this.constructor.name });
    // What the args and fields move, checked (a bad move throws here, before anything starts); big buffers copied once.
    const plan = new SendPlan();
    plan.add(encoded.value[0], 'args');
    plan.add(encoded.value[1], 'this');
    const { value: sent, transfer, moves } = plan.finish(encoded.value);
    const owner = isHub ? undefined : runningThread();
    const job: ThreadJob = {
      type: 'thread',
      name: this.#name,
      daemon: this.#daemon,
      loaderHints: isHub ? workerArgv.loaderHints : inheritedLoaderHints(),
      ownerControl: owner === undefined ? undefined : owner.#control?.buffer,
      target:
        target === undefined
          ? undefined
          : typeof target === 'function'
            ? describeFunction(target, 'target', this.#definedIn)
            : describeModuleTarget(target),
      subclass: subclassRuns ? describeSubclass(this.constructor, Thread, this.#definedIn) : undefined,
      args: sent[0],
      fields: sent[1],
      hasEvents: encoded.hasEvents,
      shareModules: this.#shareModules,
    };
    return { value: job, transfer, moves };
  }

  /** On the hub: post the job into a seat's port, then launch its worker. */
  #launchHere(job: ThreadJob, transfer: readonly TransferListItem[], ident: number, stopAt: number): void {
    // A standby worker waits with its control block and port made (no
    // limits asked for); else both are made now, for a new worker.
    const seat = takeSeat(this.#resourceLimits, this.#shareModules);
    try {
      // The job goes into the port first: an argument that cannot be cloned
      // fails here, before any worker exists or is woken.
      seat.port.postMessage(job, transfer);
    } catch (error) {
      returnSeat(seat);
      throw this.#explainLaunchFailure(error, job);
    }
    this.#begin(seat.control, seat.port, ident);
    try {
      this.#attachWorker(
        launch(seat, {
          name: this.#name,
          daemon: this.#daemon,
          stopAt,
          resourceLimits: this.#resourceLimits,
          thread: seat.control,
          sharesModules: this.#shareModules,
        }),
      );
    } catch (error) {
      this.#unbegin();
      throw error;
    }
  }

  /** In a skein worker: post the job into a new port, then ask the hub to start a worker for it. */
  #askHub(job: ThreadJob, transfer: readonly TransferListItem[], ident: number, stopAt: number): void {
    const control = ControlBlock.create();
    const { port1, port2 } = new MessageChannel();
    try {
      port2.postMessage(job, transfer);
    } catch (error) {
      port1.close();
      port2.close();
      throw this.#explainLaunchFailure(error, job);
    }
    this.#begin(control, port2, ident);
    try {
      const request: SpawnRequest = {
        type: 'skein:spawn',
        handover: { type: 'handover', control: control.buffer, port: port1 },
        name: this.#name,
        daemon: this.#daemon,
        stopAt,
        resourceLimits: this.#resourceLimits,
        shareModules: this.#shareModules,
      };
      parentPort!.postMessage(request, [port1]);
    } catch (error) {
      port1.close();
      this.#unbegin();
      throw error;
    }
  }

  /** The thread has started: its control block, its port, its ident; a stop asked for before start() is set. */
  #begin(control: ControlBlock, port: MessagePort, ident: number): void {
    if (this.#stopEarly || this.#signal?.aborted) control.stopEvent.set();
    this.#started = true;
    this.#ident = ident;
    this.#control = control;
    this.#port = port;
    // Its outcome is read from the port once it has ended (in a browser, kept as it arrives).
    watchPort(port);
    control.markStarted(ident);
  }

  /** Undo {@link Thread.#begin}: no worker could be created, so the thread never started. */
  #unbegin(): void {
    this.#control!.markUnstarted();
    this.#port!.close();
    this.#started = false;
    this.#ident = undefined;
    this.#control = undefined;
    this.#port = undefined;
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

  #attachWorker(spawned: SpawnedWorker): void {
    this.#exit = spawned.exited.then((exit) => {
      this.#exitDetail = exit.error;
    });
  }

  static {
    watchRemote = (control, request, spawned) => {
      const thread = new Thread({
        [kAdopt]: { name: request.name, ident: control.ident, daemon: request.daemon, control },
      } as ThreadOptions);
      thread.#attachWorker(spawned);
      thread.#register();
    };
  }

  #explainLaunchFailure(error: unknown, job: ThreadJob): unknown {
    if ((error as { name?: unknown } | null)?.name !== 'DataCloneError') return error;
    const fields = job.fields === undefined ? undefined : ({ ...this } as Record<string, unknown>);
    const thread = { name: this.#name, className: this.constructor.name };
    return launchProblem(this.#args, fields, thread, whyUncloneable, error) ?? error;
  }

  /** Watch the control block and settle the thread once it ends, even if nobody joins it. */
  #watch(): void {
    const control = this.#control!;
    const check = (): void => {
      const state = control.state;
      if (state !== ThreadState.ended) void waitAsyncFor(control.i32, kState, state, Infinity, false).then(check);
      else {
        const arriving = this.#outcomeArrival();
        if (arriving === undefined) this.#finalize();
        else void arriving.then(() => this.#finalize());
      }
    };
    check();
  }

  /**
   * Undefined if the outcome of the thread, which has ended, can be taken in
   * now; else (in a browser) a promise that resolves once it can.
   */
  #outcomeArrival(): Promise<void> | undefined {
    if (this.#finalized || this.#port === undefined) return undefined;
    return outcomeArrival(this.#port, this.#control!.endReason);
  }

  /**
   * Take in the thread's outcome once its control block says it ended:
   * the result or error from its port, or what the end reason tells.
   * Reports an error to the excepthook exactly once. A thread without a
   * port (one the hub started for a worker) has its outcome taken by its
   * owner, in that worker.
   */
  #finalize(): void {
    if (this.#finalized) return;
    this.#finalized = true;
    realm.live.delete(this);
    if (this.#stoppable !== undefined) unregisterStoppable(this.#stoppable);
    this.#disarm?.();
    this.#disarm = undefined;
    if (this.#port === undefined) return;
    // Every message in the port, believed only if well formed: code in the
    // thread can post into it, before the real outcome (which comes last).
    const { byStatus, unreadable } = takeOutcomes(this.#port);
    this.#port.close();
    this.#port = undefined;
    const control = this.#control!;
    const code = control.exitCode;
    const subject = `thread "${this.#name}"`;
    switch (control.endReason) {
      case EndReason.returned: {
        const returned = resultOf(byStatus.ok, subject, unreadable);
        if ('error' in returned) this.#exception = returned.error;
        else this.#result = returned.value;
        break;
      }
      case EndReason.raised:
        this.#exception = exceptionOf(byStatus.error, subject, unreadable);
        break;
      case EndReason.exited:
        if (code !== 0) this.#exception = exitError(subject, 'exit', code);
        break;
      case EndReason.outOfMemory:
        this.#exception = exitError(subject, 'out-of-memory', code);
        break;
      case EndReason.crashed:
        this.#exception = exitError(subject, 'crashed', code, { cause: this.#exitDetail });
        break;
      case EndReason.terminated:
        // A forced stop: its owner asked for it, so the hook is not told.
        this.#exception = exitError(subject, 'terminated', code);
        return;
      default:
        break;
    }
    if (this.#exception !== undefined) reportThreadException(this, this.#exception);
  }

  #checkJoinable(): ControlBlock {
    if (this === realm.current) throw new RuntimeError('cannot join current thread');
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
    const arriving = this.#outcomeArrival();
    if (arriving !== undefined) await keepingAlive(arriving);
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
   * @throws NotSupportedError in a browser: on the page's main thread, which
   *   may not block, and in a Web Worker, which cannot take in the thread's
   *   outcome while it blocks — use `await thread.join()` there.
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
    // In a browser: never on the page's main thread, and in a worker its outcome could not arrive.
    checkCanBlock(timeout, 'thread.joinSync()', 'await thread.join()');
    checkSupported('thread.joinSync()');
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
    if (this === realm.current) {
      throw new RuntimeError(
        'cannot stop current thread: return from run(), or call throwIfStopped() after stopEvent().set()',
      );
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
      const ident = this.#ident!;
      if (isHub) terminateLaunched(ident);
      else parentPort?.postMessage({ type: 'skein:terminate', ident } satisfies TerminateRequest);
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

  /**
   * What `run()` returned (or its promise fulfilled with), once the thread
   * has ended; `undefined` before. Typed from the target's return, or from
   * the subclass's own `run()`.
   */
  get result(): Awaited<ReturnType<this['run']>> | undefined {
    return this.#result as Awaited<ReturnType<this['run']>> | undefined;
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
}

markUnsendable(
  Thread,
  "a Thread, whose handle stays in the thread that created it: pass what the other thread needs (an Event to wait on, the thread's result once joined)",
);

/**
 * @internal On the hub: watch a thread it started for a worker (see
 * spawn-server.ts) as one of the process's threads — live, stoppable — whose
 * outcome its owner takes, in that worker.
 */
export function watchRemoteThread(control: ControlBlock, request: SpawnRequest, spawned: SpawnedWorker): void {
  watchRemote(control, request, spawned);
}

/**
 * @internal The Thread object of the thread running here, if there is one:
 * in a worker, made on first need from what the worker adopted (see
 * src/worker/thread-job.ts); undefined on the main thread before
 * `currentThread()` and in a worker skein did not create.
 */
export function runningThread(): Thread | undefined {
  if (realm.current === undefined && realm.adoption !== undefined) realm.current = adoptThread(Thread, realm.adoption);
  return realm.current;
}

/**
 * @internal Build the Thread object of a thread that already exists —
 * possibly of a subclass `cls`, whose constructor is not run (its fields
 * are copied in afterwards).
 */
export function adoptThread(cls: Function, adoption: Adoption): Thread {
  return Reflect.construct(Thread, [{ [kAdopt]: adoption }], cls) as Thread;
}
