/**
 * The relay worker: holds what cannot live in a queue's shared memory until
 * the thread that takes it asks for it. Main side: src/relay/relay.ts.
 *
 * A SharedArrayBuffer, a skein primitive, a MessagePort or a value too big
 * for a queue reaches another thread only by postMessage — and the putter
 * does not know which thread will take it, while the taker may be blocked
 * in synchronous code, where it can only read its own port with
 * `receiveMessageOnPort`. So values are deposited here, and each is handed
 * to whichever thread withdraws it: the relay posts it into that thread's
 * port, then bumps and notifies the thread's mailbox word, on which the
 * thread waits.
 *
 * Besides single values, the relay holds the records a queue spilled when
 * its shared memory was full (see src/sync/record-queue.ts), as numbered
 * operations that it applies in number order, whatever order they arrive
 * in from the threads' ports.
 *
 * It loads nothing else of skein: every program that uses threads runs one.
 */
import { MessagePort, workerData } from 'node:worker_threads';
import { comesBefore, type PriorityKey } from '../sync/priority.js';

/** A thread's connection: its port and the word it waits on for replies. */
interface Client {
  readonly port: MessagePort;
  readonly mailbox: Int32Array;
}

/** What a client sends (see src/relay/relay.ts, which validates nothing it does not send). */
type Request =
  | { t: 'deposit'; id: number; payload: unknown }
  | { t: 'withdraw'; id: number; ticket: number }
  | { t: 'discard'; id: number }
  | { t: 'connect'; port: MessagePort; mailbox: SharedArrayBuffer }
  | { t: 'spill'; queue: string; order: number; ops: SpillOp[] };

type SpillOp =
  | { kind: 'put'; op: number; bytes: Uint8Array; key: PriorityKey | undefined; sequence: number }
  | { kind: 'take'; op: number; ticket: number }
  | { kind: 'clear'; op: number };

interface SpilledRecord {
  bytes: Uint8Array;
  key: PriorityKey | undefined;
  sequence: number;
}

/** The spilled records of one queue, and its operations not yet applied. */
interface Spill {
  readonly order: number;
  next: number;
  readonly pending: Map<number, { op: SpillOp; client: Client }>;
  /** FIFO and LIFO: in put order. Priority: a binary heap. */
  readonly records: SpilledRecord[];
  /** FIFO: index of the oldest record in `records` (taken ones before it are dropped in batches). */
  head: number;
}

/** The tag of a record that is a relay reference (kRelayRef of src/wire/tags.ts). */
const kRelayRef = 0x1b;
const kFifo = 0;
const kLifo = 1;

const deposits = new Map<number, unknown>();
/** Withdrawals that came before their deposit. */
const awaited = new Map<number, { client: Client; ticket: number }>();
const spills = new Map<string, Spill>();

function reply(client: Client, ticket: number, payload: unknown): void {
  // Post first, then bump the word: a thread that sees the new value finds
  // the message already in its port (postMessage enqueues it at once).
  // What the relay held is moved, not copied: it keeps nothing (a 64 MiB
  // item would otherwise stay in this idle worker's heap until a GC that
  // may never come), and the ports deposited must be moved on anyway.
  client.port.postMessage({ ticket, payload }, movable(payload, [], new Set()));
  Atomics.add(client.mailbox, 0, 1);
  Atomics.notify(client.mailbox, 0);
}

/** The ArrayBuffers and MessagePorts inside `value`, each once. */
function movable(
  value: unknown,
  found: Array<ArrayBuffer | MessagePort>,
  seen: Set<object>,
): Array<ArrayBuffer | MessagePort> {
  if (value === null || typeof value !== 'object' || seen.has(value)) return found;
  seen.add(value);
  if (value instanceof ArrayBuffer || value instanceof MessagePort) found.push(value);
  else if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) movable(value.buffer, found, seen);
  } else if (value instanceof Map) {
    for (const [k, v] of value) movable(v, movable(k, found, seen), seen);
  } else if (value instanceof Set) {
    for (const v of value) movable(v, found, seen);
  } else {
    for (const key of Object.keys(value)) movable((value as Record<string, unknown>)[key], found, seen);
  }
  return found;
}

