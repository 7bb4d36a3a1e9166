/**
 * Moving data between threads: {@link move} marks a buffer or a port to be
 * transferred, not copied, and {@link SendPlan} finds the marks inside a
 * value about to be posted (a thread's or task's arguments, a result) and
 * lists what postMessage must transfer.
 *
 * A SendPlan also makes big copies cheap. postMessage copies an
 * ArrayBuffer twice (serialized, then deserialized in the receiving
 * thread), and deserializing multi-MiB buffers into an idle worker's heap
 * is slow there (measured: a 4 MiB message took 15-40 ms to arrive at a
 * fresh worker, against 0.3 ms transferred). So an unmarked buffer of
 * {@link kCopyByTransfer} bytes or more is copied once here, with
 * `slice()`, and the copy is transferred: the sender keeps its buffer, as a
 * copy promises, for one memcpy.
 */
import type { TransferListItem } from 'node:worker_threads';
import { MessagePort } from '../host.js';
import { describeValue } from '../errors.js';
import { kSharedMemory } from '../sync/memory.js';
import { formatPath, type PathStep } from './transfer.js';

/** What {@link move} accepts: an ArrayBuffer, a typed array or DataView (its buffer moves), or a MessagePort. */
export type Movable = ArrayBuffer | ArrayBufferView | MessagePort;

/** The values marked by {@link move} in this thread. */
const marked = new WeakSet<object>();

/** Buffers this big or bigger, unmarked, are copied once and the copy transferred (see the header). */
export const kCopyByTransfer = 64 * 1024;

