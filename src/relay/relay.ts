/**
 * The relay, as each thread uses it: how a value that cannot live in a
 * queue's shared memory reaches whichever thread later takes it. The relay
 * itself is a small worker (src/worker/relay.ts) that the main thread
 * starts the first time a queue is made (or a relayed value is sent) —
 * a program that uses threads but no queue never starts it. Every skein
 * worker gets its own port to it in its workerData, made with the worker;
 * until the relay starts, what goes into the ports waits in them.
 *
 * - `deposit(value)` posts the value to the relay and returns its id at
 *   once: shared memory, skein's primitives, ports and big buffers travel
 *   as postMessage sends them.
 * - `withdraw(id)` asks for it and blocks until the relay has posted it
 *   into this thread's port (the thread waits on its mailbox word, then
 *   reads the port with `receiveMessageOnPort`); `withdrawAsync` is the
 *   form for the main thread and async code.
 * - `discard(id)` drops a value nobody will withdraw.
 * - `sendSpill` hands the relay a queue's spilled records and takes from
 *   them (see src/sync/record-queue.ts).
 */
import {
  isMainThread,
  MessageChannel,
  type MessagePort,
  parentPort,
  receiveMessageOnPort,
  threadId,
  type TransferListItem,
  Worker,
  workerData,
} from 'node:worker_threads';
import type { SpillOp } from '../sync/record-queue.js';
import { waitAsyncFor } from '../sync/wait-async.js';
import { workerEntry } from '../thread/entry-url.js';
import { isWorkerBoot } from '../thread/protocol.js';
import { decodeValue, encodeValue } from '../thread/transfer.js';

/** What a skein worker is given in its workerData to reach the relay. */
export interface RelayBoot {
  readonly port: MessagePort;
  /** The Int32 word the relay bumps and notifies after each reply it posts into `port`. */
  readonly mailbox: SharedArrayBuffer;
  /** Shared by every thread: word 0 is set once the relay worker has died. */
  readonly status: SharedArrayBuffer;
}

/** A worker's request, through the hub, that the main thread start the relay. */
export interface RelayStartRequest {
  type: 'skein:relay';
}

/** Whether `message` is a {@link RelayStartRequest}. */
export function isRelayStartRequest(message: unknown): message is RelayStartRequest {
  return (message as RelayStartRequest | null)?.type === 'skein:relay';
}

/** A deposited value's id: the depositing thread's id × 2^32 + its count of deposits. */
export type RelayId = number;

interface Client {
  readonly port: MessagePort;
  readonly mailbox: Int32Array;
  readonly status: Int32Array;
}

let client: Client | undefined;
/** The main thread: the relay's end of its own connection, until the relay starts with it. */
let mainRelayEnd: { port: MessagePort; mailbox: SharedArrayBuffer } | undefined;
let relayWorker: Worker | undefined;
/** In a worker: whether it asked the main thread to start the relay. */
let startAsked = false;
/** Replies that arrived while this thread waited for another, by ticket. */
const replies = new Map<number, unknown>();
let nextTicket = 1;
let deposits = 0;
/** Replies this thread has read from its port (the mailbox counts those posted to it). */
let received = 0;
/** How often a waiting thread checks that the relay is still alive, in ms. */
const kCheckEveryMs = 1_000;

/** A connection: this side's port and mailbox, and the relay's end of it. */
function connectionPair(status: Int32Array): { self: Client; end: { port: MessagePort; mailbox: SharedArrayBuffer } } {
  const { port1, port2 } = new MessageChannel();
  const mailbox = new SharedArrayBuffer(4);
  return { self: { port: port2, mailbox: new Int32Array(mailbox), status }, end: { port: port1, mailbox } };
}

/** This thread's connection to the relay (on the main thread, made on first use; the relay may not run yet). */
function connection(): Client {
  const adopted = adopt();
  if (adopted !== undefined) return adopted;
  if (!isMainThread) {
    throw new Error(
      'this thread has no connection to the skein relay, which carries queue items that cannot live in shared ' +
        'memory (shared memory, skein primitives, ports, big values): it was not started by skein. Start it as a ' +
        'skein Thread or pool task, or send only items that are plain data and small',
    );
  }
  const { self, end } = connectionPair(new Int32Array(new SharedArrayBuffer(4)));
  mainRelayEnd = end;
  return (client = self);
}

