import { checkCanBlock } from '../platform.js';
import { describeValue } from '../errors.js';
import { kEventId } from './layout.js';
import { checkHandle, kSharedMemory, type SharedHandle, slotsFor } from './memory.js';
import { deadlineAfter, remainingUntil, toTimeoutMs } from './timeout.js';
import { waitAsyncFor } from './wait-async.js';

// Memory layout, two Int32 slots:
//   (slot 0) the type tag kEventId (see memory.ts)
//   kWord  bit 0 is the flag; bits 1..31 count the times it went from unset
//          to set. A waiter sleeps on the whole word, so a set() followed at
//          once by clear() still changes the word and wakes it — the waiter
//          then reports true, as Python's Event.wait does for a notified
//          waiter, and no wake-up is lost.
const kWord = 1;
const kFlag = 1;

/**
 * Lay out a fresh, unset Event at Int32 slot `index` of `i32` (its tag
 * slot; the Event takes {@link Event.SIZE} bytes from there), for memory
 * that embeds Events among other slots. Safe on memory another thread may
 * still read: both slots are written atomically, the flag first.
 * @internal
 */
export function initEventAt(i32: Int32Array, index: number): void {
  Atomics.store(i32, index + kWord, 0);
  Atomics.store(i32, index, kEventId);
}

/**
 * Whether the Event laid out at Int32 slot `index` of `i32` is set — the
 * same check as {@link Event.isSet}, for a reader that holds the memory but
 * not an Event object.
 * @internal
 */
export function isEventSetAt(i32: Int32Array, index: number): boolean {
  return (Atomics.load(i32, index + kWord) & kFlag) !== 0;
}

/** Where an Event lives: its buffer and the byte offset of its first slot. */
export interface EventMemory {
  /** The shared memory holding the Event. */
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the Event's first slot inside {@link EventMemory.buffer}. */
  readonly byteOffset: number;
}

let adopting: EventMemory | undefined;
let watch: (event: Event, onSet: () => void) => () => void;

/**
 * A flag shared by every thread: Python's `threading.Event` on shared memory.
 *
 * The flag lives in a `SharedArrayBuffer`, so a thread sees `set()` at once —
 * even while it is busy in synchronous code, where no message or
 * `AbortSignal` could reach it. Pass an Event to a thread (in `args`, as a
 * field of a `Thread` subclass, or as an argument of a pool task) and the
 * thread receives a working Event on the same memory.
 *
 * @example
 * ```ts
 * const event = new Event();
 * const thread = new Thread({ target: (ev: Event) => { while (!ev.wait(1000)) work(); }, args: [event] });
 * thread.start();
 * event.set();          // the thread wakes within microseconds
 * await thread.join();
 * ```
 */
export class Event {
  /** Bytes of shared memory an Event occupies. */
  static readonly SIZE = 8;

  readonly #buffer: SharedArrayBuffer;
  readonly #byteOffset: number;
  readonly #i32: Int32Array;

  /** Create an Event, initially not set, on fresh shared memory. */
  constructor() {
    const slots = slotsFor(adopting, Event.SIZE, kEventId);
    adopting = undefined;
    this.#buffer = slots.buffer;
    this.#byteOffset = slots.byteOffset;
    this.#i32 = slots.i32;
  }

  /**
   * An Event on memory that already holds one — the receiving end of
   * {@link Event.buffer} sent over any channel (raw `worker_threads`, another
   * pool, a `MessagePort`).
   *
   * @throws TypeError if `buffer` is not a `SharedArrayBuffer`.
   * @throws RangeError if `byteOffset` is not a multiple of 4 or leaves fewer than {@link Event.SIZE} bytes.
   * @throws TypeError ("invalid handle") if the memory does not hold an Event.
   * @example
   * ```ts
   * worker.postMessage(event.buffer);                      // main
   * parentPort.on('message', (b) => Event.fromBuffer(b));  // worker
   * ```
   */
  static fromBuffer(buffer: SharedArrayBuffer, byteOffset = 0): Event {
    checkHandle(buffer, byteOffset, Event.SIZE, kEventId, 'Event');
    adopting = { buffer, byteOffset };
    return new Event();
  }

