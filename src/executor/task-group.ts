/**
 * TaskGroup: asyncio's `TaskGroup` for threads and pool tasks — structured
 * concurrency on the stop-by-asking idea.
 *
 * A group's life: open (members are added) → stopping (a member failed,
 * `stop()` was called, or the thread or task that made the group was asked
 * to stop: every member still running is asked to stop, and nothing more
 * may be added) → ended (left, and every member has ended). Leaving —
 * `wait()`, or the end of an `await using` block — may come in either of
 * the first two states; members may still be added while the group is
 * being left, as asyncio allows, until it has ended.
 */
import { describeValue, isStopError, RuntimeError, ThreadExitError } from '../errors.js';
import { watchEvent } from '../sync/event.js';
import { stopEvent } from '../thread/stop.js';
import { checkStopOptions, combinedOutcome, type StopOptions, type StopOutcome } from '../thread/stoppables.js';
import type { TypedModuleTarget, UntypedModuleTarget } from '../thread/target.js';
import { Thread, type ThreadOptions } from '../thread/thread.js';
import type { Future } from './future.js';
import { ThreadPoolExecutor } from './thread-pool-executor.js';

/** What the group holds of a member: how to ask it to stop, and what it gave. */
interface Member {
  ended: boolean;
  /** Cancel it if it has not started (a pool task still queued); true if it was. */
  cancel?(): boolean;
  stop(options: { timeout: number; force: boolean }): Promise<StopOutcome>;
  /** Its result, once ended: `undefined` for a member that failed or was stopped before giving one. */
  value(): unknown;
}

/** Why a group is stopping, as its refusals say it. */
const kWhyStopping = {
  failure: 'a member failed',
  stop: 'stop() was called',
  creator: 'the thread or task that made it was asked to stop',
  parent: 'the group it belongs to is stopping',
} as const;
type StopReason = keyof typeof kWhyStopping;

const noop = (): void => {};

/**
 * A group of threads and pool tasks that succeed or stop together —
 * asyncio's `TaskGroup` (`async with TaskGroup() as tg: tg.create_task(...)`)
 * for work on other threads.
 *
 * Add members with {@link TaskGroup.submit} (a pool task),
 * {@link TaskGroup.thread} / {@link TaskGroup.start} (a Thread) and
 * {@link TaskGroup.subgroup} (a nested group). The first member that fails
 * makes the group ask every other member to stop — their `stopEvent()` is
 * set, pending pool tasks are cancelled — and leaving the group
 * (`await using`, or {@link TaskGroup.wait}) waits for every member and
 * throws the failures together as an `AggregateError` (Python's
 * `ExceptionGroup`), in the order they failed. A stop is not a failure: a
 * task or thread that ends by its stop request (`StopError`, a cancelled
 * future, a forced stop) only ends. {@link TaskGroup.stop} stops the whole
 * group (Python 3.15's `TaskGroup.cancel()`).
 *
 * A group made inside a thread or a pool task stops when that thread or
 * task is asked to stop — so a group nested in a member of another group
 * stops with it; on the main thread, `stopOnSignals()` stops it.
 *
 * Traps: the group sees its members' failures, not errors thrown by your
 * own code in the block — JavaScript does not tell `await using` why a
 * block ends, so an error thrown between the adds leaves the members
 * running until they end (stop the group in a `catch` if they must not).
 * A member thread that fails is also reported to the excepthook, as any
 * thread is.
 *
 * @example
 * ```ts
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 4 });
 * {
 *   await using group = new TaskGroup();
 *   for (const url of urls) group.submit(pool, download, url);
 * } // every download done — or, if one failed, the others stopped and an AggregateError thrown
 * ```
 */
