// Not part of skein's API: the internals the tests look at. Built as a third
// entry of the bundle beside the index and the worker entry, it shares their
// code — the same standby workers, the same scope — and is neither exported
// by package.json nor packed. Its declarations are its own (not re-exports):
// the members it reaches are `@internal`, which the published .d.ts strip.
import type { Future } from './executor/future.js';
import {
  idleStandbyCount as countIdleStandbys,
  readyStandbyCount as countReadyStandbys,
  releasedWorkerCount as countReleased,
} from './thread/hub.js';

/** Idle standby workers (tests subtract them when counting leaks). */
export const idleStandbyCount = (): number => countIdleStandbys();

/** How many workers were given back to the standby pool after a clean thread. */
export const releasedWorkerCount = (): number => countReleased();
/** Idle standby workers booted and parked, ready to run a job at once (the bench's start figures wait for one). */
export const readyStandbyCount = (): number => countReadyStandbys();

/** The number that identifies `future` in the messages between a pool and its workers. */
export const futureId = (future: Future<unknown>): number => future.id;

export { checkOutcome } from './thread/protocol.js';
export { relayWorkerCount } from './relay/relay.js';
export { DurationHistogram } from './executor/histogram.js';
export { WireReader } from './wire/reader.js';
export { WireWriter } from './wire/writer.js';
export { RecordQueue, Order, Status, type SpillOp } from './sync/record-queue.js';
export { setQueueMemory } from './sync/queue.js';
