/**
 * Running one job in a worker — a thread's run(), or one pool task — and
 * turning how it ended into an {@link Outcome}. Threads and pool tasks share
 * all of it: the process handlers that route an uncaught error or a
 * `process.exit()` to the job running now, the call, the encoding of the
 * result, the serializing of the error.
 */
import { isStopError } from '../errors.js';
import type { Outcome } from '../thread/protocol.js';
import { serializeError, thrownMessage } from '../thread/error-codec.js';
import type { TransferListItem } from 'node:worker_threads';
import { type Prepared, prepareSend } from '../thread/move.js';
import { encodeValue } from '../thread/transfer.js';
import { explainMissingName } from './explain.js';
import { newScheduleContext, onUncaughtError, onWorkerExit } from './process.js';

/** How a job ends, once: the thread's or the pool's side of it. */
export interface Job {
  /** The task's id; 0 for a thread. */
  readonly id: number;
  /** The task's key (see TaskRecord in protocol.ts); 0 for a thread. */
  readonly key: number;
  /** Inline sources the job runs, to explain a missing free variable. */
  readonly sources: readonly string[];
  /** How to name the job in an error (`thread "worker-1"`, `a task of Pool_0`). */
  readonly label: string;
  /** What a result that cannot be sent back is: `the result of task 3 cannot be sent back to the pool`. */
  readonly unsendable: string;
  /** Report `outcome` to the job's owner and wind the job up. Called at most once. */
  settle(outcome: Outcome): void;
  /** The job called `process.exit(code)`: the worker is exiting now. */
  exited(code: number): void;
}

interface Running {
  readonly job: Job;
  settled: boolean;
  /** Ends an async job early with an error thrown by what it scheduled. */
  fail: ((error: unknown) => void) | undefined;
}

let running: Running | undefined;
/** The job that scheduled the code running now: an error it throws later is told apart from the job running then. */
const owner = newScheduleContext<Running>();
/** The context a rehearsal enters instead of {@link owner} (see runJob). */
const rehearsalContext = newScheduleContext<Running>();
let handlersInstalled = false;

/**
 * Install, once per worker, the process handlers that end the job running
 * now: an uncaught error or rejection fails it, `process.exit()` ends it
 * with that code. An error thrown by what an earlier, finished job left
 * behind (a timer, say) is that job's, which has ended: it is reported and
 * the job running now goes on. With no job running, `uncaught` decides.
 */
export function installJobHandlers(uncaught: (error: unknown, leftBehind: boolean) => void): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  onWorkerExit((code) => {
    if (running !== undefined && !running.settled) running.job.exited(code);
  });
  const onError = (error: unknown): void => {
    const from = owner.getStore();
    const leftBehind = from !== undefined && from !== running;
    if (running !== undefined && !running.settled && !leftBehind) {
      if (running.fail !== undefined) running.fail(error);
      else end(running, failure(running.job, error));
      return;
    }
    uncaught(error, leftBehind);
  };
  onUncaughtError(onError);
}

/**
 * Run `call` as `job`: settle the job with what it returns, what its
 * promise settles to, or what it throws. Unless `attributed` is false (a
 * rehearsal), errors thrown later by what it scheduled are its own. Returns undefined when the job
 * ended synchronously — the common case for pool tasks, which costs no trip
 * through the microtask queue — else a promise that resolves once it ended.
 */
export function runJob(job: Job, call: () => unknown, { attributed = true } = {}): Promise<void> | undefined {
  const run: Running = { job, settled: false, fail: undefined };
  running = run;
  // What the job schedules carries it (see installJobHandlers). Not for a
  // rehearsal: on Deno a context entered there outlives the rehearsal and
  // shadows the real job's (its errors would look left behind). It enters
  // one of its own: the first context entered in a worker turns on Node's
  // async context tracking (~0.2–0.4 ms), which the real start then skips.
  (attributed ? owner : rehearsalContext).enterWith(run);
  let value: unknown;
  try {
    value = call();
  } catch (error) {
    end(run, failure(job, error));
    return undefined;
  }
  if (!isThenable(value)) {
    end(run, success(job, value));
    return undefined;
  }
  return new Promise<void>((resolve) => {
    run.fail = (error) => {
      end(run, failure(job, error));
      resolve();
    };
    // Resolved through a new promise, not `value.then(…)`: reading `then`
    // may throw (a getter, a Proxy), which a promise turns into a rejection.
    new Promise((adopt) => adopt(value)).then(
      (result) => {
        end(run, success(job, result));
        resolve();
      },
      (error: unknown) => {
        end(run, failure(job, error));
        resolve();
      },
    );
  });
}

