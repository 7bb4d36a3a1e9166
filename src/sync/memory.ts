/**
 * The memory of the shared-memory primitives (Event, Lock, RLock, Semaphore, the queues): each
 * is Int32 slots in a SharedArrayBuffer, the first holding its type tag.
 */
import { describeValue, withArticle } from '../errors.js';
import { isSharedBuffer, newSharedBuffer } from '../platform.js';

/** The kinds of shared-memory primitive, as they cross threads. */
export type SharedKind = 'Event' | 'Lock' | 'RLock' | 'Semaphore' | 'Condition' | 'Barrier' | 'Queue' | 'SimpleQueue';

/**
 * Brand under which every primitive exposes its kind and memory, so that it
 * can be sent to a thread. One symbol for the whole process: a primitive
 * made by one copy of skein is recognised by another.
 * @internal
 */
export const kSharedMemory: unique symbol = Symbol.for('skein.shared.memory') as never;

/** What a primitive's {@link kSharedMemory} method returns. @internal */
export interface SharedHandle {
  readonly kind: SharedKind;
  readonly buffer: SharedArrayBuffer;
  readonly byteOffset: number;
  /** The lock of a Condition made with one, which lives in other memory. */
  readonly lock?: SharedHandle;
}

/** Where a primitive lives: its buffer and the byte offset of its first slot. */
export interface SharedSlots {
  readonly buffer: SharedArrayBuffer;
  readonly byteOffset: number;
  /** The primitive's slots, the tag first. */
  readonly i32: Int32Array;
}

/**
 * Check that `buffer` can hold a primitive of `size` bytes at `byteOffset`.
 * @internal
 */
export function checkMemory(buffer: unknown, byteOffset: number, size: number, what: string): void {
  if (!isSharedBuffer(buffer)) {
    throw new TypeError(
      `Expected \`buffer\` to be a SharedArrayBuffer holding ${withArticle(what)}, got ${describeValue(buffer)}; ` +
        `threads only share memory through a SharedArrayBuffer — pass \`${what.toLowerCase()}.buffer\``,
    );
  }
  if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset % 4 !== 0) {
    throw new RangeError(
      `Expected \`byteOffset\` to be a non-negative multiple of 4, got ${describeValue(byteOffset)}`,
    );
  }
  if (buffer.byteLength - byteOffset < size) {
    throw new RangeError(
      `the buffer is too small for ${withArticle(what)}: it needs ${size} bytes at offset ${byteOffset}, ` +
        `but the buffer has ${buffer.byteLength} bytes`,
    );
  }
}

/**
 * Check that `buffer` holds a primitive tagged `tag` at `byteOffset`
 * (`fromBuffer` of each primitive).
 * @internal
 */
export function checkHandle(buffer: unknown, byteOffset: number, size: number, tag: number, what: string): void {
  checkMemory(buffer, byteOffset, size, what);
  if (Atomics.load(new Int32Array(buffer as SharedArrayBuffer, byteOffset, 1), 0) !== tag) {
    throw new TypeError(
      `invalid handle: the buffer does not hold a skein ${what} at this offset; ` +
        `pass the \`buffer\` (and \`byteOffset\`) of an existing ${what}`,
    );
  }
}

/**
 * The slots of a new primitive: `adopted` memory (checked by
 * {@link checkHandle}), or fresh memory of `size` bytes tagged `tag`.
 * @internal
 */
export function slotsFor(adopted: Omit<SharedSlots, 'i32'> | undefined, size: number, tag: number): SharedSlots {
  if (adopted !== undefined) {
    return { ...adopted, i32: new Int32Array(adopted.buffer, adopted.byteOffset, size / 4) };
  }
  const buffer = newSharedBuffer(size);
  const i32 = new Int32Array(buffer);
  i32[0] = tag;
  return { buffer, byteOffset: 0, i32 };
}
