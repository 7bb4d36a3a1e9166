/**
 * A queue of byte records in shared memory, for any number of producers and
 * consumers on any threads: what Python's queue.Queue is (a mutex, two
 * conditions, a deque), on a SharedArrayBuffer. The public Queue family is
 * built on it, and so can the pool's task queue be: it knows bytes, order
 * and waiting, not items, tasks or `taskDone` (its owner has a few header
 * words of its own for those).
 *
 * One buffer holds it all: a header of Int32 words, then a data area of
 * blocks that a small allocator hands out (boundary tags, next fit): the
 * records' bytes, and the index — the order of the records — in a block of
 * its own that moves to one twice the size when full. Every change happens
 * under the lock word (see lock-word.ts); takers sleep on a "not empty"
 * sequence word and putters on a "not full" one, each bumped and notified
 * after a change a sleeper may be waiting for (see #release).
 *
 * Order: first in first out, last in first out, or by priority (lowest
 * first, ties in insertion order), chosen at creation.
 *
 * Memory: the data area grows as records need (the buffer is a growable
 * SharedArrayBuffer, where the platform has them), up to a most. Past it,
 * the queue spills ("external" records): that record and every one put
 * after it in the same run go to the relay instead (see
 * src/relay/relay.ts), each as a numbered operation that the relay applies
 * in number order. The order stays whole: the queue is a list of runs kept
 * here or spilled, a FIFO takes from its oldest run and a LIFO from its
 * newest; a priority queue moves its own records out too when it starts
 * spilling, so that one heap holds them all. Memory stays bounded, and a
 * put on an unbounded queue never blocks.
 */
import { canGrowSharedBuffer, newSharedBuffer } from '../platform.js';
import { freeLock, takeLock } from './lock-word.js';
import { comesBefore, type PriorityKey } from './priority.js';
import { deadlineAfter, remainingUntil } from './timeout.js';
import { type WaitOutcome, waitAsyncFor } from './wait-async.js';

// Header, Int32 words from the queue's byteOffset:
/** (word 0) The owner's type tag. */
const kLock = 1;
/** Bumped when records arrive or the queue closes: takers sleep on it. */
export const kNotEmpty = 2;
/** Bumped when records leave or the queue closes: putters sleep on it (bounded). */
const kNotFull = 3;
/** Records in the index. Written under the lock, read without it by spinning takers. */
const kCount = 4;
/** Most records at once (0: unbounded). */
const kCapacity = 5;
/** {@link Order} of the records. */
const kOrder = 6;
/** 1 once closed. */
const kClosed = 7;
/**
 * The sleepers on each of kNotEmpty and kNotFull: how many (counted under
 * the lock, before they sleep), how many wakes were sent to them and not
 * yet taken up (so that while a sleeper is being woken, later puts do not
 * pay a futex wake each), and how many asynchronous waits the runtime still
 * counts for the word (one whose timeout has passed may linger and swallow
 * a wake: every wake wakes that many more).
 */
const kTakers = 8;
const kTakerWakes = 9;
const kTakersAsync = 10;
const kPutters = 11;
const kPutterWakes = 12;
const kPuttersAsync = 13;
/**
 * The index (the order of the records) lives in a block of the data area:
 * its byte offset there, and the entries it holds. It moves to a block
 * twice the size when full.
 */
const kIndexBlock = 14;
const kIndexSlots = 15;
/** FIFO and LIFO: index of the oldest record in the circular index. */
const kHead = 16;
/** Bytes in the data area now, and the most it may grow to (the same if the buffer cannot grow). */
const kDataBytes = 17;
const kMaxDataBytes = 18;
/** Allocator: first free block of the free list (-1: none), and where the next search starts. */
const kFreeHead = 19;
const kRover = 20;
/** Records put so far, mod 2^32: a priority record's insertion number. */
const kSequence = 21;
/** Records spilled to the relay and not yet taken, and operations sent to the relay so far. */
const kExternal = 22;
const kExternalOps = 23;
/** A random 64-bit name for this queue, so that the relay tells queues apart. */
const kName = 24;
/**
 * FIFO and LIFO: the queue as runs ("segments") of records kept here and
 * records spilled, oldest first, in a circular list of kMaxSegments words:
 * a run of n records here is n, a run of n spilled records is -n. A FIFO
 * takes from the oldest run, a LIFO from the newest; a put extends the
 * newest run or starts one. So the queue leaves spilling as soon as the
 * data area has room again, and the order holds across runs.
 */
const kSegmentHead = 26;
const kSegmentCount = 27;
const kSegments = 28;
const kMaxSegments = 8;
/** Words the owner uses as it likes (Queue: unfinished tasks, its kind). */
export const kOwnerWords = kSegments + kMaxSegments;
const kOwnerWordCount = 4;
const kHeaderWords = kOwnerWords + kOwnerWordCount;
/** Where the data area starts, from the queue's byteOffset. */
const kDataAt = (kHeaderWords * 4 + 7) & ~7;
/** Entries of a new index. */
const kFirstSlots = 32;
/** The largest record kept in shared memory: a bigger item goes through the relay whole. */
const kMaxRecord = 64 * 1024;
/** The data area of a queue that could grow but whose buffer cannot. */
const kFixedDataBytes = 1024 * 1024;

/** The order in which records are taken. */
export const Order = { fifo: 0, lifo: 1, priority: 2 } as const;
/** One of {@link Order}. */
export type OrderCode = (typeof Order)[keyof typeof Order];

/** How a put or a take went. */
export const Status = {
  /** Done: the record is in the queue, or (take) copied out. */
  ok: 0,
  /** The queue stayed full (put) or empty (take) until the timeout. */
  timedOut: 1,
  /** The queue is closed (take: and has no record left). */
  closed: 2,
  /** The record is spilled (put) or comes from the spill (take): see {@link SpillOp}. */
  external: 3,
} as const;
/** One of {@link Status}. */
export type StatusCode = (typeof Status)[keyof typeof Status];

/**
 * An operation on the records held by the relay, numbered: the relay
 * applies a queue's operations in number order whatever order they reach
 * it in, so that it sees what the lock holders saw.
 */
export type SpillOp =
  | { kind: 'put'; op: number; bytes: Uint8Array; key: PriorityKey | undefined; sequence: number }
  | { kind: 'take'; op: number }
  | { kind: 'clear'; op: number };