function end(run: Running, outcome: Outcome): void {
  if (run.settled) return;
  run.settled = true;
  if (running === run) running = undefined;
  run.job.settle(outcome);
}

/**
 * Whether `value` is a promise-like to wait for. Never throws: a value
 * whose `then` cannot be read (its getter throws, a Proxy's trap does) is
 * one — awaiting it rejects with that error, as a promise would.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return true;
  }
}

/**
 * The outcome of a job that returned `value`. Encoding it reads it, which
 * can run code (a getter, a Proxy trap) that throws: then the outcome is
 * the job's error, saying that its result cannot be sent back and why.
 */
export function success(job: Job, value: unknown): Outcome {
  let encoded: ReturnType<typeof encodeValue>;
  let prepared: Prepared<unknown>;
  try {
    encoded = encodeValue(value);
    // What it moves (`return move(bytes)`), checked; big buffers copied once.
    prepared = prepareSend(encoded.value, 'result');
  } catch (error) {
    return unsendable(job, error);
  }
  const outcome: Outcome = {
    type: 'outcome',
    id: job.id,
    key: job.key,
    status: 'ok',
    value: prepared.value,
    hasEvents: encoded.hasEvents,
  };
  if (prepared.transfer.length > 0) transfers.set(outcome, prepared.transfer);
  return outcome;
}

/** What each outcome's postMessage must transfer, when anything. */
const transfers = new WeakMap<Outcome, TransferListItem[]>();

/** Whether `outcome` must go as a message, transferring buffers or ports (never inline in shared memory). */
export function transfersBuffers(outcome: Outcome): boolean {
  return transfers.has(outcome);
}

/**
 * The outcome of a job that threw `error` (anything: a value, an error with
 * hostile getters): a clean stop for a StopError. Never throws (see
 * src/thread/error-codec.ts).
 */
export function failure(job: Job, error: unknown): Outcome {
  if (isStopError(error)) {
    return { type: 'outcome', id: job.id, key: job.key, status: 'stopped', value: undefined, hasEvents: false };
  }
  const explained = explainMissingName(error, [...job.sources], job.label);
  return {
    type: 'outcome',
    id: job.id,
    key: job.key,
    status: 'error',
    value: serializeError(explained),
    hasEvents: false,
  };
}

/**
 * Post `outcome` on `port`. A result that cannot be sent back (a function
 * inside it, say) becomes the job's error, saying so.
 * @returns the outcome actually sent.
 */
export function postOutcome(
  port: { postMessage(message: unknown, transfer?: readonly TransferListItem[]): void },
  job: Job,
  outcome: Outcome,
): Outcome {
  try {
    port.postMessage(outcome, transfers.get(outcome));
    return outcome;
  } catch (error) {
    const fallback = unsendable(job, error);
    // A pool task's: where the pool finds it, and its times.
    const { slot, startedAt, ranFor } = outcome;
    if (slot !== undefined) Object.assign(fallback, { slot, startedAt, ranFor });
    port.postMessage(fallback);
    return fallback;
  }
}

/** The outcome of a job whose result cannot be sent back, for the reason `error`. */
function unsendable(job: Job, error: unknown): Outcome {
  const why = new TypeError(`${job.unsendable}: ${thrownMessage(error)}`, { cause: error });
  return { type: 'outcome', id: job.id, key: job.key, status: 'error', value: serializeError(why), hasEvents: false };
}
