import { AsyncLocalStorage } from 'node:async_hooks';
import { receiveMessageOnPort } from 'node:worker_threads';
import { isStopError, ThreadExitError } from '../errors.js';
import {
  kDoomed,
  kEager,
  kParked,
  kRunning,
  kTaskStride,
  kWork,
  TaskStatus,
  type PoolBoot,
  type PoolCommand,
  type PoolReport,
  type TaskFunctionRef,
} from '../executor/protocol.js';
import { byteOffsetOf, claimStart, slabOf, stopRequested } from '../executor/stop-slots.js';
import { Event } from '../sync/event.js';
import { ControlBlock, EndReason } from '../thread/control-block.js';
import type { TargetDescriptor } from '../thread/protocol.js';
import { adoptThread, isThenable, setTaskStopProvider, Thread } from '../thread/thread.js';
import { formatThrown, serializeError, thrownMessage } from '../thread/error-codec.js';
import { decodeValue, encodeResult } from '../thread/transfer.js';
import { explainMissingName } from './explain.js';
import { loadTarget, setLoaderHints } from './load-target.js';

/**
 * How long an idle worker may watch its mailbox before parking. It spins
 * only while spinning pays: after a park that a new task ended within this
 * window (tasks are coming one after another), and not again after a spin
 * that caught nothing. Sporadic work, or a machine so busy that the next
 * task comes late, turns it off by itself.
 */
const kSpinMs = 0.1;

/** The task that scheduled the code running now (see onStray in runPool). */
const taskOwner = new AsyncLocalStorage<object>();

/** Watch the mailbox for up to `ms`; true if work arrived. */
function spinFor(mailbox: Int32Array, seen: number, ms: number): boolean {
  const until = performance.now() + ms;
  do {
    for (let i = 0; i < 64; i++) if (Atomics.load(mailbox, kWork) !== seen) return true;
  } while (performance.now() < until);
  return false;
}

/** The task this worker is running now. */
interface CurrentTask {
  id: number;
  slot: number;
  source: string | undefined;
  stop: Event | undefined;
}

/**
 * Run a pool worker: take batches of tasks from the pool, run them one at a
 * time, report each result before starting the next task, and park on the
 * mailbox when there is nothing to do.
 *
 * The loop reads its port with `receiveMessageOnPort` and parks with
 * `Atomics.wait`, so a task reaches an idle worker without a trip through
 * its event loop. An async task is awaited, which lets the event loop run.
 */
