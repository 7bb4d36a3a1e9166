/**
 * Values holding skein primitives, across a channel skein does not run:
 * a page's own `postMessage` to a Web Worker it made, a raw
 * `worker_threads` Worker, a MessagePort. The encoding is the one skein's
 * threads use (see transfer.ts): each primitive travels as a marker with
 * its memory, and arrives as the same kind on the same memory.
 */
import { describeValue } from '../errors.js';
import { decodeValue, encodeValue, findUnsendable, formatPath, type PathStep, prepareDecode } from './transfer.js';

const kMessage = '__skein_message__';

/** A value encoded by {@link encodeMessage}, ready for `postMessage`: decode it with {@link decodeMessage}. */
export interface SkeinMessage {
  /** Marks a skein message. */
  readonly [kMessage]: 1;
  /** The value, its primitives replaced by markers. */
  readonly value: unknown;
  /** Whether the value holds primitives (or errors) to revive. */
  readonly hasEvents: boolean;
}

/**
 * Encode `value` for `postMessage`, so that every skein primitive in it
 * (Event, Lock, RLock, Semaphore, Condition, Barrier, the queues — at any
 * depth) arrives working, on the same memory, once the receiver passes
 * the message to {@link decodeMessage}; errors keep their class and fields
 * as they do between skein's threads. Without primitives or errors the
 * value goes as it is. Never blocks. Ports inside are not listed for
 * transfer: pass them in `postMessage`'s transfer list yourself.
 *
 * @throws TypeError naming what inside `value` cannot be sent (a function,
 *   a symbol, a Promise, a Thread…) and where.
 * @example
 * ```ts
 * // The page: share an Event with a module worker it made.
 * const stop = new Event();
 * worker.postMessage(encodeMessage({ stop, chunk: 0 }));
 * // The worker:
 * self.onmessage = async ({ data }) => {
 *   const { stop } = await decodeMessage<{ stop: Event }>(data);
 *   while (!stop.isSet()) work();
 * };
 * ```
 */
export function encodeMessage(value: unknown): SkeinMessage {
  const path: PathStep[] = [];
  const problem = findUnsendable(value, new Set(), path);
  if (problem !== undefined) {
    const where = path.length === 0 ? '' : ` — at \`${formatPath('value', path)}\``;
    throw new TypeError(`the value cannot be sent to another thread: ${problem}${where}`);
  }
  const encoded = encodeValue(value);
  return { [kMessage]: 1, value: encoded.value, hasEvents: encoded.hasEvents };
}

/**
 * Whether `data` (received from `postMessage`) is a message made by
 * {@link encodeMessage}: for a channel that carries other messages too.
 * Never throws.
 * @example
 * ```ts
 * port.onmessage = async ({ data }) => {
 *   if (isSkeinMessage(data)) handle(await decodeMessage(data));
 *   else handleOther(data);
 * };
 * ```
 */
export function isSkeinMessage(data: unknown): data is SkeinMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as Partial<SkeinMessage>)[kMessage] === 1 &&
    typeof (data as Partial<SkeinMessage>).hasEvents === 'boolean'
  );
}

/**
 * Decode a message made by {@link encodeMessage} and received from
 * `postMessage` (a private copy, revived in place): its value, with every
 * primitive working on the sender's memory. Resolves once the modules of
 * the primitives inside are loaded (at once if they are); never blocks.
 *
 * @throws TypeError (thrown, not rejected) if `data` is not such a message.
 * @example
 * ```ts
 * self.onmessage = async ({ data }) => {
 *   const { queue } = await decodeMessage<{ queue: Queue<number> }>(data);
 *   for await (const n of queue) console.log(n);
 * };
 * ```
 */
export function decodeMessage<T = unknown>(data: unknown): Promise<T> {
  if (!isSkeinMessage(data)) {
    throw new TypeError(
      `Expected \`data\` to be a message made by encodeMessage(), got ${describeValue(data)}; ` +
        'encode the value with encodeMessage() before posting it',
    );
  }
  const loading = prepareDecode(data.value, data.hasEvents);
  const decode = (): T => decodeValue(data.value, data.hasEvents) as T;
  return loading === undefined ? Promise.resolve().then(decode) : loading.then(decode);
}
