/**
 * src/relay/relay.ts for browsers, where skein has no relay yet: a worker
 * blocked in `queue.get()` could not read a port (browsers have no
 * `receiveMessageOnPort`), so a queue item must live in the queue's shared
 * memory — plain data of up to 64 KiB — and a queue holds at most its
 * memory's most (64 MiB). What would need the relay is refused with a
 * NotSupportedError that says so; nothing waits for a relay that never comes.
 *
 * But for a pool's tasks: a task whose arguments are not plain data (an
 * Event, shared memory, a port) is kept by the thread that owns the pool —
 * the one that created its workers — and the worker that takes it from the
 * task queue asks its creator for it by message, and awaits it.
 */
import type { MessagePort, TransferListItem } from 'node:worker_threads';
import { NotSupportedError } from '../errors.js';
import { parentPort } from '../host.js';
import { decodeValue, encodeValue } from '../thread/transfer.js';
import type { SpillOp } from '../sync/record-queue.js';
import type { RelayBoot, RelayId, RelayStartRequest } from './relay.js';

export type { RelayBoot, RelayId, RelayStartRequest };

function unsupported(what: string): NotSupportedError {
  return new NotSupportedError(
    `${what} in a browser: skein's relay, which carries what cannot live in a queue's shared memory, does not run ` +
      'in browsers yet — put plain data (numbers, strings, arrays, plain objects, typed arrays…) of at most 64 KiB ' +
      'an item, or send the rest with postMessage',
    'relay',
    'browser',
  );
}

/** Whether `message` is a {@link RelayStartRequest}. */
export function isRelayStartRequest(message: unknown): message is RelayStartRequest {
  return (message as RelayStartRequest | null)?.type === 'skein:relay';
}

/** No relay to start in a browser: queues work without it. */
export function needRelay(): void {}

/** No relay to start in a browser. */
export function startRelay(): void {}

/** No connection to give a worker in a browser. */
export function relayPortForWorker(): { boot: RelayBoot; transfer: MessagePort } | undefined {
  return undefined;
}

/** How deep this thread is in {@link forOwnWorkers}: deposits are allowed only there. */
let ownWorkersDepth = 0;
/** What this thread deposited for its own workers, by id, until one withdraws it. */
const held = new Map<RelayId, { payload: [unknown, boolean]; transfer: TransferListItem[] }>();
let deposits = 0;

/** Run `deposit`s in `fn` for the workers this thread created itself (a pool's), which withdraw them from it. */
export function forOwnWorkers<T>(fn: () => T): T {
  ownWorkersDepth++;
  try {
    return fn();
  } finally {
    ownWorkersDepth--;
  }
}

/**
 * Keep `value` for a worker this thread created (in {@link forOwnWorkers}).
 * @throws NotSupportedError elsewhere: an item that needs the relay cannot be put in a browser.
 */
export function deposit(value: unknown, transfer: readonly TransferListItem[] = []): RelayId {
  if (ownWorkersDepth === 0) {
    throw unsupported(
      'a queue item that is not plain data of at most 64 KiB (shared memory, a skein primitive, a port, a bigger value) cannot be put',
    );
  }
  const encoded = encodeValue(value);
  const id = ++deposits;
  held.set(id, { payload: [encoded.value, encoded.hasEvents], transfer: [...transfer] });
  return id;
}

/** Withdrawal requests, as a worker posts them to its creator. */
interface WithdrawalRequest {
  type: 'skein:withdraw';
  id: RelayId;
}

/** The answer to a {@link WithdrawalRequest}. */
interface Withdrawn {
  type: 'skein:withdrawn';
  id: RelayId;
  payload: [unknown, boolean] | undefined;
}

/** The thread's pending withdrawals, by id. */
const withdrawing = new Map<RelayId, (payload: Withdrawn['payload']) => void>();
let listening = false;

/**
 * In a skein worker: a promise of the value its creator deposited as `id`
 * — a worker cannot block for a message in a browser (the pool's worker
 * awaits it).
 * @throws NotSupportedError (rejected) elsewhere: a queue item held by the relay cannot be taken.
 */
export function withdraw(id: RelayId): unknown {
  return withdrawAsync(id);
}

/** {@link withdraw}: the value its creator deposited as `id`. */
export async function withdrawAsync(id: RelayId): Promise<unknown> {
  if (parentPort === null) throw unsupported('a queue item held by the relay cannot be taken');
  if (!listening) {
    listening = true;
    (globalThis as unknown as EventTarget).addEventListener('message', (event) => {
      const data = (event as MessageEvent).data as Withdrawn | null;
      if (data?.type !== 'skein:withdrawn') return;
      withdrawing.get(data.id)?.(data.payload);
      withdrawing.delete(data.id);
    });
  }
  const payload = await new Promise<Withdrawn['payload']>((resolve) => {
    withdrawing.set(id, resolve);
    parentPort!.postMessage({ type: 'skein:withdraw', id } satisfies WithdrawalRequest);
  });
  if (payload === undefined) throw new Error(`skein worker asked for deposit ${id}, which its creator does not hold`);
  return decodeValue(payload[0], payload[1]);
}

/**
 * The reply to a worker's request to withdraw what this thread deposited
 * for it, if `message` is one (the page's side of {@link withdrawAsync}):
 * the value is given once, and its buffers and ports move with it.
 */
export function answerWithdrawal(message: unknown): { reply: unknown; transfer: TransferListItem[] } | undefined {
  const request = message as WithdrawalRequest | null;
  if (request?.type !== 'skein:withdraw' || typeof request.id !== 'number') return undefined;
  const entry = held.get(request.id);
  held.delete(request.id);
  return {
    reply: { type: 'skein:withdrawn', id: request.id, payload: entry?.payload } satisfies Withdrawn,
    transfer: entry?.transfer ?? [],
  };
}

/** Drop what was deposited as `id`: nobody will withdraw it. */
export function discard(id: RelayId): void {
  held.delete(id);
}

/** @throws NotSupportedError: a queue past its memory's most would spill to the relay. */
export function sendSpill(_queue: readonly [number, number], _order: number, ops: readonly SpillOp[]): number {
  if (ops.length === 0) return 0;
  throw unsupported('a queue cannot hold more than its shared memory (64 MiB of items)');
}

/** @throws NotSupportedError: no reply can come. */
export function awaitReply(_ticket: number): unknown {
  throw unsupported('a queue item held by the relay cannot be taken');
}

/** @throws NotSupportedError (rejected): no reply can come. */
export async function awaitReplyAsync(ticket: number): Promise<unknown> {
  return awaitReply(ticket);
}

/** No relay worker in a browser: 0. */
export function relayWorkerCount(): number {
  return 0;
}