export async function runPool(boot: PoolBoot): Promise<void> {
  setLoaderHints(boot.loaderHints);
  const mailbox = new Int32Array(boot.mailbox);
  const port = boot.port;
  const control = ControlBlock.fromBuffer(boot.control);
  adoptThread(Thread, { name: boot.name, daemon: true, control: boot.control, ident: control.ident }, undefined, []);
  control.markRunning();

  const functions = new Map<number, Function>();
  const sources = new Map<number, string>();
  const slabs: SharedArrayBuffer[] = [];
  const slabViews: Int32Array[] = [];
  let queue: unknown[] = [];
  let closing = false;
  let current: CurrentTask | undefined;
  let exiting = false;

  const report = (message: PoolReport): void => {
    try {
      port.postMessage(message);
    } catch (error) {
      // The value itself cannot be sent back: that becomes the task's error.
      if (message.type !== 'done') throw error;
      const why = new TypeError(
        `the result of task ${message.id} cannot be sent back to the pool: ${thrownMessage(error)}`,
      );
      port.postMessage({
        type: 'done',
        id: message.id,
        slot: message.slot,
        status: TaskStatus.error,
        value: serializeError(why),
        hasEvents: false,
      });
    }
  };

  const stopEventOf = (task: CurrentTask): Event =>
    (task.stop ??= Event.fromBuffer(slabs[slabOf(task.slot)]!, byteOffsetOf(task.slot)));
  setTaskStopProvider(() => (current === undefined ? undefined : stopEventOf(current)));

  // A task that calls process.exit() ends this worker; say so for its future.
  // An initializer that does breaks the pool, as one that throws does.
  let initializing = boot.initializer !== undefined;
  process.on('exit', (code) => {
    if (initializing && !exiting) {
      const error = new ThreadExitError(`the initializer called process.exit(${code})`, 'exit', code);
      report({ type: 'broken', error: serializeError(error) });
      return;
    }
    if (exiting || current === undefined) return;
    const error = new ThreadExitError(
      `the task called process.exit(${code}), which ended its pool worker`,
      'exit',
      code,
    );
    report({
      type: 'done',
      id: current.id,
      slot: current.slot,
      status: TaskStatus.error,
      value: serializeError(error),
      hasEvents: false,
    });
  });

  // An error thrown by something an async task scheduled fails that task.
  // One thrown by what an earlier task left behind (a timer, say) is that
  // task's, which has ended: it is reported, and the running task goes on.
  let crashRunning: ((error: unknown) => void) | undefined;
  const onStray = (error: unknown): void => {
    const owner = taskOwner.getStore();
    const leftBehind = owner !== undefined && owner !== current;
    if (crashRunning !== undefined && !leftBehind) {
      crashRunning(error);
      return;
    }
    const when = leftBehind ? 'from a task that had ended' : 'between tasks';
    process.stderr.write(`Exception in pool worker ${boot.name} ${when}:\n${formatThrown(error)}\n`);
  };
  process.on('uncaughtException', onStray);
  process.on('unhandledRejection', onStray);

  if (boot.initializer !== undefined) {
    try {
      const init = await loadTarget(boot.initializer);
      const result = init(...decodeValue(boot.initargs, boot.initHasEvents));
      if (isThenable(result)) await result;
    } catch (error) {
      report({ type: 'broken', error: serializeError(error) });
      exiting = true;
      process.exit(0);
    }
    initializing = false;
  }

  const handle = (command: PoolCommand): void => {
    if (command.type === 'run') queue = queue.length === 0 ? command.tasks : queue.concat(command.tasks);
    else if (command.type === 'slab') {
      slabs[command.index] = command.buffer;
      slabViews[command.index] = new Int32Array(command.buffer);
    } else if (command.type === 'close') closing = true;
  };

  const succeed = (task: CurrentTask, value: unknown): void => {
    const encoded = encodeResult(value, `the result of task ${task.id}`);
    if ('error' in encoded) {
      fail(task, encoded.error);
      return;
    }
    report({
      type: 'done',
      id: task.id,
      slot: task.slot,
      status: TaskStatus.ok,
      value: encoded.value,
      hasEvents: encoded.hasEvents,
    });
  };

  const fail = (task: CurrentTask, error: unknown): void => {
    if (isStopError(error)) {
      report({
        type: 'done',
        id: task.id,
        slot: task.slot,
        status: TaskStatus.stopped,
        value: undefined,
        hasEvents: false,
      });
    } else {
      const explained = explainMissingName(
        error,
        task.source === undefined ? [] : [task.source],
        `a task of ${boot.name}`,
      );
      report({
        type: 'done',
        id: task.id,
        slot: task.slot,
        status: TaskStatus.error,
        value: serializeError(explained),
        hasEvents: false,
      });
    }
  };

  const finish = (): void => {
    const id = current?.id ?? 0;
    crashRunning = undefined;
    current = undefined;
    // The pool claims a running task for a forced stop by swapping its id
    // for kDoomed just before terminating this worker: then start nothing
    // more (the termination must hit no other task) and wait for it.
    if (Atomics.compareExchange(mailbox, kRunning, id, 0) === kDoomed) {
      for (;;) Atomics.wait(mailbox, kRunning, kDoomed);
    }
  };

  /** The rest of a task whose function returned a promise (or had to be imported first). */
  const finishAsync = async (task: CurrentTask, pending: PromiseLike<unknown>): Promise<void> => {
    try {
      const value = await new Promise((resolve, reject) => {
        crashRunning = reject;
        pending.then(resolve, reject);
      });
      succeed(task, value);
    } catch (error) {
      fail(task, error);
    } finally {
      finish();
    }
  };

  /**
   * The sources that came with tasks skipped before they ran (cancelled or
   * stopped while queued here): the pool sends a function's source once, so
   * the next task of that function loads it from here.
   */
  const unloaded = new Map<number, TargetDescriptor>();

  const loadFunction = async (ref: [number, TargetDescriptor]): Promise<Function> => {
    const [id, descriptor] = ref;
    unloaded.delete(id);
    const fn = await loadTarget(descriptor);
    functions.set(id, fn);
    if (descriptor.kind === 'inline') sources.set(id, descriptor.source);
    return fn;
  };

  /**
   * Run the task at `at` in `tasks`. Returns undefined when it completed
   * synchronously — the common case, which costs no trip through the
   * microtask queue — or a promise when it has to be awaited.
   */
  const runTask = (tasks: unknown[], at: number): Promise<void> | undefined => {
    const id = tasks[at] as number;
    const ref = tasks[at + 1] as TaskFunctionRef;
    const slot = tasks[at + 2] as number;
    const args = decodeValue(tasks[at + 3] as unknown[], tasks[at + 4] as boolean);
    const task: CurrentTask = { id, slot, source: undefined, stop: undefined };
    current = task;
    // What the task schedules carries it, so that an error thrown later is
    // told apart from the task running then.
    taskOwner.enterWith(task);
    Atomics.store(mailbox, kRunning, id);
    // Cancelled, or asked to stop, before it began: it does not run at all.
    const slab = slabViews[slabOf(slot)]!;
    if (!claimStart(slab, slot) || stopRequested(slab, slot)) {
      if (typeof ref !== 'number' && !functions.has(ref[0])) unloaded.set(ref[0], ref[1]);
      report({ type: 'done', id, slot, status: TaskStatus.stopped, value: undefined, hasEvents: false });
      finish();
      return undefined;
    }
    const fnId = typeof ref === 'number' ? ref : ref[0];
    const fn = typeof ref === 'number' ? functions.get(ref) : undefined;
    if (fn === undefined) {
      const skipped = typeof ref === 'number' ? unloaded.get(ref) : undefined;
      if (typeof ref === 'number' && skipped === undefined) {
        fail(task, new Error(`pool worker ${boot.name} was sent task function ${ref} before its source`));
        finish();
        return undefined;
      }
      return finishAsync(
        task,
        loadFunction(typeof ref === 'number' ? [ref, skipped!] : ref).then((loaded) => {
          task.source = sources.get(fnId);
          return loaded(...args);
        }),
      );
    }
    task.source = sources.get(fnId);
    let value: unknown;
    try {
      value = fn(...args);
    } catch (error) {
      fail(task, error);
      finish();
      return undefined;
    }
    if (isThenable(value)) return finishAsync(task, value);
    succeed(task, value);
    finish();
    return undefined;
  };

  let spinning = false;
  for (;;) {
    // Read the counter before draining: a batch posted after the drain
    // bumps it, so the wait below returns at once instead of missing it.
    const seen = Atomics.load(mailbox, kWork);
    for (let message: ReturnType<typeof receiveMessageOnPort>; (message = receiveMessageOnPort(port)) !== undefined; )
      handle(message.message as PoolCommand);
    if (queue.length > 0) {
      const batch = queue;
      queue = [];
      for (let at = 0; at < batch.length; at += kTaskStride) {
        const pending = runTask(batch, at);
        if (pending !== undefined) await pending;
      }
      continue;
    }
    if (closing) break;
    // A caller that awaits each result before submitting the next finds a
    // spinning worker awake, instead of paying a futex wake-up per task.
    if (spinning || Atomics.load(mailbox, kEager) !== 0) {
      spinning = spinFor(mailbox, seen, kSpinMs);
      if (spinning) continue;
    }
    Atomics.store(mailbox, kParked, 1);
    const parkedAt = performance.now();
    Atomics.wait(mailbox, kWork, seen);
    spinning = performance.now() - parkedAt < kSpinMs;
    Atomics.store(mailbox, kParked, 0);
  }
  exiting = true;
  control.end(EndReason.returned);
  process.exit(0);
}
