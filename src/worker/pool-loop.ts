/**
 * A worker that serves a pool: it runs the pool's tasks, one at a time,
 * until the pool closes it. Each task is a job (src/worker/job.ts) whose
 * outcome is reported before the next task starts, so a result, once
 * computed, is never lost with its worker.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { exitError } from '../errors.js';
import type { Event } from '../sync/event.js';
import { type ControlBlock, EndReason } from '../thread/control-block.js';
import { claimStart, isStopRequested, stopEventOf } from '../thread/job-slot.js';
import {
  type BrokenReport,
  kDoomed,
  kSlotsPerSlab,
  Mailbox,
  type Outcome,
  type PoolAssignment,
  type PoolCommand,
  type TargetDescriptor,
  type TaskMessage,
} from '../thread/protocol.js';
import { realm } from '../thread/realm.js';
import { adoptThread, Thread } from '../thread/thread.js';
import { decodeValue, serializeError } from '../thread/transfer.js';
import { failure, isThenable, type Job, postOutcome, runJob } from './job.js';
import { loadTarget } from './load-target.js';

/**
 * How long an idle worker may watch its mailbox before parking. It spins
 * only while spinning pays: after a park that a new task ended within this
 * window (tasks are coming one after another), and not again after a spin
 * that caught nothing. Sporadic work, or a machine so busy that the next
 * task comes late, turns it off by itself.
 */
const kSpinMs = 0.1;

/** Watch the mailbox for up to `ms`; true if work arrived. */
function spinFor(mailbox: Int32Array, seen: number, ms: number): boolean {
  const until = performance.now() + ms;
  do {
    for (let i = 0; i < 64; i++) if (Atomics.load(mailbox, Mailbox.work) !== seen) return true;
  } while (performance.now() < until);
  return false;
}

/** The pool worker's state: what it has been sent, and the task it runs now. */
class PoolWorkerState {
  readonly functions = new Map<number, Function>();
  readonly sources = new Map<number, string>();
  readonly slabs: SharedArrayBuffer[] = [];
  readonly slabViews: Int32Array[] = [];
  readonly queue: TaskMessage[] = [];
  closing = false;
  /** The task running now, and its stop request once asked for. */
  current: { task: TaskMessage; stop: Event | undefined } | undefined;

  constructor(
    readonly assignment: PoolAssignment,
    readonly port: MessagePort,
    readonly mailbox: Int32Array,
  ) {}

  take(command: PoolCommand): void {
    if (command.type === 'task') this.queue.push(command);
    else if (command.type === 'slab') {
      this.slabs[command.index] = command.buffer;
      this.slabViews[command.index] = new Int32Array(command.buffer);
    } else if (command.type === 'close') this.closing = true;
  }
}

/**
 * Serve the pool of `assignment`: run its initializer, then its tasks as
 * they come, until it closes this worker. The loop reads its port with
 * `receiveMessageOnPort` and parks with `Atomics.wait`, so a task reaches an
 * idle worker without a trip through its event loop; an async task is
 * awaited, which lets the event loop run.
 */
export async function runPoolWorker(
  assignment: PoolAssignment,
  control: ControlBlock,
  port: MessagePort,
): Promise<void> {
  const mailbox = new Int32Array(assignment.mailbox);
  const state = new PoolWorkerState(assignment, port, mailbox);
  realm.current = adoptThread(Thread, { name: assignment.name, ident: control.ident, daemon: true, control });
  control.markRunning();
  realm.jobStop = () => {
    const current = state.current;
    if (current === undefined) return undefined;
    const { slot } = current.task;
    return (current.stop ??= stopEventOf(state.slabs[Math.floor(slot / kSlotsPerSlab)]!, slot % kSlotsPerSlab));
  };
  if (assignment.initializer !== undefined && !(await initialize(assignment, port))) {
    control.end(EndReason.returned);
    process.exit(0);
  }
  let spinning = false;
  for (;;) {
    // Read the counter before draining: a command posted after the drain
    // bumps it, so the wait below returns at once instead of missing it.
    const seen = Atomics.load(mailbox, Mailbox.work);
    for (let message = receiveMessageOnPort(port); message !== undefined; message = receiveMessageOnPort(port))
      state.take(message.message as PoolCommand);
    if (state.queue.length > 0) {
      const pending = runTask(state, state.queue.shift()!);
      if (pending !== undefined) await pending;
      continue;
    }
    if (state.closing) break;
    // A caller that awaits each result before submitting the next finds a
    // spinning worker awake, instead of paying a futex wake-up per task.
    if (spinning || Atomics.load(mailbox, Mailbox.eager) !== 0) {
      spinning = spinFor(mailbox, seen, kSpinMs);
      if (spinning) continue;
    }
    // Raise `parked` before waiting on `work`, while the pool bumps `work`
    // before reading `parked`: either it sees the worker parked and
    // notifies, or the wait sees the count has moved and returns at once.
    Atomics.store(mailbox, Mailbox.parked, 1);
    const parkedAt = performance.now();
    Atomics.wait(mailbox, Mailbox.work, seen);
    spinning = performance.now() - parkedAt < kSpinMs;
    Atomics.store(mailbox, Mailbox.parked, 0);
  }
  control.end(EndReason.returned);
  process.exit(0);
}

