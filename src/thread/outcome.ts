/**
 * A job's {@link Outcome} as its owner takes it in — a thread's, read from
 * its port once it has ended, or a pool task's, as its worker reports it.
 * Both turn an outcome into a value or an error here, and nothing here
 * throws: a result that cannot be decoded, an error that cannot be
 * rebuilt, a message that cannot be read each become an error saying so.
 *
 * A thread's worker posts its outcome into the thread's port last, just
 * before the thread ends; code in the thread can reach that port too
 * (through `workerData`) and post anything into it first. So the owner
 * reads every message the port holds, believes only the well-formed ones
 * ({@link checkOutcome}), and takes the last of the status the thread's end
 * reason calls for.
 */
import type { MessagePort } from 'node:worker_threads';
import { ThreadExitError } from '../errors.js';
import { messageArrival } from '../host.js';
import { EndReason } from './control-block.js';
import { deserializeError, thrownMessage } from './error-codec.js';
import { checkOutcome, type Outcome, type OutcomeStatus } from './protocol.js';
import { receive } from './receive.js';
import { decodeValue } from './transfer.js';

/** The last well-formed outcome of each status a thread's port held. */
export interface Outcomes {
  byStatus: Partial<Record<OutcomeStatus, Outcome>>;
  /** Why a message in the port could not be read, if one could not. */
  unreadable?: unknown;
}

/** Drain a thread's port: the last well-formed outcome of each status in it (a thread's carry id 0 and key 0). */
export function takeOutcomes(port: MessagePort): Outcomes {
  const outcomes: Outcomes = { byStatus: {} };
  for (let received = receive(port); received !== undefined; received = receive(port)) {
    if ('failed' in received) {
      outcomes.unreadable = received.failed;
      continue;
    }
    const message = received.message as Outcome;
    if (checkOutcome(message) !== undefined || message.id !== 0 || message.key !== 0) continue;
    outcomes.byStatus[message.status] = message;
  }
  return outcomes;
}

/**
 * Undefined if the outcome of a thread that ended for `reason` is in its
 * port, or none is coming (it exited, crashed, was terminated); else a
 * promise that resolves once it is. Always undefined on Node, where the
 * outcome, posted before the thread ended, is there to read at once; in a
 * browser it arrives on a later turn of this thread's event loop.
 */
export function outcomeArrival(port: MessagePort, reason: EndReason): Promise<void> | undefined {
  if (reason !== EndReason.returned && reason !== EndReason.raised && reason !== EndReason.stopped) return undefined;
  return messageArrival(port);
}

/** What a job's outcome settles to: the value it returned, or the error it raised. */
export type Settled = { value: unknown } | { error: unknown };

/**
 * What a job that returned gave back: the value of `outcome` decoded — or,
 * when it cannot be (a forged marker inside it, say), or when there is no
 * outcome because a message could not be read, the error saying so.
 * @param label - the job for messages: `thread "worker-1"`, `task 3`.
 */
export function resultOf(outcome: Outcome | undefined, label: string, unreadable?: unknown): Settled {
  if (outcome === undefined) {
    if (unreadable === undefined) return { value: undefined };
    return { error: notReceived(label, unreadable) };
  }
  try {
    return { value: decodeValue(outcome.value, outcome.hasEvents) };
  } catch (error) {
    return { error: notReceived(label, error) };
  }
}

function notReceived(label: string, why: unknown): TypeError {
  return new TypeError(`the result of ${label} could not be received: ${thrownMessage(why)}`, { cause: why });
}

/**
 * The error a job raised, rebuilt from `outcome` (an `error` outcome, its
 * value checked by {@link checkOutcome}): what it threw — or an Error
 * saying so if it threw `undefined`, which would read as "no exception" —
 * or, with no outcome, a ThreadExitError saying its error never arrived.
 * @param label - the job for messages: `thread "worker-1"`, `task 3`.
 */
export function exceptionOf(outcome: Outcome | undefined, label: string, unreadable?: unknown): unknown {
  if (outcome === undefined) {
    const options = unreadable === undefined ? undefined : { cause: unreadable };
    return new ThreadExitError(`${label} raised an error that could not be delivered`, 'crashed', undefined, options);
  }
  const error = deserializeError(outcome.value);
  return error === undefined ? new Error(`${label} threw undefined, which is not an error`) : error;
}
