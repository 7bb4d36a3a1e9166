import { checkCanBlock } from '../platform.js';
import { QueueEmpty, QueueFull, QueueShutDown, RuntimeError, describeValue } from '../errors.js';
import {
  CLOSED,
  closeItems,
  putItem,
  putItemAsync,
  TIMED_OUT,
  takeItem,
  takeItemAsync,
  tryTakeItem,
  tryTakeItemAsync,
} from '../relay/items.js';
import { needRelay } from '../relay/relay.js';
import { registerReviver } from '../thread/transfer.js';
import { kQueueId, kSimpleQueueId } from './layout.js';
import { checkHandle, checkMemory, kSharedMemory, type SharedHandle } from './memory.js';
import type { PriorityKey } from './priority.js';
import { kOwnerWords, Order, type OrderCode, RecordQueue, Status, type StatusCode } from './record-queue.js';
import { deadlineAfter, remainingUntil, toTimeoutMs } from './timeout.js';
import { waitAsyncFor } from './wait-async.js';

// Memory: a RecordQueue (record-queue.ts), whose owner words hold
//   kUnfinished  items put and not yet marked done (taskDone); joiners sleep on it
//   kMaxsize     the maxsize given (≤ 0: unbounded), as Python keeps it
//   kKind        which class made it, so that fromBuffer rebuilds the same
const kUnfinished = kOwnerWords;
const kMaxsize = kOwnerWords + 1;
const kKind = kOwnerWords + 2;

/**
 * Bytes of records a queue keeps in shared memory: at first, and at most
 * (it grows as items need, where the platform lets shared memory grow).
 * Past the most, items go through the relay.
 */
const memory = { dataBytes: 64 * 1024, maxDataBytes: 64 * 1024 * 1024 };

/**
 * @internal For tests: the shared memory of queues made from now on (to make
 * one spill with few items). Returns the previous setting.
 */
export function setQueueMemory(dataBytes: number, maxDataBytes: number): [number, number] {
  const previous: [number, number] = [memory.dataBytes, memory.maxDataBytes];
  memory.dataBytes = dataBytes;
  memory.maxDataBytes = maxDataBytes;
  return previous;
}
/**
 * How long a blocking get (and `for await`, on an empty queue) spins before
 * it sleeps, in ms: a futex wake costs 25–135 µs here, so items that come
 * back to back are taken without one.
 */
const kSpinMs = 0.05;

const kinds: Array<new (maxsize?: number) => Queue> = [];

let adopting: RecordQueue | undefined;

function checkMaxsize(maxsize: unknown): number {
  if (typeof maxsize !== 'number' || !Number.isInteger(maxsize) || maxsize > 0x7fffffff) {
    const message =
      `Expected \`maxsize\` to be an integer (0 or less for no limit), got ${describeValue(maxsize)}` +
      (typeof maxsize === 'number' && Number.isInteger(maxsize) ? '; the most is 2147483647' : '');
    throw typeof maxsize === 'number' ? new RangeError(message) : new TypeError(message);
  }
  return maxsize;
}

/** The RecordQueue at `byteOffset` of `buffer`, checked to be tagged `tag` and whole. */
function adoptMemory(buffer: SharedArrayBuffer, byteOffset: number, tag: number, what: string): RecordQueue {
  const header = (kOwnerWords + 4) * 4;
  checkHandle(buffer, byteOffset, header, tag, what);
  const ring = RecordQueue.attach(buffer, byteOffset);
  checkMemory(buffer, byteOffset, ring.byteLength, what);
  return ring;
}

/** The queue in `buffer`, which must be of class `Wanted` (or a subclass): `fromBuffer`. */
function queueAt<Q>(Wanted: new () => Q, buffer: SharedArrayBuffer, byteOffset: number): Q {
  const ring = adoptMemory(buffer, byteOffset, kQueueId, 'Queue');
  const Kind = kinds[ring.i32[kKind]!] ?? Queue;
  if (Kind !== (Wanted as unknown) && !(Kind.prototype instanceof Wanted)) {
    throw new TypeError(
      `invalid handle: the buffer holds a skein ${Kind.name}, not a ${Wanted.name}; rebuild it with ${Kind.name}.fromBuffer`,
    );
  }
  adopting = ring;
  return new Kind() as Q;
}

