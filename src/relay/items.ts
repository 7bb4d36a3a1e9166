/**
 * Items through a RecordQueue: each is written in the wire format (see
 * src/wire/tags.ts) as one record, or — when it cannot live in shared
 * memory — deposited with the relay and stood for by a small reference
 * record, so that it keeps its place in the order. Records the queue
 * spilled to the relay come back through it too. The Queue family is built
 * on these; the pool can use them for its own records.
 */
import { Status, type PriorityKey, type RecordQueue, type SpillOp, type StatusCode } from '../sync/record-queue.js';
import { findUnsendable, formatPath, type PathStep, portsIn } from '../thread/transfer.js';
import { type RelayRef, relayRefAt, WireReader } from '../wire/reader.js';
import { giveWriter, takeWriter, type WireWriter } from '../wire/writer.js';
import {
  awaitReply,
  awaitReplyAsync,
  deposit,
  discard,
  type RelayId,
  sendSpill,
  withdraw,
  withdrawAsync,
} from './relay.js';
// Items are decoded as they are taken, synchronously: every kind must be revivable.
import '../thread/revivers.js';

/** What a take returns instead of an item when there was none. */
export const TIMED_OUT: unique symbol = Symbol('timed out');
/** What a take returns once the queue is closed and empty, or a put once it is closed. */
export const CLOSED: unique symbol = Symbol('closed');

const reader = new WireReader();

const idOf = (ref: RelayRef): RelayId => ref.thread * 2 ** 32 + ref.sequence;

/**
 * Write a reference to what was already deposited with the relay under
 * `id` (the pool's task whose arguments move buffers: see
 * ThreadPoolExecutor.#deposit), standing for it in a record.
 */
export function writeDeposited(writer: WireWriter, id: RelayId): void {
  writer.relayRef(Math.floor(id / 2 ** 32), id % 2 ** 32);
}

/**
 * Write `item` as one record after what `writer` holds: inline if it fits
 * in `limit` bytes of the writer and is plain data, else deposited with
 * the relay (returned, so that a put that fails can discard it).
 *
 * @param what - the item, for an error: "the item" (or a function that
 *   says it, called only for an error).
 * @throws TypeError if the item cannot be copied (a function, a symbol, a
 *   Promise, a WeakMap… anywhere inside), naming what and where.
 */
export function writeItem(
  writer: WireWriter,
  item: unknown,
  limit: number,
  what: string | (() => string),
): RelayId | undefined {
  if (writer.write(item, limit)) return undefined;
  if (typeof what === 'function') what = what();
  const path: PathStep[] = [];
  const problem = findUnsendable(item, new Set(), path);
  if (problem !== undefined) {
    const where = path.length === 0 ? '' : ` — at \`${formatPath('item', path)}\``;
    throw new TypeError(`${what} cannot be copied to another thread: ${problem}${where}`);
  }
  let id: RelayId;
  try {
    id = deposit(item, portsIn(item));
  } catch (error) {
    if ((error as { name?: unknown } | null)?.name !== 'DataCloneError') throw error;
    throw new TypeError(
      `${what} cannot be copied to another thread: ${(error as Error).message} — only data that structured clone ` +
        'copies (and skein primitives) can be put',
      { cause: error },
    );
  }
  writer.relayRef(Math.floor(id / 2 ** 32), id % 2 ** 32);
  return id;
}

/** Send the relay what a call on `queue` spilled; returns the ticket of a take among them (0: none). */
function spill(queue: RecordQueue, ops: readonly SpillOp[] | undefined): number {
  return ops === undefined ? 0 : sendSpill(queue.name, queue.order, ops);
}

/**
 * Put `item` into `queue`, waiting up to `timeout` ms while it is full.
 * @returns `ok`, `timedOut` (nothing put) or `closed` (nothing put).
 */
export function putItem(
  queue: RecordQueue,
  item: unknown,
  key: PriorityKey | undefined,
  timeout: number,
  what: string,
): StatusCode {
  const writer = takeWriter();
  try {
    const id = writeItem(writer, item, queue.maxRecordBytes, what);
    const status = queue.put(writer.bytes, 0, writer.length, key, timeout);
    if (status === Status.external) spill(queue, queue.takeSpillOps());
    else if (status !== Status.ok && id !== undefined) discard(id);
    return status === Status.external ? Status.ok : status;
  } finally {
    giveWriter(writer);
  }
}

/**
 * Put `count` records into `queue` under one hold of its lock, without
 * waiting (the queue must be unbounded): the pool's way of queueing every
 * task submitted in one turn. `write(writer, i, limit)` writes record `i`
 * after what the writer holds — a header of its own, then an item with
 * {@link writeItem}, ending before `limit` — and returns what it deposited
 * with the relay, if anything. A record whose `write` throws (an item that
 * cannot be copied) is left out and handed to `refused` with the error.
 * @returns false (nothing put) if the queue is closed.
 */
export function putRecords(
  queue: RecordQueue,
  count: number,
  write: (writer: WireWriter, index: number, limit: number) => RelayId | undefined,
  refused: (index: number, error: unknown) => void,
): boolean {
  const writer = takeWriter();
  let deposited: RelayId[] | undefined;
  try {
    const starts: number[] = [];
    const lengths: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = writer.length;
      try {
        const id = write(writer, i, start + queue.maxRecordBytes);
        if (id !== undefined) (deposited ??= []).push(id);
      } catch (error) {
        writer.rewind(start);
        refused(i, error);
        continue;
      }
      starts.push(start);
      lengths.push(writer.length - start);
    }
    if (starts.length === 0) return true;
    const put = queue.putMany(writer.bytes, starts, lengths);
    spill(queue, queue.takeSpillOps());
    if (put === -1) {
      if (deposited !== undefined) for (const id of deposited) discard(id);
      return false;
    }
    return true;
  } finally {
    giveWriter(writer);
  }
}

