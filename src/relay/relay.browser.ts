/**
 * src/relay/relay.ts for browsers, where skein has no relay yet: a worker
 * blocked in `queue.get()` could not read a port (browsers have no
 * `receiveMessageOnPort`), so a queue item must live in the queue's shared
 * memory — plain data of up to 64 KiB — and a queue holds at most its
 * memory's most (64 MiB). What would need the relay is refused with a
 * NotSupportedError that says so; nothing waits for a relay that never comes.
 */
import type { MessagePort, TransferListItem } from 'node:worker_threads';
import { NotSupportedError } from '../errors.js';
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

/** No relay worker in a browser: nothing to set. */
export function setRelayWorkerUrl(_url: URL): void {}

/** No relay to start in a browser: queues work without it. */
export function needRelay(): void {}

/** No relay to start in a browser. */
export function startRelay(): void {}

/** No connection to give a worker in a browser. */
export function relayPortForWorker(): { boot: RelayBoot; transfer: MessagePort } | undefined {
  return undefined;
}

/** No connection to adopt in a browser. */
export function adoptRelayPort(_boot: RelayBoot | undefined): void {}

/** @throws NotSupportedError: an item that needs the relay cannot be put in a browser. */
export function deposit(_value: unknown, _transfer: readonly TransferListItem[] = []): RelayId {
  throw unsupported(
    'a queue item that is not plain data of at most 64 KiB (shared memory, a skein primitive, a port, a bigger value) cannot be put',
  );
}

/** @throws NotSupportedError: nothing was deposited. */
export function withdraw(_id: RelayId): unknown {
  throw unsupported('a queue item held by the relay cannot be taken');
}

/** @throws NotSupportedError (rejected): nothing was deposited. */
export async function withdrawAsync(id: RelayId): Promise<unknown> {
  return withdraw(id);
}

/** Nothing was deposited: nothing to drop. */
export function discard(_id: RelayId): void {}

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