/** A priority (see priority.ts). */
export type { PriorityKey };

/** What an asynchronous put or take resolves to: its status, and the relay operations to send. */
export type Outcome = [StatusCode, SpillOp[] | undefined];

// Blocks of the data area: a header word (size in bytes, a multiple of 8,
// with bit 0 set while in use) and a footer word (the size) around the
// body. A used block's body: the record's length, its priority key (in a
// priority queue), then the record, 8-aligned. A free block's body: the
// next and previous free blocks (byte offsets in the data area, -1: none).
const kUsed = 1;
const kMinBlock = 16;
/** Internal status: the queue is full (put) or empty (take) and the lock is still held. */
const kWouldWait = -1;
/** Tries at a held lock before sleeping on it: it is held for a few hundred ns at a time. */
const kLockSpins = 200;

/** The words of one kind of sleeper: takers (on not empty) or putters (on not full). */
interface Sleepers {
  readonly word: number;
  readonly count: number;
  readonly wakes: number;
  readonly async: number;
}
const takers: Sleepers = { word: kNotEmpty, count: kTakers, wakes: kTakerWakes, async: kTakersAsync };
const putters: Sleepers = { word: kNotFull, count: kPutters, wakes: kPutterWakes, async: kPuttersAsync };
/** A number key: kind 0, a pad word, the float64. A string key: kind 1, its length, its UTF-16 units (padded to 8). */
const kNumberKey = 0;
const kStringKey = 1;

/** How a queue is made. */
export interface RecordQueueOptions {
  /** The owner's type tag, written into word 0. */
  tag: number;
  order: OrderCode;
  /** Most records at once; 0 for no limit. */
  capacity: number;
  /** Bytes for records at first (rounded up to a multiple of 8). */
  dataBytes: number;
  /**
   * The most bytes for records: the buffer grows as records need, up to
   * this (where the platform lets a SharedArrayBuffer grow); past it the
   * queue spills. Default: `dataBytes`, no growth.
   */
  maxDataBytes?: number;
}

/** Records taken by {@link RecordQueue.drain}: record i is bytes[starts[i] … starts[i] + lengths[i]). */
export interface Drained {
  readonly bytes: Uint8Array;
  readonly starts: number[];
  readonly lengths: number[];
}

/** This thread's buffer for records copied out: grown (and made) on first need. */
let scratch = new Uint8Array(0);

/** This thread's buffer for records copied out, at least `n` bytes (its content may be dropped). */
function scratchFor(n: number): Uint8Array {
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2, 4096));
  return scratch;
}

const align8 = (n: number): number => (n + 7) & ~7;

/**
 * Copy `length` bytes from `from[at…]` to `to[into…]`: a few bytes by hand
 * (a record is often a few dozen bytes, and a view for `set` costs more
 * than the copy), more with `set`.
 */
function copyBytes(from: Uint8Array, at: number, to: Uint8Array, into: number, length: number): void {
  if (length > 64) {
    to.set(from.subarray(at, at + length), into);
    return;
  }
  for (let i = 0; i < length; i++) to[into + i] = from[at + i]!;
}

/**
 * The queue of records. One object per thread on the same memory; make it
 * with {@link RecordQueue.create}, rebuild it elsewhere with
 * {@link RecordQueue.attach}.
 */
export class RecordQueue {
  readonly buffer: SharedArrayBuffer;
  readonly byteOffset: number;
  /** The header words (and the owner's, from {@link kOwnerWords}). */
  readonly i32: Int32Array;
  // Views of the data area, as long as it was when they were made: made
  // again (under the lock) once it has grown. Views that track a growable
  // buffer's length would follow it by themselves, but V8 (Node 20) reads
  // and writes through them several times slower.
  #data!: Int32Array;
  #dataView!: DataView;
  #dataU8!: Uint8Array;
  #viewBytes = 0;
  readonly #entryWords: number;
  readonly #order: OrderCode;
  readonly #capacity: number;
  /** Relay operations of the call in progress (see {@link RecordQueue.takeSpillOps}). */
  #spillOps: SpillOp[] = [];

  private constructor(buffer: SharedArrayBuffer, byteOffset: number) {
    this.buffer = buffer;
    this.byteOffset = byteOffset;
    this.i32 = new Int32Array(buffer, byteOffset, kHeaderWords);
    this.#order = this.i32[kOrder] as OrderCode;
    this.#capacity = this.i32[kCapacity]!;
    this.#entryWords = this.#order === Order.priority ? 2 : 1;
    this.#view(this.i32[kDataBytes]!);
  }