function throwFor(status: StatusCode | typeof TIMED_OUT | typeof CLOSED, waiting: 'put' | 'get'): never {
  if (status === CLOSED || status === Status.closed) throw new QueueShutDown();
  throw waiting === 'put' ? new QueueFull() : new QueueEmpty();
}

/** A blocking get of `ring`: the item, or the error for a timeout or a shut-down queue. */
function getFrom<T>(ring: RecordQueue, timeoutMs: unknown): T {
  const timeout = toTimeoutMs(timeoutMs);
  checkCanBlock(timeout, 'queue.get()', 'await queue.getAsync()');
  return itemOr<T>(takeItem(ring, timeout, timeout === 0 ? 0 : kSpinMs));
}

/** {@link getFrom} without blocking the event loop. */
function getAsyncFrom<T>(ring: RecordQueue, timeoutMs: unknown): Promise<T> {
  return takeItemAsync(ring, toTimeoutMs(timeoutMs)).then(itemOr<T>);
}

/** The items of `ring` as they come, until it is closed and drained (see Queue's `for await`). */
async function* itemsOf<T>(ring: RecordQueue): AsyncGenerator<T, void, undefined> {
  for (;;) {
    // Whatever is there is taken without waiting, as fast as the loop
    // body goes; once the queue is empty, a brief spin (items often come
    // back to back, and a wake-up costs far more), then a wait.
    let item = tryTakeItemAsync(ring);
    if (item === TIMED_OUT) {
      ring.spinWhileEmpty(kSpinMs);
      item = tryTakeItemAsync(ring);
    }
    if (item === TIMED_OUT) item = await takeItemAsync(ring, Infinity);
    if (item === CLOSED) return;
    // (An item held by the relay comes as a promise; yield awaits it.)
    yield item as T;
  }
}

/** What a get resolved to: the item, or throw for a timeout or a shut-down queue. */
function itemOr<T>(item: unknown): T {
  if (item === TIMED_OUT) throw new QueueEmpty();
  if (item === CLOSED) throw new QueueShutDown();
  return item as T;
}

/**
 * A first-in, first-out queue shared by every thread: Python's
 * `queue.Queue` on shared memory. Producers {@link Queue.put} items,
 * consumers {@link Queue.get} them, in the order put, from any threads;
 * pass the queue to a thread or pool task (in `args`, or inside another
 * queue's item) and it arrives working, on the same memory.
 *
 * Items are copied, as structured clone copies them. Small plain data
 * (numbers, strings, objects, arrays, Maps, typed arrays…) lives in the
 * queue's own shared memory; what cannot — shared memory, skein's
 * primitives, ports, items larger than the queue's memory — travels
 * through a small relay worker skein runs, keeping its place in the order.
 * Any size works (64 MiB does); a bounded queue's memory stays bounded.
 *
 * Blocking forms (`put`, `get`, `join`) are for threads; the main thread
 * uses `putAsync`, `getAsync`, `joinAsync` and `for await`.
 *
 * @example
 * ```ts
 * const queue = new Queue<number>();
 * const consumer = new Thread({
 *   target: (queue: Queue<number>) => {
 *     for (;;) {
 *       const n = queue.get();
 *       console.log('got', n);
 *       queue.taskDone();
 *     }
 *   },
 *   args: [queue],
 *   daemon: true,
 * });
 * consumer.start();
 * for (let n = 0; n < 3; n++) await queue.putAsync(n);
 * await queue.joinAsync(); // every item got and marked done
 * ```
 */
export class Queue<T = unknown> {
  readonly #ring: RecordQueue;
  readonly #i32: Int32Array;