/** {@link putItem} without blocking the event loop. */
export async function putItemAsync(
  queue: RecordQueue,
  item: unknown,
  key: PriorityKey | undefined,
  timeout: number,
  what: string,
): Promise<StatusCode> {
  const writer = takeWriter();
  let bytes: Uint8Array;
  let id: RelayId | undefined;
  try {
    id = writeItem(writer, item, queue.maxRecordBytes, what);
    // The writer is this thread's: keep a copy across the wait.
    bytes = writer.bytes.slice(0, writer.length);
  } finally {
    giveWriter(writer);
  }
  const [status, ops] = await queue.putAsync(bytes, 0, bytes.length, key, timeout);
  if (status === Status.external) spill(queue, ops);
  else if (status !== Status.ok && id !== undefined) discard(id);
  return status === Status.external ? Status.ok : status;
}

/** The item a record holds, withdrawing it from the relay if it is a reference. */
export function readItem(bytes: Uint8Array, offset = 0): unknown {
  const value = reader.read(bytes, offset);
  const ref = reader.relayRef;
  return ref === undefined ? value : withdraw(idOf(ref));
}

/** {@link readItem}, withdrawing without blocking the event loop. */
export function readItemAsync(bytes: Uint8Array): unknown {
  const value = reader.read(bytes);
  const ref = reader.relayRef;
  return ref === undefined ? value : withdrawAsync(idOf(ref));
}

/**
 * Take the next item of `queue`, waiting up to `timeout` ms while it is
 * empty (spinning `spinMs` first).
 * @returns the item, {@link TIMED_OUT}, or {@link CLOSED} once it is closed and empty.
 */
export function takeItem(queue: RecordQueue, timeout: number, spinMs = 0): unknown {
  const record = recordAfterTake(queue, queue.take(timeout, spinMs));
  return record instanceof Uint8Array ? readItem(record) : record;
}

/** {@link takeItem} without waiting: {@link TIMED_OUT} when empty. */
export function tryTakeItem(queue: RecordQueue): unknown {
  const record = recordAfterTake(queue, queue.tryTake());
  return record instanceof Uint8Array ? readItem(record) : record;
}

/**
 * Take the next record of `queue` as bytes (for a record with a header of
 * its owner's, whose item {@link readItem} reads after it), waiting up to
 * `timeout` ms while it is empty (spinning `spinMs` first). The bytes are
 * valid until this thread's next call on a queue.
 * @returns the record, {@link TIMED_OUT}, or {@link CLOSED} once it is closed and empty.
 */
export function takeRecord(
  queue: RecordQueue,
  timeout: number,
  spinMs = 0,
): Uint8Array | typeof TIMED_OUT | typeof CLOSED {
  return recordAfterTake(queue, queue.take(timeout, spinMs));
}

/** {@link takeRecord} without waiting: {@link TIMED_OUT} when empty. */
export function tryTakeRecord(queue: RecordQueue): Uint8Array | typeof TIMED_OUT | typeof CLOSED {
  return recordAfterTake(queue, queue.tryTake());
}

function recordAfterTake(queue: RecordQueue, status: StatusCode): Uint8Array | typeof TIMED_OUT | typeof CLOSED {
  switch (status) {
    case Status.ok:
      return queue.takenBytes;
    case Status.external:
      return awaitReply(spill(queue, queue.takeSpillOps())) as Uint8Array;
    case Status.closed:
      return CLOSED;
    default:
      return TIMED_OUT;
  }
}

/** {@link takeItem} without blocking the event loop (and without spinning). */
export async function takeItemAsync(queue: RecordQueue, timeout: number): Promise<unknown> {
  // Most takes find an item: no promise of our own for those.
  const now = queue.tryTake();
  if (now !== Status.timedOut || timeout === 0) return afterTakeAsync(queue, now, undefined);
  const [status, ops] = await queue.takeAsync(timeout);
  return afterTakeAsync(queue, status, ops);
}

/**
 * {@link tryTakeItem} for the main thread: an item held by the relay comes
 * as a promise (withdrawn without blocking); any other, at once.
 */
export function tryTakeItemAsync(queue: RecordQueue): unknown {
  return afterTakeAsync(queue, queue.tryTake(), undefined);
}

function afterTakeAsync(queue: RecordQueue, status: StatusCode, ops: SpillOp[] | undefined): unknown {
  switch (status) {
    case Status.ok:
      return readItemAsync(queue.takenBytes);
    case Status.external: {
      const ticket = spill(queue, ops ?? queue.takeSpillOps());
      return awaitReplyAsync(ticket).then((bytes) => readItemAsync(bytes as Uint8Array));
    }
    case Status.closed:
      return CLOSED;
    default:
      return TIMED_OUT;
  }
}

/**
 * Close `queue`; with `drop`, drop what it holds (discarding what the relay
 * holds for it). Returns how many items were dropped.
 */
export function closeItems(queue: RecordQueue, drop: boolean): number {
  const dropped = queue.close(drop, (record) => {
    const ref = relayRefAt(record);
    if (ref !== undefined) discard(idOf(ref));
  });
  spill(queue, queue.takeSpillOps());
  return dropped;
}