/**
 * Make sure the relay runs: on the main thread, start it if it has not
 * started; in a worker, ask the main thread to (once). Queues call this
 * when they are made, so that the relay is there by the time an item
 * needs it, whichever thread that is on.
 */
export function needRelay(): void {
  if (relayWorker !== undefined) return;
  if (isMainThread) startRelay();
  else if (!startAsked) {
    startAsked = true;
    parentPort?.postMessage({ type: 'skein:relay' } satisfies RelayStartRequest);
  }
}

/** @internal On the main thread: start the relay worker, once, with this thread's connection. */
export function startRelay(): void {
  if (relayWorker !== undefined || !isMainThread) return;
  // Beside the worker entry.
  const relayUrl = new URL('./relay.js', workerEntry());
  const self = connection();
  const end = mainRelayEnd!;
  mainRelayEnd = undefined;
  // Nothing of the process's execArgv (a TypeScript loader would triple its start): it loads one small file.
  relayWorker = new Worker(relayUrl, {
    workerData: end,
    transferList: [end.port],
    execArgv: [],
    name: 'skein relay',
  });
  relayWorker.on('exit', () => {
    // Threads waiting for a reply check this word; they wake within kCheckEveryMs.
    Atomics.store(self.status, 0, 1);
  });
  relayWorker.on('error', () => {});
  relayWorker.unref();
}

/**
 * @internal For the hub, creating a skein worker on this thread: the
 * worker's connection to the relay, to put in its workerData, and the port
 * to list for transfer. The relay's end is sent to the relay through this
 * thread's own connection (where it waits if the relay has not started).
 */
export function relayPortForWorker(): { boot: RelayBoot; transfer: MessagePort } | undefined {
  // A worker skein did not create has no connection to give on: its own workers have none either.
  if (adopt() === undefined && !isMainThread) return undefined;
  const self = connection();
  const { self: child, end } = connectionPair(self.status);
  self.port.postMessage({ t: 'connect', ...end }, [end.port]);
  const boot: RelayBoot = { port: child.port, mailbox: end.mailbox, status: self.status.buffer as SharedArrayBuffer };
  return { boot, transfer: child.port };
}

/**
 * This thread's connection, if it has one yet. A skein worker's is in its
 * workerData, beside its boot record, where the hub put it: taken from
 * there on first use, so that a worker whose thread never uses the relay
 * does not load this module (each module a worker loads costs every idle
 * thread memory). A worker skein did not start has none.
 */
function adopt(): Client | undefined {
  if (client !== undefined || isMainThread) return client;
  const data = workerData as { skein?: unknown; relay?: RelayBoot } | null;
  const boot = isWorkerBoot(data?.skein) ? data?.relay : undefined;
  if (boot === undefined) return undefined;
  return (client = { port: boot.port, mailbox: new Int32Array(boot.mailbox), status: new Int32Array(boot.status) });
}

/** This thread's connection, with the relay started or asked for. */
function relay(): Client {
  const self = connection();
  needRelay();
  return self;
}

/**
 * Post `value` to the relay, to be withdrawn once by {@link withdraw}.
 * Never blocks. What `transfer` lists (ports, buffers) is moved, not
 * copied, here and on to the thread that withdraws it.
 *
 * @throws the platform's DataCloneError (as a TypeError naming it) if `value` cannot be sent.
 */
export function deposit(value: unknown, transfer: readonly TransferListItem[] = []): RelayId {
  const self = relay();
  const encoded = encodeValue(value);
  const id = threadId * 2 ** 32 + (deposits = (deposits + 1) >>> 0);
  self.port.postMessage({ t: 'deposit', id, payload: [encoded.value, encoded.hasEvents] }, [...transfer]);
  return id;
}

/** Take the value deposited as `id`, blocking until the relay has sent it. */
export function withdraw(id: RelayId): unknown {
  const ticket = ask({ t: 'withdraw', id });
  const [value, hasEvents] = awaitReply(ticket) as [unknown, boolean];
  return decodeValue(value, hasEvents);
}