  /**
   * Create a queue holding at most `maxsize` items (0 or less: no limit).
   *
   * @throws TypeError if `maxsize` is not a number; RangeError if it is not an integer.
   */
  constructor(maxsize = 0) {
    const adopted = adopting;
    adopting = undefined;
    if (adopted !== undefined) {
      this.#ring = adopted;
    } else {
      checkMaxsize(maxsize);
      const order = (this.constructor as typeof Queue).order;
      // Items that cannot live in the queue's memory go through the relay: have it ready.
      needRelay();
      this.#ring = RecordQueue.create({
        tag: kQueueId,
        order,
        capacity: Math.max(maxsize, 0),
        ...memory,
      });
      this.#ring.i32[kMaxsize] = maxsize;
      this.#ring.i32[kKind] = order;
    }
    this.#i32 = this.#ring.i32;
  }

  /** @internal The order of this class's items. */
  static readonly order: OrderCode = Order.fifo;

  /**
   * The queue on memory that already holds one — a {@link LifoQueue} or
   * {@link PriorityQueue} if it was made as one. The receiving end of
   * {@link Queue.buffer} sent over any channel (a raw `Worker`, another pool).
   *
   * A thread that skein did not start (a raw `Worker`) can use the queue,
   * except for items that travel through skein's relay (shared memory,
   * skein primitives, ports, items too big for the queue's memory): taking
   * or putting one there throws.
   *
   * @throws TypeError if `buffer` is not a `SharedArrayBuffer`.
   * @throws RangeError if `byteOffset` is not a multiple of 4 or the buffer is too small.
   * @throws TypeError ("invalid handle") if the memory does not hold a queue of this class.
   * @example
   * ```ts
   * worker.postMessage(queue.buffer);                           // main
   * parentPort.on('message', (b) => { const q = Queue.fromBuffer(b); }); // worker
   * ```
   */
  static fromBuffer<T = unknown>(buffer: SharedArrayBuffer, byteOffset = 0): Queue<T> {
    return queueAt(Queue, buffer, byteOffset) as Queue<T>;
  }

  /** The shared memory holding this queue; send it anywhere and rebuild with {@link Queue.fromBuffer}. */
  get buffer(): SharedArrayBuffer {
    return this.#ring.buffer;
  }

  /** Byte offset of this queue inside {@link Queue.buffer}. */
  get byteOffset(): number {
    return this.#ring.byteOffset;
  }

  /** The most items the queue holds at once, as given (0 or less: no limit). */
  get maxsize(): number {
    return this.#i32[kMaxsize]!;
  }

  /** How many items are in the queue now. Never blocks; as in Python, it may be stale as soon as read. */
  qsize(): number {
    return this.#ring.size;
  }

  /** Whether the queue holds no item now (see {@link Queue.qsize}). */
  empty(): boolean {
    return this.#ring.size === 0;
  }

  /** Whether the queue holds `maxsize` items now (never, without a limit; see {@link Queue.qsize}). */
  full(): boolean {
    const maxsize = this.#i32[kMaxsize]!;
    return maxsize > 0 && this.#ring.size >= maxsize;
  }

  /** Whether {@link Queue.shutdown} was called. */
  get isShutdown(): boolean {
    return this.#ring.closed;
  }

  /** The priority of `item`, checked (PriorityQueue); undefined for other queues. */
  protected keyOf(_item: T): PriorityKey | undefined {
    return undefined;
  }

  /**
   * Put `item` at the end of the queue, blocking the calling thread while
   * the queue is full, up to `timeoutMs` (`0`: do not wait). An unbounded
   * queue never blocks. Use {@link Queue.putAsync} on the main thread.
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means forever, negative acts as 0.
   * @throws QueueFull if the queue stayed full until the timeout.
   * @throws QueueShutDown if the queue is shut down (also while waiting).
   * @throws TypeError if `item` cannot be copied (a function, a symbol, a
   *   Promise… anywhere inside), naming what and where; nothing is put.
   * @throws TypeError if `timeoutMs` is not a number; RangeError if it is NaN.
   * @example
   * ```ts
   * queue.put({ id: 1, name: 'widget' });
   * ```
   */
  put(item: T, timeoutMs?: number): void {
    const timeout = toTimeoutMs(timeoutMs);
    // Only a bounded queue's put waits (for room).
    if (this.maxsize > 0) checkCanBlock(timeout, 'queue.put()', 'await queue.putAsync(item)');
    const key = this.keyOf(item);
    this.#willPut();
    let status: StatusCode = Status.closed;
    try {
      status = putItem(this.#ring, item, key, timeout, 'the item');
    } finally {
      if (status !== Status.ok) this.#done(1);
    }
    if (status !== Status.ok) throwFor(status, 'put');
  }

  /**
   * Put `item` if there is room now, without waiting: `put(item, 0)`.
   *
   * @throws QueueFull if the queue is full; QueueShutDown if it is shut down.
   * @throws TypeError if `item` cannot be copied.
   */
  putNowait(item: T): void {
    this.put(item, 0);
  }

  /**
   * {@link Queue.put} without blocking the event loop: resolves once the
   * item is in the queue.
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means forever, negative acts as 0.
   * @returns a Promise that rejects with QueueFull at the timeout, or QueueShutDown.
   * @throws TypeError (thrown, not rejected) if `item` cannot be copied or `timeoutMs` is not a number.
   * @example
   * ```ts
   * for (const job of jobs) await queue.putAsync(job);
   * ```
   */
  putAsync(item: T, timeoutMs?: number): Promise<void> {
    const timeout = toTimeoutMs(timeoutMs);
    const key = this.keyOf(item);
    this.#willPut();
    let putting: Promise<StatusCode>;
    try {
      // Most puts find room at once: no wait, no copy of the item's bytes.
      const now = putItem(this.#ring, item, key, 0, 'the item');
      putting =
        now === Status.timedOut && timeout > 0
          ? putItemAsync(this.#ring, item, key, timeout, 'the item')
          : Promise.resolve(now);
    } catch (error) {
      this.#done(1);
      throw error;
    }
    return putting.then((status) => {
      if (status === Status.ok) return;
      this.#done(1);
      throwFor(status, 'put');
    });
  }

  /**
   * Remove and return the next item, blocking the calling thread while the
   * queue is empty, up to `timeoutMs` (`0`: do not wait). Use
   * {@link Queue.getAsync} (or `for await`) on the main thread.
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means forever, negative acts as 0.
   * @throws QueueEmpty if the queue stayed empty until the timeout.
   * @throws QueueShutDown once the queue is shut down and empty (also while waiting).
   * @throws TypeError if `timeoutMs` is not a number; RangeError if it is NaN.
   * @example
   * ```ts
   * const job = queue.get();
   * try { work(job); } finally { queue.taskDone(); }
   * ```
   */
  get(timeoutMs?: number): T {
    return getFrom<T>(this.#ring, timeoutMs);
  }

  /**
   * Remove and return the next item if there is one now: `get(0)`.
   *
   * @throws QueueEmpty if the queue is empty; QueueShutDown once it is shut down and empty.
   */
  getNowait(): T {
    return itemOr<T>(tryTakeItem(this.#ring));
  }

  /**
   * {@link Queue.get} without blocking the event loop: resolves with the
   * next item once there is one.
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means forever, negative acts as 0.
   * @returns a Promise that rejects with QueueEmpty at the timeout, or QueueShutDown.
   * @throws TypeError (thrown, not rejected) if `timeoutMs` is not a number; RangeError if it is NaN.
   * @example
   * ```ts
   * const result = await results.getAsync(5_000);
   * ```
   */
  getAsync(timeoutMs?: number): Promise<T> {
    return getAsyncFrom<T>(this.#ring, timeoutMs);
  }

  /**
   * The items as they come, for the main thread and async code: each
   * iteration takes the next item (without waiting while there are some),
   * and the loop ends once the queue is shut down and drained. Leaving the
   * loop early loses nothing: items are taken one at a time.
   *
   * @example
   * ```ts
   * for await (const line of lines) console.log(line);
   * ```
   */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return itemsOf<T>(this.#ring);
  }

  /**
   * Say that an item got from the queue has been dealt with: each
   * {@link Queue.get} is matched by one call, so that {@link Queue.join}
   * knows when every item put is done.
   *
   * @throws RuntimeError (`taskDone() called too many times`) if called more times than items were put.
   */
  taskDone(): void {
    const i32 = this.#i32;
    for (;;) {
      const unfinished = Atomics.load(i32, kUnfinished);
      if (unfinished <= 0) throw new RuntimeError('taskDone() called too many times');
      if (Atomics.compareExchange(i32, kUnfinished, unfinished, unfinished - 1) === unfinished) {
        if (unfinished === 1) Atomics.notify(i32, kUnfinished);
        return;
      }
    }
  }

  /**
   * Block the calling thread until every item put into the queue has been
   * got and marked done with {@link Queue.taskDone} — or dropped by
   * `shutdown(true)`. Use {@link Queue.joinAsync} on the main thread.
   *
   * @param timeoutMs - milliseconds to wait at most (beyond Python); omitted means forever.
   * @returns true once no item is unfinished; false if the timeout passed first.
   * @throws TypeError if `timeoutMs` is not a number; RangeError if it is NaN.
   */
  join(timeoutMs?: number): boolean {
    const i32 = this.#i32;
    const timeout = toTimeoutMs(timeoutMs);
    checkCanBlock(timeout, 'queue.join()', 'await queue.joinAsync()');
    const deadline = deadlineAfter(timeout);
    for (let unfinished = Atomics.load(i32, kUnfinished); unfinished > 0; unfinished = Atomics.load(i32, kUnfinished)) {
      const left = remainingUntil(deadline);
      if (left === 0) return false;
      // The count reaching 0 is always notified (taskDone, shutdown): a
      // wait on a count that has changed since it was read returns at once.
      Atomics.wait(i32, kUnfinished, unfinished, left);
    }
    return true;
  }

  /**
   * {@link Queue.join} without blocking the event loop.
   *
   * @param timeoutMs - milliseconds to wait at most (beyond Python); omitted means forever.
   * @returns a Promise of true once no item is unfinished, false at the timeout.
   * @throws TypeError (thrown, not rejected) if `timeoutMs` is not a number; RangeError if it is NaN.
   * @example
   * ```ts
   * await queue.joinAsync(); // every job done
   * ```
   */
  joinAsync(timeoutMs?: number): Promise<boolean> {
    const i32 = this.#i32;
    const deadline = deadlineAfter(toTimeoutMs(timeoutMs));
    const loop = async (): Promise<boolean> => {
      for (
        let unfinished = Atomics.load(i32, kUnfinished);
        unfinished > 0;
        unfinished = Atomics.load(i32, kUnfinished)
      ) {
        const left = remainingUntil(deadline);
        if (left === 0) return false;
        await waitAsyncFor(i32, kUnfinished, unfinished, left);
      }
      return true;
    };
    return loop();
  }

  /**
   * Shut the queue down (Python 3.13): later puts throw QueueShutDown;
   * gets return what is left, then throw QueueShutDown; every blocked
   * getter and putter wakes to see it. With `immediate`, what is left is
   * dropped at once — each dropped item counts as done, so joiners return
   * once nothing else is unfinished — and blocked getters throw at once.
   * Shutting down twice does nothing more (but `immediate` still drops).
   *
   * @example
   * ```ts
   * queue.shutdown();        // consumers finish what is left, then stop
   * queue.shutdown(true);    // consumers stop now; queued items are dropped
   * ```
   */
  shutdown(immediate = false): void {
    const dropped = closeItems(this.#ring, immediate === true);
    if (dropped > 0) this.#done(dropped);
  }

  /** Count an item about to be put as unfinished: before it can be got and marked done. */
  #willPut(): void {
    Atomics.add(this.#i32, kUnfinished, 1);
  }

  /** Mark `n` items done without a taskDone() (never below 0), waking joiners at 0. */
  #done(n: number): void {
    const i32 = this.#i32;
    for (;;) {
      const unfinished = Atomics.load(i32, kUnfinished);
      const left = Math.max(unfinished - n, 0);
      if (Atomics.compareExchange(i32, kUnfinished, unfinished, left) === unfinished) {
        if (left === 0) Atomics.notify(i32, kUnfinished);
        return;
      }
    }
  }

  /** @internal Where this queue lives, for sending it to a thread. */
  [kSharedMemory](): SharedHandle {
    return { kind: 'Queue', buffer: this.#ring.buffer, byteOffset: this.#ring.byteOffset };
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `${this.constructor.name} { qsize: ${this.qsize()}, maxsize: ${this.maxsize}${this.isShutdown ? ', shut down' : ''} }`;
  }
}

/**
 * A last-in, first-out queue (a stack) shared by every thread: Python's
 * `queue.LifoQueue`. Everything else is as {@link Queue}.
 *
 * @example
 * ```ts
 * const stack = new LifoQueue<number>();
 * stack.put(1);
 * stack.put(2);
 * stack.get(); // 2
 * ```
 */
export class LifoQueue<T = unknown> extends Queue<T> {
  /** @internal */
  static override readonly order: OrderCode = Order.lifo;

  /**
   * The LifoQueue on memory that already holds one (see {@link Queue.fromBuffer}).
   *
   * @throws TypeError ("invalid handle") if the memory does not hold a LifoQueue.
   */
  static override fromBuffer<T = unknown>(buffer: SharedArrayBuffer, byteOffset = 0): LifoQueue<T> {
    return queueAt(LifoQueue<T>, buffer, byteOffset);
  }
}

/**
 * A queue that gives the lowest priority first, shared by every thread:
 * Python's `queue.PriorityQueue`. Items are arrays whose first element — a
 * number or a string — is the priority: lowest first, every number before
 * every string, items of equal priority in the order put (not compared
 * further, unlike Python's tuples). Everything else is as {@link Queue}.
 *
 * @example
 * ```ts
 * const jobs = new PriorityQueue<[number, string]>();
 * jobs.put([2, 'later']);
 * jobs.put([1, 'first']);
 * jobs.get(); // [1, 'first']
 * ```
 */
export class PriorityQueue<
  T extends readonly [PriorityKey, ...unknown[]] = [PriorityKey, ...unknown[]],
> extends Queue<T> {
  /** @internal */
  static override readonly order: OrderCode = Order.priority;

  /**
   * The PriorityQueue on memory that already holds one (see {@link Queue.fromBuffer}).
   *
   * @throws TypeError ("invalid handle") if the memory does not hold a PriorityQueue.
   */
  static override fromBuffer<T = [PriorityKey, ...unknown[]]>(buffer: SharedArrayBuffer, byteOffset = 0): Queue<T> {
    return queueAt(PriorityQueue, buffer, byteOffset) as unknown as Queue<T>;
  }

  /** @throws TypeError unless `item` is an array whose first element is a number (not NaN) or a string. */
  protected override keyOf(item: T): PriorityKey {
    const key: unknown = Array.isArray(item) ? item[0] : undefined;
    if ((typeof key === 'number' && !Number.isNaN(key)) || typeof key === 'string') return key;
    throw new TypeError(
      'Expected a PriorityQueue item to be an array whose first element, a number or a string, is its priority ' +
        `(\`[priority, data]\`), got ${Array.isArray(item) ? `an array starting with ${describeValue(key)}` : describeValue(item)}`,
    );
  }
}

kinds[Order.fifo] = Queue;
kinds[Order.lifo] = LifoQueue;
kinds[Order.priority] = PriorityQueue as unknown as new () => Queue;
registerReviver('Queue', (buffer, byteOffset) => Queue.fromBuffer(buffer, byteOffset));

let adoptingSimple: RecordQueue | undefined;

/**
 * An unbounded first-in, first-out queue shared by every thread, without
 * task tracking: Python's `queue.SimpleQueue`. `put` never blocks. It has
 * no `taskDone`/`join`/`shutdown`; items, threads and the relay are as for
 * {@link Queue}.
 *
 * @example
 * ```ts
 * const log = new SimpleQueue<string>();
 * log.put('started');
 * await log.getAsync(); // 'started'
 * ```
 */
export class SimpleQueue<T = unknown> {
  readonly #ring: RecordQueue;

  /** Create an empty, unbounded queue. */
  constructor() {
    if (adoptingSimple === undefined) needRelay();
    this.#ring =
      adoptingSimple ?? RecordQueue.create({ tag: kSimpleQueueId, order: Order.fifo, capacity: 0, ...memory });
    adoptingSimple = undefined;
  }

  /**
   * The SimpleQueue on memory that already holds one (see {@link Queue.fromBuffer}).
   *
   * @throws TypeError if `buffer` is not a `SharedArrayBuffer`.
   * @throws RangeError if `byteOffset` is not a multiple of 4 or the buffer is too small.
   * @throws TypeError ("invalid handle") if the memory does not hold a SimpleQueue.
   */
  static fromBuffer<T = unknown>(buffer: SharedArrayBuffer, byteOffset = 0): SimpleQueue<T> {
    adoptingSimple = adoptMemory(buffer, byteOffset, kSimpleQueueId, 'SimpleQueue');
    return new SimpleQueue<T>();
  }

  /** The shared memory holding this queue; send it anywhere and rebuild with {@link SimpleQueue.fromBuffer}. */
  get buffer(): SharedArrayBuffer {
    return this.#ring.buffer;
  }

  /** Byte offset of this queue inside {@link SimpleQueue.buffer}. */
  get byteOffset(): number {
    return this.#ring.byteOffset;
  }

  /** How many items are in the queue now (stale as soon as read). */
  qsize(): number {
    return this.#ring.size;
  }

  /** Whether the queue holds no item now. */
  empty(): boolean {
    return this.#ring.size === 0;
  }

  /**
   * Put `item` at the end of the queue. Never blocks.
   *
   * @throws TypeError if `item` cannot be copied, naming what and where; nothing is put.
   */
  put(item: T): void {
    putItem(this.#ring, item, undefined, 0, 'the item');
  }

  /** The same as {@link SimpleQueue.put}, as Python has it. */
  putNowait(item: T): void {
    this.put(item);
  }

  /**
   * Remove and return the next item, blocking the calling thread while the
   * queue is empty, up to `timeoutMs` (`0`: do not wait).
   *
   * @throws QueueEmpty if the queue stayed empty until the timeout.
   * @throws TypeError if `timeoutMs` is not a number; RangeError if it is NaN.
   */
  get(timeoutMs?: number): T {
    return getFrom<T>(this.#ring, timeoutMs);
  }

  /**
   * Remove and return the next item if there is one now.
   *
   * @throws QueueEmpty if the queue is empty.
   */
  getNowait(): T {
    return itemOr<T>(tryTakeItem(this.#ring));
  }

  /**
   * {@link SimpleQueue.get} without blocking the event loop.
   *
   * @returns a Promise of the next item, that rejects with QueueEmpty at the timeout.
   * @throws TypeError (thrown, not rejected) if `timeoutMs` is not a number; RangeError if it is NaN.
   */
  getAsync(timeoutMs?: number): Promise<T> {
    return getAsyncFrom<T>(this.#ring, timeoutMs);
  }

  /**
   * The items as they come, for the main thread and async code (see
   * `Queue`'s). A SimpleQueue cannot be shut down: the loop ends only by
   * leaving it.
   */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return itemsOf<T>(this.#ring);
  }

  /** @internal Where this queue lives, for sending it to a thread. */
  [kSharedMemory](): SharedHandle {
    return { kind: 'SimpleQueue', buffer: this.#ring.buffer, byteOffset: this.#ring.byteOffset };
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `SimpleQueue { qsize: ${this.qsize()} }`;
  }
}

registerReviver('SimpleQueue', (buffer, byteOffset) => SimpleQueue.fromBuffer(buffer, byteOffset));