/** Whether `buffer` has been detached (transferred away): Node 20 has no `detached` property yet. */
function isDetached(buffer: ArrayBuffer): boolean {
  const detached = (buffer as { detached?: boolean }).detached;
  if (typeof detached === 'boolean') return detached;
  if (buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/**
 * Mark `value` to be moved, not copied, when it is sent to another thread:
 * anywhere (nested) in a {@link Thread}'s `args` or fields, in a pool
 * task's arguments (`submit`, `map`), or in what a thread or task returns
 * (`return move(bytes)`, or inside a returned object). The transfer is
 * zero-copy: the receiver gets the same memory as a plain ArrayBuffer,
 * typed array, DataView or MessagePort (views keep their offset and
 * length), and the sender's buffer is detached — its `byteLength` is 0 —
 * once the send has been made (when `start()`, `submit()` or the task's
 * return is done). Unmarked, an ArrayBuffer is copied; a SharedArrayBuffer
 * is always shared, never moved.
 *
 * A typed array or DataView moves its whole buffer: moving
 * `big.subarray(0, 16)` detaches all of `big`. Move `big.slice(0, 16)` (a
 * copy) to send only those bytes.
 *
 * The mark is kept on the sending side (no wrapper to unwrap: `value` is
 * returned as is). Queue items are always copied, marked or not. What a
 * pool task moved is gone with it if the task is cancelled before it
 * starts, or if the worker that took it dies first (its future then fails
 * saying so): keep a copy if you may need to send it again.
 *
 * Non-blocking.
 *
 * @returns `value` itself, marked.
 * @throws TypeError if `value` is not an ArrayBuffer, typed array, DataView
 *   or MessagePort; if it is (or views) a SharedArrayBuffer, which is
 *   shared already; or if its buffer is detached (moved already).
 * @example
 * ```ts
 * const bytes = new Uint8Array(4 * 1024 * 1024);
 * const sum = await pool.submit((data: Uint8Array) => data.reduce((a, b) => a + b, 0), move(bytes));
 * bytes.byteLength; // 0: the task had the memory, no copy was made
 * // In a task, move the result back:
 * pool.submit(() => move(new Uint8Array(1024 * 1024)));
 * ```
 */
export function move<T extends Movable>(value: T): T {
  if (value instanceof MessagePort) {
    marked.add(value);
    return value;
  }
  const buffer = ArrayBuffer.isView(value) ? value.buffer : value;
  if (typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer) {
    const what =
      (value as object) === buffer ? 'a SharedArrayBuffer' : `${describeValue(value)}, a view of a SharedArrayBuffer`;
    throw new TypeError(
      `move() cannot move ${what}: shared memory is shared with every thread already — pass it as is, without move()`,
    );
  }
  if (!(buffer instanceof ArrayBuffer)) {
    throw new TypeError(
      `Expected \`value\` of move() to be an ArrayBuffer, a typed array, a DataView or a MessagePort, got ${describeValue(value)}: other values cannot be moved — pass them without move() to copy them`,
    );
  }
  if (isDetached(buffer)) {
    throw new TypeError(
      `move() was given ${describeValue(value)} whose ArrayBuffer is detached: it has been moved already — a buffer moves once; move a copy (\`move(bytes.slice())\`) to keep the original`,
    );
  }
  marked.add(value);
  return value;
}

/** What postMessage sends: the value (with big copied buffers swapped for their copies) and what to transfer. */
export interface Prepared<T> {
  value: T;
  transfer: TransferListItem[];
  /** Whether anything is moved (the rest of `transfer` are copies made for it). */
  moves: boolean;
}

const noTransfer: TransferListItem[] = [];

/** Where a moved buffer or port was found, to name both places when it is found again. */
interface MoveSite {
  mark: object;
  where: string;
}

/**
 * Plans one postMessage: walks each value to be sent ({@link SendPlan.add}),
 * checks every mark, and lists what to transfer. One plan for everything in
 * one message, so that a buffer moved twice is seen across all of it.
 */
export class SendPlan {
  readonly #moves = new Map<ArrayBuffer | MessagePort, MoveSite>();
  /** Big unmarked buffers met, to copy once (minus those moved, see #copies). */
  readonly #big = new Set<ArrayBuffer>();
  readonly #refuseMoves: string | undefined;
  #root = '';
  readonly #path: PathStep[] = [];

  /**
   * @param refuseMoves - if given, a mark is an error saying this (why nothing can be moved here).
   */
  constructor(refuseMoves?: string) {
    this.#refuseMoves = refuseMoves;
  }

  /**
   * Walk `value` (named `root` in errors: `args`, `result`, `this`).
   * @throws TypeError naming the place (`args[0].data`) of a bad move or an unmarked MessagePort.
   */
  add(value: unknown, root: string): void {
    this.#root = root;
    this.#walk(value, new Set());
  }

  /**
   * Finish the plan: `values` (those given to {@link SendPlan.add}, in any
   * grouping) with big unmarked buffers swapped for copies, and the list
   * to transfer. Without big buffers, the values are returned as they are.
   */
  finish<T>(values: T): Prepared<T> {
    const copies = this.#copies();
    const moves = this.#moves.size > 0;
    if (!moves && copies === undefined) return { value: values, transfer: noTransfer, moves };
    const transfer: TransferListItem[] = [...this.#moves.keys()];
    if (copies === undefined) return { value: values, transfer, moves };
    for (const copy of copies.values()) transfer.push(copy);
    return { value: swapBuffers(values, copies, new Map()) as T, transfer, moves };
  }

  #copies(): Map<ArrayBuffer, ArrayBuffer> | undefined {
    let copies: Map<ArrayBuffer, ArrayBuffer> | undefined;
    for (const buffer of this.#big) {
      // Moved through another view: it travels as it is.
      if (this.#moves.has(buffer)) continue;
      (copies ??= new Map()).set(buffer, buffer.slice(0));
    }
    return copies;
  }

  #where(): string {
    return formatPath(this.#root, this.#path);
  }

  #walk(value: unknown, seen: Set<object>): void {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (value instanceof MessagePort) {
      if (!marked.has(value)) {
        if (this.#refuseMoves !== undefined)
          throw new TypeError(`${this.#where()} is a MessagePort, which cannot be sent here: ${this.#refuseMoves}`);
        throw new TypeError(
          `${this.#where()} is a MessagePort, which cannot be copied to another thread: move it there with move(port) (a port belongs to one thread at a time)`,
        );
      }
      this.#move(value, value);
      return;
    }
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      const buffer = ArrayBuffer.isView(value) ? value.buffer : value;
      if (!(buffer instanceof ArrayBuffer)) return;
      if (marked.has(value)) this.#move(buffer, value);
      else if (buffer.byteLength >= kCopyByTransfer && !(buffer as { resizable?: boolean }).resizable)
        this.#big.add(buffer);
      return;
    }
    // Events cross as markers of their memory; the rest structured clone copies whole.
    if (typeof (value as { [kSharedMemory]?: unknown })[kSharedMemory] === 'function') return;
    if (value instanceof Error || value instanceof Date || value instanceof RegExp) return;
    if (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer) return;
    const path = this.#path;
    if (value instanceof Map) {
      for (const [k, v] of value) {
        path.push({ mapKey: k });
        this.#walk(k, seen);
        path[path.length - 1] = { mapValue: k };
        this.#walk(v, seen);
        path.pop();
      }
    } else if (value instanceof Set) {
      for (const v of value) {
        path.push({ setItem: v });
        this.#walk(v, seen);
        path.pop();
      }
    } else {
      for (const key of Object.keys(value)) {
        path.push(key);
        this.#walk((value as Record<string, unknown>)[key], seen);
        path.pop();
      }
    }
  }

  /** `target` (a buffer or a port) is moved, marked as `mark` (itself, or a view of it). */
  #move(target: ArrayBuffer | MessagePort, mark: object): void {
    const where = this.#where();
    if (this.#refuseMoves !== undefined) throw new TypeError(`${where} cannot be moved: ${this.#refuseMoves}`);
    if (target instanceof ArrayBuffer && isDetached(target)) {
      throw new TypeError(
        `${where} was moved already: its ArrayBuffer is detached. A buffer moves once — move a copy (\`move(bytes.slice())\`) to keep the original`,
      );
    }
    const earlier = this.#moves.get(target);
    if (earlier === undefined) this.#moves.set(target, { mark, where });
    else if (earlier.mark !== mark) {
      throw new TypeError(
        `${where} moves the same ${target instanceof MessagePort ? 'MessagePort' : 'ArrayBuffer'} as ${earlier.where}: move it once (other views of a moved buffer arrive on it)`,
      );
    }
  }
}

/** `value` with each buffer of `copies` swapped for its copy (views remade on it); containers copied as needed. */
function swapBuffers(value: unknown, copies: Map<ArrayBuffer, ArrayBuffer>, done: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const already = done.get(value);
  if (already !== undefined) return already;
  if (value instanceof ArrayBuffer) return copies.get(value) ?? value;
  if (ArrayBuffer.isView(value)) {
    const copy = value.buffer instanceof ArrayBuffer ? copies.get(value.buffer) : undefined;
    if (copy === undefined) return value;
    // The base class (structured clone sends a subclass as its base).
    const name = Object.prototype.toString.call(value).slice(8, -1);
    const View = (globalThis as unknown as Record<string, new (b: ArrayBuffer, o: number, l: number) => object>)[name]!;
    const length = value instanceof DataView ? value.byteLength : (value as Uint8Array).length;
    const view = new View(copy, value.byteOffset, length);
    done.set(value, view);
    return view;
  }
  if (
    value instanceof MessagePort ||
    value instanceof Error ||
    value instanceof Date ||
    value instanceof RegExp ||
    typeof (value as { [kSharedMemory]?: unknown })[kSharedMemory] === 'function'
  )
    return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    done.set(value, copy);
    for (const item of value) copy.push(swapBuffers(item, copies, done));
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map();
    done.set(value, copy);
    for (const [k, v] of value) copy.set(swapBuffers(k, copies, done), swapBuffers(v, copies, done));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set();
    done.set(value, copy);
    for (const v of value) copy.add(swapBuffers(v, copies, done));
    return copy;
  }
  const copy: Record<string, unknown> = {};
  done.set(value, copy);
  for (const key of Object.keys(value)) copy[key] = swapBuffers((value as Record<string, unknown>)[key], copies, done);
  return copy;
}

/**
 * Plan the send of one value named `root`: its marks checked, its big
 * buffers copied, and what to transfer.
 * @throws TypeError naming the place of a bad move or an unmarked MessagePort.
 */
export function prepareSend<T>(value: T, root: string): Prepared<T> {
  if (value === null || typeof value !== 'object') return { value, transfer: noTransfer, moves: false };
  const plan = new SendPlan();
  plan.add(value, root);
  return plan.finish(value);
}
