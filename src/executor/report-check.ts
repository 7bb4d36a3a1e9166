/**
 * What the pool believes of a worker's report. Code in a task can reach
 * the worker's pool port and post anything: a message that is no report is
 * ignored. A report on a task that is malformed — the worker's own, whose
 * outcome skein failed to send, or a forgery — still settles that task,
 * with an error saying why: the pool never drops a report, and so never
 * leaves a future waiting for one.
 */
import type { Future } from './future.js';
import { deserializeError, isSerializedError, serializeError, thrownMessage } from '../thread/error-codec.js';
import { decodeValue } from '../thread/transfer.js';
import { TaskStatus, type PoolReport } from './protocol.js';

type DoneReport = Extract<PoolReport, { type: 'done' }>;

/** Why a report on a task cannot be believed, or undefined if it can. */
function doneProblem(report: Partial<Record<string, unknown>>): string | undefined {
  if (typeof report.hasEvents !== 'boolean') return '`hasEvents` is not a boolean';
  if (report.status === TaskStatus.error) {
    return isSerializedError(report.value) ? undefined : 'its error is not a serialized error';
  }
  if (report.status === TaskStatus.ok || report.status === TaskStatus.stopped) return undefined;
  return `its status ${String(report.status)} is unknown`;
}

/**
 * The report `message` makes, or undefined for a message that is none
 * (ignored). A malformed report on a task becomes an error report on it.
 */
export function checkPoolReport(message: unknown): PoolReport | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const report = message as Partial<Record<string, unknown>>;
  // A malformed `broken` is ignored: the initializer's own report is always
  // well formed (the serializer cannot fail), so it is a task's forgery.
  if (report.type === 'broken') return isSerializedError(report.error) ? (message as PoolReport) : undefined;
  if (report.type !== 'done' || !Number.isInteger(report.id) || !Number.isInteger(report.slot)) return undefined;
  const problem = doneProblem(report);
  if (problem === undefined) return message as DoneReport;
  const error = new TypeError(`the report on task ${report.id} was malformed (${problem}), so its outcome is lost`);
  return {
    type: 'done',
    id: report.id as number,
    slot: report.slot as number,
    status: TaskStatus.error,
    value: serializeError(error),
    hasEvents: false,
  };
}

/**
 * Settle `future` (not yet done) with what a well-formed report says. A
 * result that cannot be decoded fails the future saying so. Never throws.
 */
export function settleFromReport(future: Future<unknown>, report: DoneReport): void {
  if (report.status === TaskStatus.error) {
    future.setException(deserializeError(report.value));
  } else if (report.status === TaskStatus.stopped) {
    future.settleStopped();
  } else {
    let value: unknown;
    try {
      value = decodeValue(report.value, report.hasEvents);
    } catch (error) {
      future.setException(
        new TypeError(`the result of task ${report.id} could not be received: ${thrownMessage(error)}`, {
          cause: error,
        }),
      );
      return;
    }
    future.setResult(value);
  }
}