function serve(request: Request, client: Client): void {
  switch (request.t) {
    case 'deposit': {
      const waiter = awaited.get(request.id);
      if (waiter === undefined) deposits.set(request.id, request.payload);
      else {
        awaited.delete(request.id);
        reply(waiter.client, waiter.ticket, request.payload);
      }
      return;
    }
    case 'withdraw': {
      if (!deposits.has(request.id)) {
        awaited.set(request.id, { client, ticket: request.ticket });
        return;
      }
      const payload = deposits.get(request.id);
      deposits.delete(request.id);
      reply(client, request.ticket, payload);
      return;
    }
    case 'discard':
      // A discard never precedes its deposit: the record naming it was put after the deposit was sent.
      deposits.delete(request.id);
      return;
    case 'connect':
      adopt(request.port, new Int32Array(request.mailbox));
      return;
    case 'spill': {
      let spill = spills.get(request.queue);
      if (spill === undefined) {
        spill = { order: request.order, next: 0, pending: new Map(), records: [], head: 0 };
        spills.set(request.queue, spill);
      }
      for (const op of request.ops) spill.pending.set(op.op, { op, client });
      apply(request.queue, spill);
      return;
    }
  }
}

/** Apply a queue's operations in number order, as far as they have arrived. */
function apply(name: string, spill: Spill): void {
  for (let entry = spill.pending.get(spill.next); entry !== undefined; entry = spill.pending.get(spill.next)) {
    spill.pending.delete(spill.next);
    spill.next++;
    const { op, client } = entry;
    if (op.kind === 'put') push(spill, { bytes: op.bytes, key: op.key, sequence: op.sequence });
    else if (op.kind === 'take') reply(client, op.ticket, pop(spill));
    else {
      for (let i = spill.head; i < spill.records.length; i++) drop(spill.records[i]!);
      spill.records.length = 0;
      spill.head = 0;
    }
  }
  if (spill.pending.size === 0 && spill.records.length === spill.head) spills.delete(name);
}

/** A dropped record that refers to a deposit drops the deposit too. */
function drop(record: SpilledRecord): void {
  const bytes = record.bytes;
  if (bytes[0] !== kRelayRef) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  deposits.delete(view.getUint32(1, true) * 2 ** 32 + view.getUint32(5, true));
}

function push(spill: Spill, record: SpilledRecord): void {
  const records = spill.records;
  records.push(record);
  if (spill.order === kFifo || spill.order === kLifo) return;
  let at = records.length - 1;
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (before(records[parent]!, record)) break;
    records[at] = records[parent]!;
    at = parent;
  }
  records[at] = record;
}

function pop(spill: Spill): Uint8Array | undefined {
  const records = spill.records;
  if (spill.order === kFifo) {
    const record = records[spill.head];
    if (record === undefined) return undefined;
    records[spill.head++] = undefined as never;
    // Drop the taken front now and then, not at every take.
    if (spill.head > 1024 && spill.head * 2 > records.length) {
      records.splice(0, spill.head);
      spill.head = 0;
    }
    return record.bytes;
  }
  if (spill.order === kLifo) return records.pop()?.bytes;
  const top = records[0];
  const last = records.pop();
  if (top === undefined || last === undefined) return undefined;
  if (records.length > 0) {
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= records.length) break;
      if (child + 1 < records.length && before(records[child + 1]!, records[child]!)) child++;
      if (before(last, records[child]!)) break;
      records[at] = records[child]!;
      at = child;
    }
    records[at] = last;
  }
  return top.bytes;
}

function before(a: SpilledRecord, b: SpilledRecord): boolean {
  return comesBefore(a.key ?? 0, a.sequence, b.key ?? 0, b.sequence);
}

function adopt(port: MessagePort, mailbox: Int32Array): void {
  const client: Client = { port, mailbox };
  port.on('message', (request: Request) => serve(request, client));
  port.on('close', () => {
    for (const [id, waiter] of awaited) if (waiter.client === client) awaited.delete(id);
  });
}

// The main thread's connection; every other arrives through it (or through one that did).
const boot = workerData as { port: MessagePort; mailbox: SharedArrayBuffer };
adopt(boot.port, new Int32Array(boot.mailbox));