  /** The shared memory holding this Event; send it anywhere and rebuild with {@link Event.fromBuffer}. */
  get buffer(): SharedArrayBuffer {
    return this.#buffer;
  }

  /** Byte offset of this Event inside {@link Event.buffer}. */
  get byteOffset(): number {
    return this.#byteOffset;
  }

  /**
   * Whether the flag is set. Never blocks; costs one `Atomics.load`, so it
   * can be checked in a hot loop.
   */
  isSet(): boolean {
    return (Atomics.load(this.#i32, kWord) & kFlag) !== 0;
  }

  /**
   * Set the flag and wake every thread waiting on it. Setting a set Event
   * does nothing.
   */
  set(): void {
    const i32 = this.#i32;
    for (;;) {
      const word = Atomics.load(i32, kWord);
      if ((word & kFlag) !== 0) return;
      // Count the transition in the upper bits so waiters that compare the
      // whole word notice it even if clear() follows before they run.
      if (Atomics.compareExchange(i32, kWord, word, (word + 2) | kFlag) === word) {
        Atomics.notify(i32, kWord);
        return;
      }
    }
  }

  /** Reset the flag; later waits block until {@link Event.set} is called again. */
  clear(): void {
    Atomics.and(this.#i32, kWord, ~kFlag);
  }

  /**
   * Block the calling thread until the flag is set or `timeoutMs` elapses.
   *
   * This is the idiomatic interruptible sleep: `event.wait(1000)` returns
   * within microseconds of `set()`. It blocks the whole calling thread —
   * on the main thread that means the event loop too; use
   * {@link Event.waitAsync} there.
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means forever, negative acts as 0.
   * @returns the flag on exit: `false` only if the wait timed out. A waiter
   *   woken by `set()` returns `true` even if `clear()` followed at once.
   * @throws TypeError if `timeoutMs` is not a number; RangeError if it is NaN.
   * @example
   * ```ts
   * // In a thread: work once a second until asked to stop.
   * while (!event.wait(1000)) console.log('Worker thread running...');
   * ```
   */
  wait(timeoutMs?: number): boolean {
    const timeout = toTimeoutMs(timeoutMs);
    checkCanBlock(timeout, 'event.wait()', 'await event.waitAsync()');
    const i32 = this.#i32;
    const seen = Atomics.load(i32, kWord);
    if ((seen & kFlag) !== 0) return true;
    const deadline = deadlineAfter(timeout);
    for (;;) {
      const left = remainingUntil(deadline);
      if (left === 0) return Atomics.load(i32, kWord) !== seen;
      Atomics.wait(i32, kWord, seen, left);
      // Only set() changes a word whose flag is clear.
      if (Atomics.load(i32, kWord) !== seen) return true;
    }
  }

  /**
   * Wait without blocking the event loop: resolves `true` once the flag is
   * set, or `false` when `timeoutMs` elapses first. The pending wait keeps
   * the process alive, as a blocked wait would.
   *
   * @param timeoutMs - milliseconds to wait at most; omitted means forever, negative acts as 0.
   * @throws TypeError if `timeoutMs` is not a number; RangeError if it is NaN (thrown, not rejected).
   * @example
   * ```ts
   * if (await stop.waitAsync(5_000)) console.log('asked to stop');
   * ```
   */
  waitAsync(timeoutMs?: number): Promise<boolean> {
    return this.#waitAsync(toTimeoutMs(timeoutMs), true);
  }

  #waitAsync(timeout: number, keepAlive: boolean): Promise<boolean> {
    const i32 = this.#i32;
    const seen = Atomics.load(i32, kWord);
    if ((seen & kFlag) !== 0) return Promise.resolve(true);
    const deadline = deadlineAfter(timeout);
    const loop = async (): Promise<boolean> => {
      for (;;) {
        const left = remainingUntil(deadline);
        if (left === 0) return Atomics.load(i32, kWord) !== seen;
        await waitAsyncFor(i32, kWord, seen, left, keepAlive);
        // Only set() changes a word whose flag is clear.
        if (Atomics.load(i32, kWord) !== seen) return true;
      }
    };
    return loop();
  }

  /**
   * An Event that is set when `signal` aborts — the platform's cancellation
   * reaching a thread: pass the Event to the thread, which sees the abort
   * even while busy in synchronous code. An already-aborted signal gives an
   * Event set at once. With `AbortSignal.timeout(ms)` it is a deadline.
   *
   * The Event is set from the calling thread's event loop (where the abort
   * is dispatched), and clearing it later does not re-arm it.
   *
   * @throws TypeError if `signal` is not an AbortSignal.
   * @example
   * ```ts
   * // Stop the computation when the HTTP client goes away.
   * const gone = Event.fromSignal(request.signal);
   * const thread = new Thread({ target: crunch, args: [input, gone] });
   * ```
   */
  static fromSignal(signal: AbortSignal): Event {
    if (!(signal instanceof AbortSignal)) {
      throw new TypeError(`Expected \`signal\` to be an AbortSignal, got ${describeValue(signal)}`);
    }
    const event = new Event();
    if (signal.aborted) event.set();
    else signal.addEventListener('abort', () => event.set(), { once: true });
    return event;
  }

  /**
   * An `AbortSignal` that aborts once this Event is set — for `fetch`,
   * timers, streams and every API that takes a signal. It aborts with
   * `reason` (default: the platform's `AbortError`); a set Event gives an
   * already-aborted signal.
   *
   * The signal is aborted from the calling thread's event loop: code busy in
   * synchronous work does not see it until it yields — check
   * {@link Event.isSet} there. Watching does not keep the process alive.
   * Each call watches the Event anew: make one signal and share it. Once
   * aborted, the signal stays aborted even if the Event is cleared.
   *
   * @example
   * ```ts
   * const response = await fetch(url, { signal: cancel.toSignal() });
   * ```
   */
  toSignal(reason?: unknown): AbortSignal {
    if (this.isSet()) return AbortSignal.abort(reason);
    const controller = new AbortController();
    void this.#waitAsync(Infinity, false).then(() => controller.abort(reason));
    return controller.signal;
  }

  /** @internal Where this Event lives, for sending it to a thread. */
  [kSharedMemory](): SharedHandle {
    return { kind: 'Event', buffer: this.#buffer, byteOffset: this.#byteOffset };
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Event { set: ${this.isSet()} }`;
  }

  static {
    watch = (event, onSet) => {
      const i32 = event.#i32;
      let watching = true;
      void (async () => {
        for (;;) {
          const seen = Atomics.load(i32, kWord);
          if ((seen & kFlag) !== 0) break;
          // A set() after the load changes the word, so this wait returns at
          // once: no wake-up is lost. It is bounded because without native
          // Atomics.waitAsync it polls, and a cancelled watch must end.
          await waitAsyncFor(i32, kWord, seen, kWatchSliceMs, false);
          if (!watching) return;
        }
        if (!watching) return;
        watching = false;
        onSet();
      })();
      return () => {
        if (!watching) return;
        watching = false;
        // Release our waiter now rather than at the end of its slice. Every
        // waiter on an Event reads the word again when woken and waits on
        // if it did not change, so the others this wakes lose nothing.
        Atomics.notify(i32, kWord);
      };
    };
  }
}

/** How long a watch waits at a time before checking whether it was cancelled. */
const kWatchSliceMs = 1_000;

/**
 * Call `onSet` once, when `event` is set (inside this call if it is), from the
 * calling thread's event loop, without keeping the process alive.
 * @returns a function that stops watching and leaves no waiter behind.
 * @internal
 */
export function watchEvent(event: Event, onSet: () => void): () => void {
  return watch(event, onSet);
}