  /** Make the views of the data area cover its first `bytes`. */
  #view(bytes: number): void {
    const at = this.byteOffset + kDataAt;
    this.#data = new Int32Array(this.buffer, at, bytes >> 2);
    this.#dataView = new DataView(this.buffer, at, bytes);
    this.#dataU8 = new Uint8Array(this.buffer, at, bytes);
    this.#viewBytes = bytes;
  }

  /**
   * A new, empty queue: in fresh memory (growable, if `maxDataBytes` asks
   * for more than `dataBytes` and the platform can), or at `byteOffset` of
   * `buffer` (zeroed, {@link recordQueueBytes} long; it does not grow).
   */
  static create(options: RecordQueueOptions, buffer?: SharedArrayBuffer, byteOffset = 0): RecordQueue {
    let data = align8(Math.max(options.dataBytes, 256));
    const wanted = align8(Math.max(options.maxDataBytes ?? data, data));
    // A buffer that cannot grow starts bigger, so that it spills later.
    if ((buffer !== undefined || !canGrowSharedBuffer) && wanted > data) data = Math.min(wanted, kFixedDataBytes);
    let most = buffer === undefined && canGrowSharedBuffer ? wanted : data;
    if (buffer === undefined) {
      try {
        buffer = newSharedBuffer(kDataAt + data, most > data ? kDataAt + most : undefined);
      } catch (error) {
        if (most === data) throw error;
        // Not enough address space to reserve the most: a buffer that does not grow.
        most = data;
        buffer = newSharedBuffer(kDataAt + data);
      }
    }
    const i32 = new Int32Array(buffer, byteOffset, kHeaderWords);
    i32[kCapacity] = Math.max(options.capacity, 0);
    i32[kOrder] = options.order;
    i32[kDataBytes] = data;
    i32[kMaxDataBytes] = most;
    // (Browsers refuse to fill shared memory with random values: a copy.)
    i32.set(crypto.getRandomValues(new Int32Array(2)), kName);
    // One free block: the whole data area.
    const words = new Int32Array(buffer, byteOffset + kDataAt, data >> 2);
    words[0] = data;
    words[1] = -1;
    words[2] = -1;
    words[(data >> 2) - 1] = data;
    i32[kFreeHead] = 0;
    i32[kRover] = 0;
    const queue = new RecordQueue(buffer, byteOffset);
    const slots = options.capacity > 0 ? Math.min(options.capacity, kFirstSlots) : kFirstSlots;
    i32[kIndexBlock] = queue.#allocate(slots * queue.#entryWords * 4);
    i32[kIndexSlots] = slots;
    // The tag last: until it is there, fromBuffer refuses the memory.
    Atomics.store(i32, 0, options.tag);
    return queue;
  }

  /** The queue at `byteOffset` of `buffer`, made by {@link RecordQueue.create} (its tag already checked). */
  static attach(buffer: SharedArrayBuffer, byteOffset = 0): RecordQueue {
    return new RecordQueue(buffer, byteOffset);
  }

  /** The queue's order. */
  get order(): OrderCode {
    return this.#order;
  }

  /** Most records at once; 0: no limit. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Records in the queue now, here and spilled. Never blocks; stale as soon as read. */
  get size(): number {
    return Atomics.load(this.i32, kCount) + Atomics.load(this.i32, kExternal);
  }

  /** Whether {@link RecordQueue.close} was called. */
  get closed(): boolean {
    return Atomics.load(this.i32, kClosed) !== 0;
  }

  /** The queue's name for the relay: two random words. */
  get name(): readonly [number, number] {
    return [this.i32[kName]!, this.i32[kName + 1]!];
  }

  /** Bytes of the data area now (it may grow). */
  get dataBytes(): number {
    return Atomics.load(this.i32, kDataBytes);
  }

  /** Bytes the whole queue occupies from its byteOffset now (it may grow). */
  get byteLength(): number {
    return kDataAt + this.dataBytes;
  }

  /** The largest record kept in shared memory: a bigger item should be sent out of line whole. */
  get maxRecordBytes(): number {
    return Math.min(kMaxRecord, this.i32[kMaxDataBytes]! >> 2);
  }

  /** Bytes a queue whose data area is `dataBytes` occupies (for {@link RecordQueue.create} into a given buffer). */
  static bytesFor(dataBytes: number): number {
    return kDataAt + align8(Math.max(dataBytes, 256));
  }

  // ── Putting ────────────────────────────────────────────────────────────

  /**
   * Put one record — `bytes[start … start + length)` — waiting up to
   * `timeout` ms (`Infinity`: forever) while the queue is full. `key` is
   * its priority (a priority queue only).
   *
   * @returns `ok`; `timedOut` if it stayed full; `closed` (nothing put);
   *   `external` if it was spilled: send {@link RecordQueue.takeSpillOps} to the relay.
   */
  put(bytes: Uint8Array, start: number, length: number, key: PriorityKey | undefined, timeout: number): StatusCode {
    const i32 = this.i32;
    let deadline = -1;
    this.#lock();
    for (;;) {
      const status = this.#putLocked(bytes, start, length, key);
      if (status !== kWouldWait) return this.#afterPut(status);
      if (deadline === -1) deadline = deadlineAfter(timeout);
      const left = remainingUntil(deadline);
      if (left === 0) {
        freeLock(i32, kLock);
        return Status.timedOut;
      }
      this.#sleep(putters, left);
    }
  }

  /** {@link RecordQueue.put} without blocking the event loop. */
  async putAsync(
    bytes: Uint8Array,
    start: number,
    length: number,
    key: PriorityKey | undefined,
    timeout: number,
  ): Promise<Outcome> {
    const i32 = this.i32;
    let deadline = -1;
    // The lock is only ever held in synchronous stretches, never across an
    // await: a synchronous put or take on this thread would otherwise wait
    // for us forever.
    this.#lock();
    for (;;) {
      // `bytes` are read only now: the caller hands over bytes it owns.
      const status = this.#putLocked(bytes, start, length, key);
      if (status !== kWouldWait) return [this.#afterPut(status), this.takeSpillOps()];
      if (deadline === -1) deadline = deadlineAfter(timeout);
      const left = remainingUntil(deadline);
      if (left === 0) {
        freeLock(i32, kLock);
        return [Status.timedOut, undefined];
      }
      const outcome = await this.#sleepAsync(putters, left);
      this.#lock();
      this.#woke(putters, outcome);
    }
  }

  /**
   * Put one record if it fits in the shared memory now, without waiting and
   * never spilling (for a queue that has no relay: a pool's results).
   * @returns `ok`; `timedOut` if it does not fit (or the queue is full); `closed`.
   */
  putInline(bytes: Uint8Array, start: number, length: number): StatusCode {
    this.#lock();
    const status = this.#putLocked(bytes, start, length, undefined, false);
    if (status !== kWouldWait) return this.#afterPut(status);
    freeLock(this.i32, kLock);
    return Status.timedOut;
  }

  /**
   * Put several records under one hold of the lock, without waiting (for
   * the pool: every task submitted in one turn), and wake as many sleeping
   * takers as records arrived. A full bounded queue takes what fits.
   *
   * @param records - the records: bytes[starts[i] … starts[i] + lengths[i]).
   * @returns how many were put (from the first), or -1 if the queue is
   *   closed. Spilled ones are in {@link RecordQueue.takeSpillOps}.
   */
  putMany(bytes: Uint8Array, starts: readonly number[], lengths: readonly number[]): number {
    this.#lock();
    let put = 0;
    let status: number = Status.ok;
    while (put < starts.length) {
      status = this.#putLocked(bytes, starts[put]!, lengths[put]!, undefined);
      if (status === Status.closed || status === kWouldWait) break;
      put++;
    }
    this.#afterPut(put > 0 ? Status.ok : Status.closed, put);
    return put === 0 && status === Status.closed ? -1 : put;
  }

  /**
   * Under the lock: put one record, or say why not (`kWouldWait`: full).
   * The lock stays held: {@link RecordQueue.#afterPut} releases it.
   */
  #putLocked(bytes: Uint8Array, start: number, length: number, key: PriorityKey | undefined, spill = true): number {
    const i32 = this.i32;
    if (i32[kClosed] !== 0) return Status.closed;
    const count = i32[kCount]!;
    const external = i32[kExternal]!;
    if (this.#capacity > 0 && count + external >= this.#capacity) return kWouldWait;
    const sequence = i32[kSequence]!;
    i32[kSequence] = (sequence + 1) | 0;
    if (this.#mayKeep(external)) {
      const block = this.#roomInIndex(count) ? this.#allocateOrGrow(this.#keyBytes(key) + length) : -1;
      if (block !== -1) {
        this.#writeRecord(block, bytes, start, length, key);
        this.#insert(block, sequence);
        Atomics.store(i32, kCount, count + 1);
        if (this.#order !== Order.priority) this.#extendRun(1);
        return Status.ok;
      }
      // The data area (or the index) is full and cannot grow: spill. A
      // priority queue moves its records out first, so that the relay's
      // heap orders them all. Not for a put that must not spill.
      if (this.#order === Order.priority && spill) this.#moveOut();
    }
    if (!spill) {
      // Nothing put: the sequence number goes back.
      i32[kSequence] = sequence;
      return kWouldWait;
    }
    const copy = bytes.slice(start, start + length);
    this.#spillOps.push({ kind: 'put', op: this.#nextOp(), bytes: copy, key, sequence });
    Atomics.store(i32, kExternal, i32[kExternal]! + 1);
    if (this.#order !== Order.priority) this.#extendRun(-1);
    return Status.external;
  }

  /**
   * Under the lock: whether the next record may be kept here (if it fits).
   * A priority queue keeps none while it has spilled ones. A FIFO or LIFO
   * may extend a run kept here, or start one if that leaves room in the
   * list for the run of spilled records that may have to follow.
   */
  #mayKeep(external: number): boolean {
    if (this.#order === Order.priority) return external === 0;
    const runs = this.i32[kSegmentCount]!;
    return runs === 0 || this.#segment(runs - 1) > 0 || runs <= kMaxSegments - 2;
  }

  /** The index in the header of run `i` (0: the oldest). */
  #segmentAt(i: number): number {
    return kSegments + ((this.i32[kSegmentHead]! + i) % kMaxSegments);
  }

  #segment(i: number): number {
    return this.i32[this.#segmentAt(i)]!;
  }

  /** Count one more record in the newest run: kept here (+1) or spilled (-1), starting a run if it is of the other kind. */
  #extendRun(kind: 1 | -1): void {
    const i32 = this.i32;
    const runs = i32[kSegmentCount]!;
    if (runs > 0) {
      const newest = this.#segmentAt(runs - 1);
      if (i32[newest]! * kind > 0) {
        i32[newest] = i32[newest]! + kind;
        return;
      }
    }
    i32[this.#segmentAt(runs)] = kind;
    i32[kSegmentCount] = runs + 1;
  }

  /**
   * Under the lock: where the next record to take is — 1 here, -1 spilled,
   * 0 none — and count it out of its run.
   */
  #nextSource(): number {
    const i32 = this.i32;
    if (this.#order === Order.priority) {
      // A priority queue's records are all here or (while it spills) all spilled.
      return i32[kExternal]! > 0 ? -1 : i32[kCount]! > 0 ? 1 : 0;
    }
    const runs = i32[kSegmentCount]!;
    if (runs === 0) return 0;
    // FIFO: the oldest run; LIFO: the newest.
    const lifo = this.#order === Order.lifo;
    const at = this.#segmentAt(lifo ? runs - 1 : 0);
    const run = i32[at]!;
    const source = run > 0 ? 1 : -1;
    i32[at] = run - source;
    if (run === source) {
      // The run is used up.
      i32[kSegmentCount] = runs - 1;
      if (!lifo) i32[kSegmentHead] = (i32[kSegmentHead]! + 1) % kMaxSegments;
    }
    return source;
  }

  /** Release the lock after a put and wake the takers the `arrived` records may serve. */
  #afterPut(status: number, arrived = status === Status.closed ? 0 : 1): StatusCode {
    this.#release(takers, arrived);
    return status as StatusCode;
  }

  /**
   * Release the lock (held), waking up to `n` of `sleepers` — those not
   * already being woken. Under the lock: a sleeper counts itself and reads
   * the word under the lock before it sleeps, so one that found no record
   * (or no room) before ours came is counted here; we bump the word before
   * releasing, so it either sees the change and does not sleep, or is
   * asleep and woken. No wake-up is lost.
   */
  #release(sleepers: Sleepers, n: number): void {
    const i32 = this.i32;
    let wake = 0;
    if (n > 0) {
      const idle = i32[sleepers.count]! - i32[sleepers.wakes]!;
      if (idle > 0) {
        wake = Math.min(n, idle);
        i32[sleepers.wakes] = i32[sleepers.wakes]! + wake;
        Atomics.add(i32, sleepers.word, 1);
      }
    }
    // Read under the lock: every asynchronous wait the runtime may still count.
    const lingering = wake > 0 ? i32[sleepers.async]! : 0;
    freeLock(i32, kLock);
    if (wake > 0) Atomics.notify(i32, sleepers.word, wake + lingering);
  }

  /**
   * Take the lock (spinning briefly first: it is held for a few hundred ns
   * at a time), and see the data area as it is now: if another thread grew
   * it, our views are made again. The grower's store of its new size came
   * before its release of the lock, which our take follows.
   */
  #lock(): void {
    takeLock(this.i32, kLock, Infinity, kLockSpins);
    const bytes = this.i32[kDataBytes]!;
    if (bytes !== this.#viewBytes) this.#view(bytes);
  }

  /**
   * With the lock held: sleep as one of `sleepers` until woken or `left` ms
   * pass, and return with the lock held again.
   */
  #sleep(sleepers: Sleepers, left: number): void {
    const i32 = this.i32;
    // Count ourselves and read the word under the lock, then release it and
    // sleep: whoever makes the change we wait for does so under the lock
    // after this, so it sees us counted and bumps the word before it
    // notifies — the wait below either returns at once (the word is no
    // longer `seen`) or is woken. No wake-up is lost.
    i32[sleepers.count] = i32[sleepers.count]! + 1;
    const seen = Atomics.load(i32, sleepers.word);
    freeLock(i32, kLock);
    const outcome = Atomics.wait(i32, sleepers.word, seen, left);
    this.#lock();
    this.#woke(sleepers, outcome);
  }

  /**
   * {@link RecordQueue.#sleep} without blocking the event loop. It returns
   * without the lock: the caller takes it back in the same synchronous
   * stretch in which it uses it (an async function's return reaches its
   * caller a microtask later, and another waiter of this thread may run
   * in between and want the lock).
   */
  #sleepAsync(sleepers: Sleepers, left: number, keepAlive = true): Promise<WaitOutcome> {
    const i32 = this.i32;
    i32[sleepers.count] = i32[sleepers.count]! + 1;
    i32[sleepers.async] = i32[sleepers.async]! + 1;
    const seen = Atomics.load(i32, sleepers.word);
    freeLock(i32, kLock);
    // Counted as asynchronous until the runtime lets go of the wait, which
    // may be after our own timer ended it.
    return waitAsyncFor(i32, sleepers.word, seen, left, keepAlive, () => Atomics.sub(i32, sleepers.async, 1));
  }

  /** With the lock held again after a sleep: count this sleeper out, and the wake it took up. */
  #woke(sleepers: Sleepers, outcome: string): void {
    const i32 = this.i32;
    i32[sleepers.count] = i32[sleepers.count]! - 1;
    if (outcome !== 'timed-out' && i32[sleepers.wakes]! > 0) i32[sleepers.wakes] = i32[sleepers.wakes]! - 1;
  }

  /** The relay operations of the last synchronous call that spilled (see {@link SpillOp}); send them all. */
  takeSpillOps(): SpillOp[] | undefined {
    if (this.#spillOps.length === 0) return undefined;
    const ops = this.#spillOps;
    this.#spillOps = [];
    return ops;
  }

  // ── Taking ─────────────────────────────────────────────────────────────

  /**
   * Take the next record, copying it out: waiting up to `timeout` ms
   * (`Infinity`: forever) while the queue is empty, after spinning up to
   * `spinMs` ms first (a futex wake costs far more than a short spin when
   * records come back to back).
   *
   * @returns `ok` with the record in {@link RecordQueue.taken}; `timedOut`;
   *   `closed` once closed and empty; `external` if the next record is
   *   spilled: its take operation is in {@link RecordQueue.takeSpillOps}.
   */
  take(timeout: number, spinMs = 0): StatusCode {
    const i32 = this.i32;
    let deadline = -1;
    let spun = spinMs <= 0;
    this.#lock();
    for (;;) {
      const status = this.#takeLocked();
      if (status !== kWouldWait) return status as StatusCode;
      if (deadline === -1) deadline = deadlineAfter(timeout);
      const left = remainingUntil(deadline);
      if (left === 0) {
        freeLock(i32, kLock);
        return Status.timedOut;
      }
      if (spun) {
        this.#sleep(takers, left);
        continue;
      }
      freeLock(i32, kLock);
      spun = true;
      this.#spin(Math.min(spinMs, left));
      this.#lock();
    }
  }

  /**
   * {@link RecordQueue.take} without blocking the event loop (and without
   * spinning); with `keepAlive` false, the wait does not keep the process alive.
   */
  async takeAsync(timeout: number, keepAlive = true): Promise<Outcome> {
    const i32 = this.i32;
    let deadline = -1;
    // Never across an await (see putAsync).
    this.#lock();
    for (;;) {
      const status = this.#takeLocked();
      if (status !== kWouldWait) {
        // The caller reads the record after a turn of the microtask queue,
        // when another queue's take may have reused this thread's scratch
        // buffer: it gets a copy of its own.
        if (status === Status.ok) this.takenBytes = this.takenBytes.slice(0, this.takenLength);
        return [status as StatusCode, this.takeSpillOps()];
      }
      if (deadline === -1) deadline = deadlineAfter(timeout);
      const left = remainingUntil(deadline);
      if (left === 0) {
        freeLock(i32, kLock);
        return [Status.timedOut, undefined];
      }
      const outcome = await this.#sleepAsync(takers, left, keepAlive);
      this.#lock();
      this.#woke(takers, outcome);
    }
  }

  /**
   * Take the next record if there is one, without waiting: `ok`, `external`
   * or `closed` as {@link RecordQueue.take}, `timedOut` when empty.
   */
  tryTake(): StatusCode {
    this.#lock();
    const status = this.#takeLocked();
    if (status !== kWouldWait) return status as StatusCode;
    freeLock(this.i32, kLock);
    return Status.timedOut;
  }

  /**
   * Take every record here now (at most `max`), under one hold of the lock,
   * without waiting. Spilled records are not drained: when only those are
   * left, one is taken as by {@link RecordQueue.tryTake} (`external`).
   *
   * @returns the records, or a status when none was taken.
   */
  drain(max = Infinity): Drained | StatusCode {
    const i32 = this.i32;
    this.#lock();
    const count = i32[kCount]!;
    // How many of the next records are here, in a row.
    let n = this.#order === Order.priority ? (i32[kExternal] === 0 ? count : 0) : 0;
    if (this.#order !== Order.priority && i32[kSegmentCount]! > 0) {
      n = Math.max(0, this.#segment(this.#order === Order.lifo ? i32[kSegmentCount]! - 1 : 0));
    }
    n = Math.min(n, max);
    if (n === 0) {
      const status = this.#takeLocked();
      if (status !== kWouldWait) return status as StatusCode;
      freeLock(i32, kLock);
      return Status.timedOut;
    }
    // Room for them all, whichever are taken.
    let total = 0;
    for (let i = 0; i < count; i++) total += align8(this.#data[(this.#entry(i) >> 2) + 1]!);
    const out = scratchFor(total);
    const starts: number[] = [];
    const lengths: number[] = [];
    let at = 0;
    for (let i = 0; i < n; i++) {
      this.#nextSource();
      const block = this.#remove(count - i);
      const length = this.#copyOut(block, out, at);
      starts.push(at);
      lengths.push(length);
      at += align8(length);
      this.#free(block);
    }
    Atomics.store(i32, kCount, count - n);
    this.#afterTake(n);
    return { bytes: out, starts, lengths };
  }

  /**
   * Free the lock, held or not, for the one thread left using this queue
   * once every other has exited: one terminated while it held the lock
   * would leave it held for ever. What it was putting then is not there
   * (a record counts only once complete); the queue's space may be short
   * of that record's block, which is why the caller then drains it and
   * lets it go.
   */
  reclaimLock(): void {
    // Release ordering: nothing else runs on this queue any more.
    Atomics.store(this.i32, kLock, 0);
  }

  /** The record the last `ok` take copied out: valid until the next take on this thread. */
  get taken(): Uint8Array {
    return this.takenBytes.subarray(0, this.takenLength);
  }

  /** The bytes the last `ok` take copied out start at 0 of this array (this thread's; without a copy or a view of them). */
  takenBytes: Uint8Array = scratch;
  /** The length of the record the last `ok` take copied out. */
  takenLength = 0;

  /**
   * Spin, without the lock, until a record may be there, the queue closes,
   * or `ms` pass: for a consumer that would otherwise go to sleep between
   * records that come back to back.
   */
  spinWhileEmpty(ms: number): void {
    this.#spin(ms);
  }

  /** Spin until a record may be there, the queue closes, or `ms` pass. */
  #spin(ms: number): void {
    const i32 = this.i32;
    const until = performance.now() + ms;
    for (let i = 0; ; i++) {
      if (Atomics.load(i32, kCount) !== 0 || Atomics.load(i32, kExternal) !== 0 || Atomics.load(i32, kClosed) !== 0)
        return;
      // The clock costs more than a load: read it every 64th turn.
      if ((i & 63) === 63 && performance.now() >= until) return;
    }
  }

  /**
   * Under the lock: take the next record (releasing the lock), or return
   * `kWouldWait` for "empty", keeping it.
   */
  #takeLocked(): number {
    const i32 = this.i32;
    const source = this.#nextSource();
    if (source === 0) {
      if (i32[kClosed] === 0) return kWouldWait;
      freeLock(i32, kLock);
      return Status.closed;
    }
    if (source === -1) {
      this.#spillOps.push({ kind: 'take', op: this.#nextOp() });
      Atomics.store(i32, kExternal, i32[kExternal]! - 1);
      this.#afterTake(1);
      return Status.external;
    }
    const count = i32[kCount]!;
    const block = this.#remove(count);
    const length = this.#data[(block >> 2) + 1]!;
    const out = scratchFor(length);
    this.#copyOut(block, out, 0);
    this.takenBytes = out;
    this.takenLength = length;
    this.#free(block);
    Atomics.store(i32, kCount, count - 1);
    this.#afterTake(1);
    return Status.ok;
  }

  /** Release the lock after `left` records left, and wake the putters they make room for. */
  #afterTake(left: number): void {
    this.#release(putters, left);
  }

  // ── Closing ────────────────────────────────────────────────────────────

  /**
   * Close the queue: later puts return `closed`, takes return what is left
   * and then `closed`; every sleeping taker and putter wakes to see it.
   * With `drop`, what is left is dropped at once: each dropped record is
   * passed to `onDrop` (under the lock: keep it short), spilled ones are
   * cleared by an operation in {@link RecordQueue.takeSpillOps}.
   *
   * @returns how many records were dropped.
   */
  close(drop = false, onDrop?: (record: Uint8Array) => void): number {
    const i32 = this.i32;
    this.#lock();
    i32[kClosed] = 1;
    let dropped = 0;
    if (drop) {
      const count = i32[kCount]!;
      for (let i = 0; i < count; i++) {
        const block = this.#entry(i);
        if (onDrop !== undefined) {
          const length = this.#data[(block >> 2) + 1]!;
          const out = scratchFor(length);
          this.#copyOut(block, out, 0);
          onDrop(out.subarray(0, length));
        }
        this.#free(block);
      }
      Atomics.store(i32, kCount, 0);
      i32[kSegmentCount] = 0;
      const external = i32[kExternal]!;
      if (external > 0) {
        this.#spillOps.push({ kind: 'clear', op: this.#nextOp() });
        Atomics.store(i32, kExternal, 0);
      }
      dropped = count + external;
    }
    // Everyone, each once: each must see the queue closed.
    for (const sleepers of [takers, putters]) {
      i32[sleepers.wakes] = i32[sleepers.count]!;
      Atomics.add(i32, sleepers.word, 1);
    }
    freeLock(i32, kLock);
    Atomics.notify(i32, kNotEmpty);
    Atomics.notify(i32, kNotFull);
    return dropped;
  }

  // ── The index ──────────────────────────────────────────────────────────

  #nextOp(): number {
    const op = this.i32[kExternalOps]!;
    this.i32[kExternalOps] = op + 1;
    return op;
  }

  /** The word of the index's first entry in the data area. */
  #indexBase(): number {
    return (this.i32[kIndexBlock]! >> 2) + 2;
  }

  /**
   * Under the lock: whether the index has room for one more entry beside
   * its `count`, moving it to a block twice the size if it is full.
   */
  #roomInIndex(count: number): boolean {
    const i32 = this.i32;
    const slots = i32[kIndexSlots]!;
    if (count < slots) return true;
    const wider = this.#allocateOrGrow(2 * slots * this.#entryWords * 4);
    if (wider === -1) return false;
    const data = this.#data;
    const from = this.#indexBase();
    const to = (wider >> 2) + 2;
    if (this.#order === Order.priority) {
      data.copyWithin(to, from, from + 2 * count);
    } else {
      // Unwrap the circle: the oldest entry first.
      const head = i32[kHead]!;
      for (let i = 0; i < count; i++) data[to + i] = data[from + ((head + i) % slots)]!;
      i32[kHead] = 0;
    }
    this.#free(i32[kIndexBlock]!);
    i32[kIndexBlock] = wider;
    i32[kIndexSlots] = 2 * slots;
    return true;
  }

  /** Add `block` to the index (under the lock, with room). */
  #insert(block: number, sequence: number): void {
    const i32 = this.i32;
    const count = i32[kCount]!;
    const data = this.#data;
    const base = this.#indexBase();
    if (this.#order !== Order.priority) {
      const slots = i32[kIndexSlots]!;
      let at = i32[kHead]! + count;
      if (at >= slots) at -= slots;
      data[base + at] = block;
      return;
    }
    // A binary heap of (block, sequence): sift the new entry up.
    let at = count;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const p = base + 2 * parent;
      if (this.#before(data[p]!, data[p + 1]!, block, sequence)) break;
      data[base + 2 * at] = data[p]!;
      data[base + 2 * at + 1] = data[p + 1]!;
      at = parent;
    }
    data[base + 2 * at] = block;
    data[base + 2 * at + 1] = sequence;
  }

  /** The block of the i-th entry of the index, in no particular order (under the lock). */
  #entry(i: number): number {
    const base = this.#indexBase();
    if (this.#order === Order.priority) return this.#data[base + 2 * i]!;
    const slots = this.i32[kIndexSlots]!;
    let at = this.i32[kHead]! + i;
    if (at >= slots) at -= slots;
    return this.#data[base + at]!;
  }

  /**
   * Remove the next record from the index, which holds `count` (under the
   * lock; count > 0), and return its block. kCount is left to the caller.
   */
  #remove(count: number): number {
    const i32 = this.i32;
    const data = this.#data;
    const base = this.#indexBase();
    if (this.#order !== Order.priority) {
      const slots = i32[kIndexSlots]!;
      const head = i32[kHead]!;
      if (this.#order === Order.fifo) {
        i32[kHead] = head + 1 === slots ? 0 : head + 1;
        return data[base + head]!;
      }
      let at = head + count - 1;
      if (at >= slots) at -= slots;
      return data[base + at]!;
    }
    // Priority: take the root; sift the last entry down from the top.
    const last = count - 1;
    const block = data[base]!;
    if (last > 0) {
      const lastBlock = data[base + 2 * last]!;
      const lastSequence = data[base + 2 * last + 1]!;
      let at = 0;
      for (;;) {
        let child = 2 * at + 1;
        if (child >= last) break;
        const c = base + 2 * child;
        if (child + 1 < last && this.#before(data[c + 2]!, data[c + 3]!, data[c]!, data[c + 1]!)) child++;
        const d = base + 2 * child;
        if (this.#before(lastBlock, lastSequence, data[d]!, data[d + 1]!)) break;
        data[base + 2 * at] = data[d]!;
        data[base + 2 * at + 1] = data[d + 1]!;
        at = child;
      }
      data[base + 2 * at] = lastBlock;
      data[base + 2 * at + 1] = lastSequence;
    }
    return block;
  }

  /** Whether record (a, aSeq) comes before record (b, bSeq): lower key, or the same key put earlier. */
  #before(a: number, aSeq: number, b: number, bSeq: number): boolean {
    return comesBefore(this.#keyAt(a), aSeq, this.#keyAt(b), bSeq);
  }

  #keyAt(block: number): PriorityKey {
    const at = block + 8;
    if (this.#data[at >> 2] === kNumberKey) return this.#dataView.getFloat64(at + 8, true);
    const n = this.#data[(at >> 2) + 1]!;
    const units = new Uint16Array(this.buffer, this.#dataU8.byteOffset + at + 8, n);
    return String.fromCharCode.apply(null, units as unknown as number[]);
  }

  /** Bytes the key takes in a block (0 outside a priority queue). */
  #keyBytes(key: PriorityKey | undefined): number {
    if (this.#order !== Order.priority) return 0;
    return typeof key === 'number' ? 16 : 8 + align8(2 * (key as string).length);
  }

  /** Write a record's length, key and bytes into `block`. */
  #writeRecord(block: number, bytes: Uint8Array, start: number, length: number, key: PriorityKey | undefined): void {
    const data = this.#data;
    data[(block >> 2) + 1] = length;
    let at = block + 8;
    if (this.#order === Order.priority) {
      if (typeof key === 'number') {
        data[at >> 2] = kNumberKey;
        this.#dataView.setFloat64(at + 8, key, true);
        at += 16;
      } else {
        const text = key as string;
        data[at >> 2] = kStringKey;
        data[(at >> 2) + 1] = text.length;
        for (let i = 0; i < text.length; i++) this.#dataView.setUint16(at + 8 + 2 * i, text.charCodeAt(i), true);
        at += 8 + align8(2 * text.length);
      }
    }
    copyBytes(bytes, start, this.#dataU8, at, length);
  }

  /** Copy the record of `block` to `out` at `at`; returns its length. */
  #copyOut(block: number, out: Uint8Array, at: number): number {
    const length = this.#data[(block >> 2) + 1]!;
    let from = block + 8;
    if (this.#order === Order.priority) {
      from += this.#data[from >> 2] === kNumberKey ? 16 : 8 + align8(2 * this.#data[(from >> 2) + 1]!);
    }
    copyBytes(this.#dataU8, from, out, at, length);
    return length;
  }

  /** Under the lock: copy every record out of a priority queue to the spill, in no particular order. */
  #moveOut(): void {
    const i32 = this.i32;
    const count = i32[kCount]!;
    const data = this.#data;
    const base = this.#indexBase();
    for (let i = 0; i < count; i++) {
      const block = data[base + 2 * i]!;
      const length = this.#data[(block >> 2) + 1]!;
      const bytes = new Uint8Array(length);
      this.#copyOut(block, bytes, 0);
      this.#spillOps.push({
        kind: 'put',
        op: this.#nextOp(),
        bytes,
        key: this.#keyAt(block),
        sequence: data[base + 2 * i + 1]!,
      });
      this.#free(block);
    }
    Atomics.store(i32, kCount, 0);
    Atomics.store(i32, kExternal, i32[kExternal]! + count);
  }

  // ── The allocator ──────────────────────────────────────────────────────

  /**
   * Walk every block of the data area (under the lock) and check the
   * allocator's invariants: boundary tags agree, free blocks never touch,
   * the free list holds exactly the free blocks. For tests.
   * @throws Error naming the first broken invariant.
   */
  inspect(): { usedBlocks: number; freeBlocks: number; freeBytes: number; dataBytes: number } {
    const i32 = this.i32;
    this.#lock();
    try {
      const data = this.#data;
      const end = i32[kDataBytes]!;
      let usedBlocks = 0;
      let freeBlocks = 0;
      let freeBytes = 0;
      let previousFree = false;
      for (let block = 0; block < end; ) {
        const header = data[block >> 2]!;
        const size = header & ~kUsed;
        if (size < kMinBlock || size % 8 !== 0 || block + size > end) throw new Error(`block ${block}: size ${size}`);
        if (data[((block + size) >> 2) - 1] !== header) throw new Error(`block ${block}: footer differs`);
        const free = (header & kUsed) === 0;
        if (free && previousFree) throw new Error(`block ${block}: two free blocks side by side`);
        if (free) {
          freeBlocks++;
          freeBytes += size;
        } else usedBlocks++;
        previousFree = free;
        block += size;
      }
      let listed = 0;
      for (let block = i32[kFreeHead]!, before = -1; block !== -1; block = data[(block >> 2) + 1]!) {
        if ((data[block >> 2]! & kUsed) !== 0) throw new Error(`free list: block ${block} is in use`);
        if (data[(block >> 2) + 2] !== before) throw new Error(`free list: block ${block} links back wrong`);
        before = block;
        if (++listed > freeBlocks) throw new Error('free list: longer than the free blocks');
      }
      if (listed !== freeBlocks) throw new Error(`free list: ${listed} of ${freeBlocks} free blocks`);
      return { usedBlocks, freeBlocks, freeBytes, dataBytes: end };
    } finally {
      freeLock(i32, kLock);
    }
  }

  /** {@link RecordQueue.#allocate}, growing the data area if no free block is big enough and it may grow. */
  #allocateOrGrow(body: number): number {
    const block = this.#allocate(body);
    if (block !== -1 || !this.#grow(Math.max(kMinBlock, align8(8 + body + 4)))) return block;
    return this.#allocate(body);
  }

  /**
   * Under the lock: grow the data area (at least doubling it, up to its
   * most) so that a block of `size` bytes fits at its end; false if it
   * cannot. Every thread's views see the new bytes: they track the
   * buffer's length, and a thread reads past the old end only under the
   * lock, taken after this.
   */
  #grow(size: number): boolean {
    const i32 = this.i32;
    const current = i32[kDataBytes]!;
    const most = i32[kMaxDataBytes]!;
    // The last block, if free, joins the new bytes.
    const lastSize = this.#data[(current >> 2) - 1]!;
    const tail = (lastSize & kUsed) === 0 ? lastSize : 0;
    let next = current * 2;
    while (next - current + tail < size) next *= 2;
    next = Math.min(next, most);
    if (next - current + tail < size) return false;
    try {
      (this.buffer as unknown as { grow(n: number): void }).grow(this.byteOffset + kDataAt + next);
    } catch {
      return false; // no memory for it: the caller spills instead
    }
    let start = current;
    let blockSize = next - current;
    if (tail > 0) {
      start = current - tail;
      blockSize += tail;
      this.#unlink(start);
    }
    i32[kDataBytes] = next;
    this.#view(next);
    const data = this.#data;
    data[start >> 2] = blockSize;
    data[((start + blockSize) >> 2) - 1] = blockSize;
    const head = i32[kFreeHead]!;
    data[(start >> 2) + 1] = head;
    data[(start >> 2) + 2] = -1;
    if (head !== -1) data[(head >> 2) + 2] = start;
    i32[kFreeHead] = start;
    i32[kRover] = start;
    return true;
  }

  /**
   * A used block whose body holds `body` bytes after the record's length
   * word, or -1 if no free block is big enough. Next fit: the search starts
   * where the last one ended, so that a FIFO's blocks go round the data
   * area as in a ring buffer.
   */
  #allocate(body: number): number {
    const i32 = this.i32;
    const data = this.#data;
    // Header, length, body, footer.
    const size = Math.max(kMinBlock, align8(8 + body + 4));
    const first = i32[kRover]!;
    if (i32[kFreeHead] === -1) return -1;
    let block = first === -1 ? i32[kFreeHead]! : first;
    const start = block;
    do {
      const blockSize = data[block >> 2]!;
      if (blockSize >= size) {
        const next = data[(block >> 2) + 1]!;
        const prev = data[(block >> 2) + 2]!;
        let taken = blockSize;
        let rest = -1;
        if (blockSize - size >= kMinBlock) {
          // Split: the front is taken, the rest takes the block's place in the list.
          taken = size;
          rest = block + size;
          const restSize = blockSize - size;
          data[rest >> 2] = restSize;
          data[(rest >> 2) + 1] = next;
          data[(rest >> 2) + 2] = prev;
          data[((rest + restSize) >> 2) - 1] = restSize;
          if (prev === -1) i32[kFreeHead] = rest;
          else data[(prev >> 2) + 1] = rest;
          if (next !== -1) data[(next >> 2) + 2] = rest;
          i32[kRover] = rest;
        } else {
          this.#unlink(block);
          i32[kRover] = next;
        }
        data[block >> 2] = taken | kUsed;
        data[((block + taken) >> 2) - 1] = taken | kUsed;
        return block;
      }
      block = data[(block >> 2) + 1]!;
      if (block === -1) block = i32[kFreeHead]!;
    } while (block !== start);
    return -1;
  }

  /** Remove free block `block` from the free list. */
  #unlink(block: number): void {
    const i32 = this.i32;
    const data = this.#data;
    const next = data[(block >> 2) + 1]!;
    const prev = data[(block >> 2) + 2]!;
    if (prev === -1) i32[kFreeHead] = next;
    else data[(prev >> 2) + 1] = next;
    if (next !== -1) data[(next >> 2) + 2] = prev;
    if (i32[kRover] === block) i32[kRover] = next;
  }

  /** Return `block` to the free list, merged with free neighbours. */
  #free(block: number): void {
    const i32 = this.i32;
    const data = this.#data;
    let start = block;
    let size = data[block >> 2]! & ~kUsed;
    const after = block + size;
    if (after < i32[kDataBytes]! && (data[after >> 2]! & kUsed) === 0) {
      this.#unlink(after);
      size += data[after >> 2]!;
    }
    if (block > 0) {
      const beforeSize = data[(block >> 2) - 1]!;
      if ((beforeSize & kUsed) === 0) {
        // The block before is free and stays in the list: it grows over this one.
        start = block - beforeSize;
        size += beforeSize;
        data[start >> 2] = size;
        data[((start + size) >> 2) - 1] = size;
        return;
      }
    }
    data[start >> 2] = size;
    data[((start + size) >> 2) - 1] = size;
    const head = i32[kFreeHead]!;
    data[(start >> 2) + 1] = head;
    data[(start >> 2) + 2] = -1;
    if (head !== -1) data[(head >> 2) + 2] = start;
    i32[kFreeHead] = start;
    if (i32[kRover] === -1) i32[kRover] = start;
  }
}