export class TaskGroup {
  /** Set while {@link TaskGroup.subgroup} makes a group: a subgroup is stopped by its parent, not by its creator. */
  static #makingSubgroup = false;
  readonly #members: Member[] = [];
  readonly #subgroups: TaskGroup[] = [];
  #running = 0;
  readonly #failures: unknown[] = [];
  #stopping: StopReason | undefined;
  #leaving = false;
  /** `wait()` was called: the group's failures reach its caller that way. */
  #leftByCaller = false;
  #ended = false;
  readonly #outcome: Promise<unknown[]>;
  #settle!: (results: unknown[] | Promise<unknown[]>) => void;
  #fail!: (error: AggregateError) => void;
  #results: unknown[] | undefined;
  #unwatch: (() => void) | undefined;

  /**
   * Make an empty, open group. Inside a thread or a pool task, the group
   * stops when that thread or task is asked to stop (at once if it already
   * was); on the main thread, when `stopOnSignals()` stops the process.
   */
  constructor() {
    this.#outcome = new Promise<unknown[]>((resolve, reject) => {
      this.#settle = resolve;
      this.#fail = reject;
    });
    // Marked handled: wait() hands each caller its own promise of it.
    this.#outcome.catch(noop);
    if (!TaskGroup.#makingSubgroup) {
      this.#unwatch = watchEvent(stopEvent(), () => this.#askToStop('creator'));
    }
  }

  /**
   * Submit `fn(...args)` to `pool` as a member of the group, and return its
   * {@link Future} — `pool.submit`, with the group watching the task.
   *
   * @typeParam F - the task function; its parameters type `args` and its result types the future.
   * @throws RuntimeError `cannot add to a task group that has ended`, or
   *   `... that is stopping` (with the reason).
   * @throws TypeError if `pool` is not a ThreadPoolExecutor.
   * @throws whatever `pool.submit` throws — `cannot schedule new futures
   *   after shutdown`, `BrokenThreadPool`, a bad function or argument —
   *   and then nothing is added: the group does not wait for it.
   * @example
   * ```ts
   * const size = group.submit(pool, fileSize, '/var/log/syslog'); // Future<number>
   * ```
   */
  submit<F extends (...args: never[]) => unknown>(
    pool: ThreadPoolExecutor,
    fn: F | TypedModuleTarget<F>,
    ...args: Parameters<F>
  ): Future<Awaited<ReturnType<F>>>;
  /**
   * Submit a module target that carries no type, its result typed by hand,
   * as `pool.submit<R>(target, ...args)` does.
   * @typeParam R - the result type, unchecked. Default: `unknown`.
   */
  submit<R = unknown>(pool: ThreadPoolExecutor, fn: UntypedModuleTarget, ...args: unknown[]): Future<R>;
  submit(pool: ThreadPoolExecutor, fn: unknown, ...args: unknown[]): Future<unknown> {
    this.#checkOpen();
    if (!(pool instanceof ThreadPoolExecutor)) {
      throw new TypeError(`Expected \`pool\` to be a ThreadPoolExecutor, got ${describeValue(pool)}`);
    }
    const future = (pool as unknown as { submit(fn: unknown, ...args: unknown[]): Future<unknown> }).submit(
      fn,
      ...args,
    );
    const member = this.#add({
      ended: false,
      cancel: () => future.cancel(),
      stop: (options) => future.stop(options),
      value: () => (future.cancelled() || future.exceptionNow() !== undefined ? undefined : future.result()),
    });
    future.onDone(() => {
      const error = future.cancelled() ? undefined : future.exceptionNow();
      this.#memberEnded(member, error === undefined || isStopError(error) ? undefined : { error });
    });
    return future;
  }

  /**
   * Make a {@link Thread} from `options`, start it as a member of the group,
   * and return it — `new Thread(options).start()`, with the group watching
   * the thread.
   *
   * @throws RuntimeError if the group has ended or is stopping.
   * @throws what `new Thread(options)` and `start()` throw (a bad target,
   *   arguments that cannot be sent); then nothing is added.
   * @example
   * ```ts
   * const crawler = group.thread({ target: crawl, args: [site, depth] });
   * ```
   */
  thread<R = unknown, A extends unknown[] = unknown[]>(options: ThreadOptions<A, R>): Thread<R, A> {
    this.#checkOpen();
    return this.start(new Thread<R, A>(options));
  }

  /**
   * Start `thread` — a Thread (or subclass, or Timer) not yet started — as a
   * member of the group, and return it. The thread's result (or
   * `exception`) is the member's outcome; a forced stop is a stop, not a
   * failure.
   *
   * @throws RuntimeError if the group has ended or is stopping, or
   *   `threads can only be started once` if `thread` was started already.
   * @throws TypeError if `thread` is not a Thread, or what `start()` throws.
   * @example
   * ```ts
   * const worker = group.start(new Indexer(shard));
   * ```
   */
  start<T extends Thread>(thread: T): T {
    this.#checkOpen();
    if (!(thread instanceof Thread)) {
      throw new TypeError(`Expected \`thread\` to be a Thread not yet started, got ${describeValue(thread)}`);
    }
    thread.start();
    const member = this.#add({
      ended: false,
      stop: (options) => thread.stop(options),
      value: () => thread.result,
    });
    thread.join().then(
      () => {
        const error = thread.exception;
        // A forced stop ends the thread as `terminated`: a stop, asked for by its owner.
        const stopped = error instanceof ThreadExitError && error.reason === 'terminated';
        this.#memberEnded(member, error === undefined || stopped ? undefined : { error });
      },
      (error: unknown) => this.#memberEnded(member, { error }),
    );
    return thread;
  }

  /**
   * Make a group nested in this one, as a member of it: when this group
   * stops, so does the subgroup (with the same options); when the subgroup
   * fails, this group stops its other members. Leave the subgroup yourself
   * (`await using`, `wait()`) and its `AggregateError` is thrown to you
   * there, once; a subgroup you do not leave is left with this group, and
   * its `AggregateError` is one of this group's failures, nested as
   * Python's ExceptionGroups nest. Its results are its entry in this
   * group's results.
   *
   * @throws RuntimeError if the group has ended or is stopping.
   * @example
   * ```ts
   * await using job = new TaskGroup();
   * job.thread({ target: watchdog });
   * {
   *   await using downloads = job.subgroup();
   *   for (const url of urls) downloads.submit(pool, download, url);
   * } // the downloads are done; the watchdog still runs, stopped if one failed
   * ```
   */
  subgroup(): TaskGroup {
    this.#checkOpen();
    TaskGroup.#makingSubgroup = true;
    let child: TaskGroup;
    try {
      child = new TaskGroup();
    } finally {
      TaskGroup.#makingSubgroup = false;
    }
    const member = this.#add({
      ended: false,
      stop: (options) => child.#stop('parent', options),
      value: () => child.#results,
    });
    this.#subgroups.push(child);
    child.#outcome.then(
      () => this.#memberEnded(member, undefined),
      // Thrown to whoever left the subgroup: it stops this group all the same, but is not thrown again.
      (error: unknown) => this.#memberEnded(member, { error, thrown: child.#leftByCaller }),
    );
    if (this.#leaving) child.#leave();
    return child;
  }

  /**
   * Leave the group: wait for every member to end — Python's leaving of
   * `async with TaskGroup()`. Members may still be added until the group
   * has ended. Calling it again gives the same outcome.
   *
   * @returns (resolves) the members' results in the order they were added:
   *   a pool task's result, a thread's `result`, a subgroup's results;
   *   `undefined` for a member that was stopped before it gave one.
   * @throws (rejects) AggregateError whose `errors` are the members'
   *   failures in the order they failed, once every member has ended.
   * @example
   * ```ts
   * const group = new TaskGroup();
   * const [a, b] = [group.submit(pool, count, 'a.txt'), group.submit(pool, count, 'b.txt')];
   * const results = await group.wait(); // [countA, countB]
   * ```
   */
  wait(): Promise<unknown[]> {
    this.#leftByCaller = true;
    this.#leave();
    return this.#outcome.then((results) => results);
  }

  /**
   * Stop the whole group — Python 3.15's `TaskGroup.cancel()`, with the
   * grace-then-force options of `thread.stop()`: every member still
   * running is asked to stop at once (pool tasks not started are
   * cancelled, subgroups stopped), and nothing more may be added. Not a
   * failure: leaving the group then throws only for members that failed.
   * Calling it again asks again, with its own options; after the group has
   * ended it does nothing.
   *
   * @returns (resolves) `"stopped"` once every member has ended, or at
   *   `timeout`: `"forced"` if `force` terminated one, `"alive"` if one is
   *   still running.
   * @throws (synchronously) TypeError/RangeError for bad options, as `thread.stop()`.
   * @example
   * ```ts
   * server.on('close', () => void group.stop({ timeout: 5_000, force: true }));
   * ```
   */
  stop(options?: StopOptions): Promise<StopOutcome> {
    const checked = checkStopOptions(options);
    return this.#stop('stop', checked);
  }

  /** `await using group = new TaskGroup()` leaves the group as its block ends: {@link TaskGroup.wait}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.wait();
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const state = this.#ended ? 'ended' : this.#stopping ? 'stopping' : this.#leaving ? 'leaving' : 'open';
    return `<TaskGroup ${state}, ${this.#members.length} members, ${this.#running} running, ${this.#failures.length} failed>`;
  }

  #checkOpen(): void {
    if (this.#ended) throw new RuntimeError('cannot add to a task group that has ended: make a new TaskGroup');
    if (this.#stopping !== undefined) {
      throw new RuntimeError(`cannot add to a task group that is stopping (${kWhyStopping[this.#stopping]})`);
    }
  }

  #add(member: Member): Member {
    this.#members.push(member);
    this.#running++;
    return member;
  }

  /** A member ended; `failure` says how it failed, if it did (`thrown`: already thrown to a caller). */
  #memberEnded(member: Member, failure: { error: unknown; thrown?: boolean } | undefined): void {
    member.ended = true;
    this.#running--;
    if (failure !== undefined) {
      if (failure.thrown !== true) this.#failures.push(failure.error);
      if (this.#stopping === undefined) this.#askToStop('failure');
    }
    this.#finishIfDone();
  }

  /** Ask every member to stop, without waiting for them (the leave does). */
  #askToStop(reason: StopReason): void {
    this.#stop(reason, { timeout: Infinity, force: false }).catch(noop);
  }

  /** Ask every member still running to stop; the group takes no more members. */
  #stop(reason: StopReason, options: { timeout: number; force: boolean }): Promise<StopOutcome> {
    if (this.#ended) return Promise.resolve('stopped');
    this.#stopping ??= reason;
    // The pending first: a running member that stops frees its worker,
    // which would otherwise take the next queued member and start it.
    for (const member of this.#members) if (!member.ended) member.cancel?.();
    const stops = this.#members.filter((member) => !member.ended).map((member) => member.stop(options));
    return Promise.all(stops).then(combinedOutcome);
  }

  #leave(): void {
    if (this.#leaving) return;
    this.#leaving = true;
    for (const child of this.#subgroups) child.#leave();
    // Not at once: a member may still be added in the same turn (a subgroup made while its parent is left).
    queueMicrotask(() => this.#finishIfDone());
  }

  #finishIfDone(): void {
    if (!this.#leaving || this.#running > 0 || this.#ended) return;
    this.#ended = true;
    this.#unwatch?.();
    this.#unwatch = undefined;
    if (this.#failures.length > 0) {
      this.#fail(new AggregateError(this.#failures, failureMessage(this.#failures)));
      return;
    }
    // A pool task's result is read through its future (settled, so at once).
    this.#settle(
      Promise.all(this.#members.map((member) => member.value())).then((results) => (this.#results = results)),
    );
  }
}

function failureMessage(errors: readonly unknown[]): string {
  const first = errors[0];
  const shown = first instanceof Error ? `${first.name}: ${first.message}` : describeValue(first);
  if (errors.length === 1) return `a member of the task group failed: ${shown}`;
  return `${errors.length} members of the task group failed; the first: ${shown}`;
}