/** Run the pool's initializer; false (and the pool told it is broken) if it failed. */
async function initialize(assignment: PoolAssignment, port: MessagePort): Promise<boolean> {
  try {
    const init = await loadTarget(assignment.initializer!);
    const result = init(...decodeValue(assignment.initargs, assignment.initHasEvents));
    if (isThenable(result)) await result;
    return true;
  } catch (error) {
    port.postMessage({ type: 'broken', error: serializeError(error) } satisfies BrokenReport);
    return false;
  }
}

/**
 * Run one task. Returns undefined when it completed synchronously — the
 * common case, which costs no trip through the microtask queue — or a
 * promise when it has to be awaited.
 */
function runTask(state: PoolWorkerState, task: TaskMessage): Promise<void> | undefined {
  const { port, mailbox, assignment } = state;
  const fnId = typeof task.fn === 'number' ? task.fn : task.fn[0];
  const job: Job = {
    id: task.id,
    // Read when an error is explained: by then a function sent with this task is loaded.
    get sources() {
      const source = state.sources.get(fnId);
      return source === undefined ? [] : [source];
    },
    label: `a task of ${assignment.name}`,
    unsendable: `the result of task ${task.id} cannot be sent back to the pool`,
    settle: (outcome) => {
      postOutcome(port, job, outcome);
      finish(state);
    },
    exited: (code) => {
      // The worker is exiting: say so for the task's future.
      port.postMessage(failure(job, exitError('the task', 'exit', code, { replaced: true })) satisfies Outcome);
    },
  };
  state.current = { task, stop: undefined };
  Atomics.store(mailbox, Mailbox.running, task.id);
  // Cancelled, or asked to stop, before it began: it does not run at all.
  const slab = state.slabViews[Math.floor(task.slot / kSlotsPerSlab)]!;
  const slot = task.slot % kSlotsPerSlab;
  if (!claimStart(slab, slot) || isStopRequested(slab, slot)) {
    job.settle({ type: 'outcome', id: task.id, status: 'stopped', value: undefined, hasEvents: false });
    return undefined;
  }
  return runJob(job, () => {
    const args = decodeValue(task.args, task.hasEvents);
    const known = state.functions.get(fnId);
    if (known !== undefined) return known(...args);
    if (typeof task.fn === 'number') {
      throw new Error(`pool worker ${assignment.name} was sent task function ${task.fn} before its source`);
    }
    const loaded = load(state, task.fn);
    return isThenable(loaded) ? loaded.then((fn) => fn(...args)) : loaded(...args);
  });
}

/** Load a task function the first time it is sent, and keep it by number. */
function load(state: PoolWorkerState, [id, descriptor]: [number, TargetDescriptor]): Function | Promise<Function> {
  if (descriptor.kind === 'inline') state.sources.set(id, descriptor.source);
  const keep = (fn: Function): Function => {
    state.functions.set(id, fn);
    return fn;
  };
  const loaded = loadTarget(descriptor);
  return isThenable(loaded) ? loaded.then(keep) : keep(loaded);
}

/** The task has ended and been reported: clear it, and stop here if the pool is terminating this worker for it. */
function finish(state: PoolWorkerState): void {
  const id = state.current?.task.id ?? 0;
  state.current = undefined;
  // The pool claims a running task for a forced stop by swapping its id
  // for kDoomed just before terminating this worker: then start nothing
  // more (the termination must hit no other task) and wait for it.
  if (Atomics.compareExchange(state.mailbox, Mailbox.running, id, 0) === kDoomed) {
    for (;;) Atomics.wait(state.mailbox, Mailbox.running, kDoomed);
  }
}

/** Print an error nobody is left to take: thrown between tasks, or by what a finished task left behind. */
export function reportStray(name: string, error: unknown, leftBehind: boolean): void {
  const when = leftBehind ? 'from a task that had ended' : 'between tasks';
  process.stderr.write(`Exception in pool worker ${name} ${when}:\n${(error as Error)?.stack ?? String(error)}\n`);
}