/** {@link withdraw} without blocking the event loop. */
export async function withdrawAsync(id: RelayId): Promise<unknown> {
  const ticket = ask({ t: 'withdraw', id });
  const [value, hasEvents] = (await awaitReplyAsync(ticket)) as [unknown, boolean];
  return decodeValue(value, hasEvents);
}

/**
 * Run `deposit`s in `fn` for the workers this thread created itself (a
 * pool's): they may withdraw them from this thread. The relay serves every
 * thread on Node: nothing more to do here (see src/relay/relay.browser.ts).
 */
export function forOwnWorkers<T>(fn: () => T): T {
  return fn();
}

/**
 * The reply to a worker's request to withdraw what this thread deposited
 * for it ({@link forOwnWorkers}), if `message` is one; on Node, never
 * (workers withdraw from the relay).
 */
export function answerWithdrawal(_message: unknown): { reply: unknown; transfer: TransferListItem[] } | undefined {
  return undefined;
}

/** Drop the value deposited as `id`: nobody will withdraw it. */
export function discard(id: RelayId): void {
  relay().port.postMessage({ t: 'discard', id });
}

/**
 * Send a queue's spill operations to the relay. Returns the ticket of the
 * take among them, if any: the spilled record it takes arrives with
 * {@link awaitReply} or {@link awaitReplyAsync}.
 */
export function sendSpill(queue: readonly [number, number], order: number, ops: readonly SpillOp[]): number {
  let ticket = 0;
  const sent = ops.map((op) => (op.kind === 'take' ? { ...op, ticket: (ticket = nextTicket++) } : op));
  relay().port.postMessage({ t: 'spill', queue: `${queue[0]}:${queue[1]}`, order, ops: sent });
  return ticket;
}

function ask(request: { t: 'withdraw'; id: RelayId }): number {
  const ticket = nextTicket++;
  relay().port.postMessage({ ...request, ticket });
  return ticket;
}

/** Move every reply in this thread's port into `replies`; whether `ticket`'s is there. */
function collect(self: Client, ticket: number): boolean {
  for (
    let message = receiveMessageOnPort(self.port);
    message !== undefined;
    message = receiveMessageOnPort(self.port)
  ) {
    const { ticket: got, payload } = message.message as { ticket: number; payload: unknown };
    replies.set(got, payload);
    received++;
  }
  return replies.has(ticket);
}

/**
 * How long to wait before looking at the port again, in ms, when the
 * mailbox says `seen` replies were posted to this thread and fewer have
 * arrived: on Node a posted message is in the port at once, but on Deno it
 * gets there a little later, and no second notify comes when it does.
 * Otherwise: until the next notify (or the next check that the relay lives).
 */
function pause(seen: number, tries: number): number {
  return seen > received ? Math.min(0.05 * 2 ** tries, 20) : kCheckEveryMs;
}

function takeReply(ticket: number): unknown {
  const payload = replies.get(ticket);
  replies.delete(ticket);
  return payload;
}

function checkAlive(self: Client): void {
  if (Atomics.load(self.status, 0) !== 0) {
    throw new Error('the skein relay worker has exited, so a queue item held by it is lost');
  }
}

/** Block until the reply to `ticket` is in this thread's port, and return it. */
export function awaitReply(ticket: number): unknown {
  const self = connection();
  for (let tries = 0; ; tries++) {
    // Read the word before the port: a reply posted after the read bumps
    // the word after posting, so the wait below returns at once.
    const seen = Atomics.load(self.mailbox, 0);
    if (collect(self, ticket)) return takeReply(ticket);
    checkAlive(self);
    Atomics.wait(self.mailbox, 0, seen, pause(seen, tries));
  }
}

/** {@link awaitReply} without blocking the event loop. */
export async function awaitReplyAsync(ticket: number): Promise<unknown> {
  const self = connection();
  for (let tries = 0; ; tries++) {
    const seen = Atomics.load(self.mailbox, 0);
    if (collect(self, ticket)) return takeReply(ticket);
    checkAlive(self);
    await waitAsyncFor(self.mailbox, 0, seen, pause(seen, tries));
  }
}

/** @internal How many relay workers this process runs: 0 or 1 (the leak check does not count it). */
export function relayWorkerCount(): number {
  return relayWorker === undefined ? 0 : 1;
}
