/**
 * A thread's outcome as its owner takes it in. The worker runtime posts it
 * into the thread's port last, just before the worker exits; code in the
 * thread can reach that port too (through `workerData`) and post anything
 * into it first. So the owner reads every message the port holds, believes
 * only the well-formed ones, and takes the last of the kind the thread's end
 * reason calls for.
 */
import type { MessagePort } from 'node:worker_threads';
import { ThreadExitError } from '../errors.js';
import { deserializeError, isSerializedError, thrownMessage } from './error-codec.js';
import type { ThreadOutcome } from './protocol.js';
import { receive } from './receive.js';
import { decodeValue } from './transfer.js';

type ResultOutcome = Extract<ThreadOutcome, { type: 'result' }>;
type ErrorOutcome = Extract<ThreadOutcome, { type: 'error' }>;

/** The last well-formed result and error a thread's port held. */
export interface Outcomes {
  result?: ResultOutcome;
  error?: ErrorOutcome;
  /** Why a message in the port could not be read, if one could not. */
  unreadable?: unknown;
}

/** Whether `message`, received from a thread, is a well-formed {@link ThreadOutcome}. */
export function isThreadOutcome(message: unknown): message is ThreadOutcome {
  if (typeof message !== 'object' || message === null) return false;
  const outcome = message as Partial<Record<string, unknown>>;
  if (outcome.type === 'result') return typeof outcome.hasEvents === 'boolean' && 'value' in outcome;
  if (outcome.type === 'error') return isSerializedError(outcome.error);
  return outcome.type === 'stopped';
}

/** Drain the thread's port: the last well-formed result and the last well-formed error in it. */
export function takeOutcomes(port: MessagePort): Outcomes {
  const outcomes: Outcomes = {};
  for (let received = receive(port); received !== undefined; received = receive(port)) {
    if ('failed' in received) {
      outcomes.unreadable = received.failed;
      continue;
    }
    const message: unknown = received.message;
    if (!isThreadOutcome(message)) continue;
    if (message.type === 'result') outcomes.result = message;
    else if (message.type === 'error') outcomes.error = message;
  }
  return outcomes;
}

/**
 * What a thread that returned gave back, or — when its result cannot be
 * decoded (a forged Event inside it, say) — the error saying so.
 * @param label - the thread for messages: `thread "worker-1"`.
 */
export function resultOf(outcomes: Outcomes, label: string): { value: unknown } | { error: unknown } {
  const result = outcomes.result;
  if (result === undefined) {
    if (!('unreadable' in outcomes)) return { value: undefined };
    const why = thrownMessage(outcomes.unreadable);
    return {
      error: new TypeError(`the result of ${label} could not be received: ${why}`, { cause: outcomes.unreadable }),
    };
  }
  try {
    return { value: decodeValue(result.value, result.hasEvents) };
  } catch (error) {
    return {
      error: new TypeError(`the result of ${label} could not be received: ${thrownMessage(error)}`, { cause: error }),
    };
  }
}

/**
 * The error a thread that raised ended with: what it threw, rebuilt (an
 * Error saying so if it threw `undefined`, which would read as "no
 * exception"), or a ThreadExitError if its error never arrived.
 * @param label - the thread for messages: `thread "worker-1"`.
 */
export function exceptionOf(outcomes: Outcomes, label: string): unknown {
  if (outcomes.error === undefined) {
    const options = 'unreadable' in outcomes ? { cause: outcomes.unreadable } : undefined;
    return new ThreadExitError(`${label} raised an error that could not be delivered`, 'crashed', undefined, options);
  }
  const error = deserializeError(outcomes.error.error);
  return error === undefined ? new Error(`${label} threw undefined, which is not an error`) : error;
}
