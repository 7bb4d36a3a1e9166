/**
 * The reading half of the wire format (see tags.ts): bytes back into values.
 */
import * as T from './tags.js';

type Decoder = InstanceType<typeof TextDecoder>;
// Made on first use: a thread that reads no long string pays nothing for them.
let asciiDecoder: Decoder | undefined;
/** Reads well-formed UTF-16 exactly (a BOM is kept); null where the platform has no UTF-16 decoder. */
let utf16Decoder: Decoder | null | undefined;

function utf16(): Decoder | null {
  if (utf16Decoder === undefined) {
    try {
      utf16Decoder = new TextDecoder('utf-16le', { ignoreBOM: true });
    } catch {
      utf16Decoder = null;
    }
  }
  return utf16Decoder;
}
const fromCharCode = String.fromCharCode as (...codes: ArrayLike<number> & number[]) => string;
/** Characters handed to one String.fromCharCode call (its arguments go on the stack). */
const kChunk = 4096;
/** ASCII strings at least this long are decoded by TextDecoder, faster than fromCharCode. */
const kLongAscii = 64;

const viewConstructors = T.viewKinds.map(
  (name) =>
    (globalThis as unknown as Record<string, new (buffer: ArrayBuffer, byteOffset: number, length: number) => object>)[
      name
    ]!,
);
const errorConstructors: Record<string, ErrorConstructor> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};

/** Where a relay reference found by {@link WireReader.read} points. */
export interface RelayRef {
  readonly thread: number;
  readonly sequence: number;
}

/** The relay reference the value at `offset` of `bytes` is, or undefined if it is a value. */
export function relayRefAt(bytes: Uint8Array, offset = 0): RelayRef | undefined {
  if (bytes[offset] !== T.kRelayRef) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset + 1, 8);
  return { thread: view.getUint32(0, true), sequence: view.getUint32(4, true) };
}

/**
 * Reads values written by a {@link WireWriter}. The bytes must start at an
 * offset with the alignment they were written at (a multiple of 8 for a
 * record), and must not be shared memory on runtimes whose TextDecoder
 * refuses it (copy them out first, as the ring does).
 */
export class WireReader {
  #u8: Uint8Array = new Uint8Array(0);
  #dv: DataView = new DataView(new ArrayBuffer(0));
  #pos = 0;
  /** The objects read so far in this value, numbered in order, for back-references: the first {@link WireReader.#refCount}. */
  #refs: unknown[] = [];
  #refCount = 0;
  /** The relay reference the last value was, if it was one. */
  relayRef: RelayRef | undefined;

  /**
   * Read the value at `offset` of `bytes`. A relay reference (a value sent
   * out of line) reads as undefined and sets {@link WireReader.relayRef}.
   * @returns the value, and the offset just past it in {@link WireReader.end}.
   */
  read(bytes: Uint8Array, offset = 0): unknown {
    this.#viewOf(bytes);
    this.#pos = offset;
    this.relayRef = relayRefAt(bytes, offset);
    if (this.relayRef !== undefined) {
      this.#pos = offset + 9;
      return undefined;
    }
    try {
      return this.#value();
    } finally {
      // Emptied by hand, not replaced: a new list for every record read is
      // garbage on the thread that reads every pool outcome. A long one
      // (a record of many objects) is dropped instead, not kept for good.
      if (this.#refCount > 1024) this.#refs = [];
      else if (this.#refCount !== 0) this.#refs.fill(undefined, 0, this.#refCount);
      this.#refCount = 0;
    }
  }

  /** The offset just past the last value read. */
  get end(): number {
    return this.#pos;
  }

  /** Read a raw unsigned 32-bit word at `offset` of `bytes` (a caller's own record header). */
  u32(bytes: Uint8Array, offset: number): number {
    return this.#viewOf(bytes).getUint32(offset, true);
  }

  /** Read a raw float64 at `offset` of `bytes` (a caller's own record header). */
  f64(bytes: Uint8Array, offset: number): number {
    return this.#viewOf(bytes).getFloat64(offset, true);
  }

  /** A view of `bytes`, made again only when they are other bytes than last time. */
  #viewOf(bytes: Uint8Array): DataView {
    if (bytes !== this.#u8) {
      this.#u8 = bytes;
      this.#dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return this.#dv;
  }

  #value(): unknown {
    const u8 = this.#u8;
    const tag = u8[this.#pos++];
    switch (tag) {
      case T.kInt32: {
        const value = this.#dv.getInt32(this.#pos, true);
        this.#pos += 4;
        return value;
      }
      case T.kAscii:
      case T.kLatin1:
      case T.kUtf16:
      case T.kUtf16Text:
        return this.#string(tag);
      case T.kObject:
        return this.#plain();
      case T.kArray:
        return this.#array();
      case T.kUndefined:
        return undefined;
      case T.kNull:
        return null;
      case T.kTrue:
        return true;
      case T.kFalse:
        return false;
      case T.kFloat64: {
        const value = this.#dv.getFloat64(this.#pos, true);
        this.#pos += 8;
        return value;
      }
      case T.kBigInt64: {
        const value = this.#dv.getBigInt64(this.#pos, true);
        this.#pos += 8;
        return value;
      }
      case T.kBigInt:
        return this.#bigint();
      case T.kBackRef: {
        const index = this.#u32();
        return index < this.#refCount ? this.#refs[index] : undefined;
      }
      default:
        return this.#other(tag);
    }
  }

  #u32(): number {
    const value = this.#dv.getUint32(this.#pos, true);
    this.#pos += 4;
    return value;
  }

  /** A string whose tag (its kind) has been read. */
  #string(tag: number | undefined): string {
    const n = this.#u32();
    const u8 = this.#u8;
    let at = this.#pos;
    if (tag === T.kUtf16 || tag === T.kUtf16Text) {
      at += at & 1;
      this.#pos = at + 2 * n;
      const decoder = tag === T.kUtf16Text ? utf16() : null;
      if (decoder !== null) return decoder.decode(u8.subarray(at, at + 2 * n));
      return decodeUnits(new Uint16Array(u8.buffer, u8.byteOffset + at, n), n);
    }
    this.#pos = at + n;
    if (tag === T.kAscii && n >= kLongAscii) {
      asciiDecoder ??= new TextDecoder('utf-8');
      return asciiDecoder.decode(u8.subarray(at, at + n));
    }
    if (n <= 8) {
      // Keys and short values: no subarray, one call.
      switch (n) {
        case 0:
          return '';
        case 1:
          return fromCharCode(u8[at]!);
        case 2:
          return fromCharCode(u8[at]!, u8[at + 1]!);
        case 3:
          return fromCharCode(u8[at]!, u8[at + 1]!, u8[at + 2]!);
        case 4:
          return fromCharCode(u8[at]!, u8[at + 1]!, u8[at + 2]!, u8[at + 3]!);
        case 5:
          return fromCharCode(u8[at]!, u8[at + 1]!, u8[at + 2]!, u8[at + 3]!, u8[at + 4]!);
        case 6:
          return fromCharCode(u8[at]!, u8[at + 1]!, u8[at + 2]!, u8[at + 3]!, u8[at + 4]!, u8[at + 5]!);
        case 7:
          return fromCharCode(u8[at]!, u8[at + 1]!, u8[at + 2]!, u8[at + 3]!, u8[at + 4]!, u8[at + 5]!, u8[at + 6]!);
        case 8:
          return fromCharCode(
            u8[at]!,
            u8[at + 1]!,
            u8[at + 2]!,
            u8[at + 3]!,
            u8[at + 4]!,
            u8[at + 5]!,
            u8[at + 6]!,
            u8[at + 7]!,
          );
      }
    }
    return decodeUnits(u8.subarray(at, at + n), n);
  }

  #expectString(): string {
    return this.#string(this.#u8[this.#pos++]);
  }

  #plain(): Record<string, unknown> {
    const count = this.#u32();
    const object: Record<string, unknown> = {};
    this.#refs[this.#refCount++] = object;
    for (let i = 0; i < count; i++) {
      const key = this.#expectString();
      const value = this.#value();
      // Assigning `__proto__` would set the prototype, not make a property.
      if (key === '__proto__') {
        Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
      } else {
        object[key] = value;
      }
    }
    return object;
  }

  #array(): unknown[] {
    const length = this.#u32();
    const array: unknown[] = [];
    this.#refs[this.#refCount++] = array;
    for (let i = 0; i < length; i++) {
      if (this.#u8[this.#pos] === T.kHole) {
        this.#pos++;
        array.length = i + 1;
      } else {
        array.push(this.#value());
      }
    }
    return array;
  }

  #bigint(): bigint {
    const negative = this.#u8[this.#pos] === 1;
    this.#pos++;
    const count = this.#u32();
    let value = 0n;
    for (let i = count - 1; i >= 0; i--) value = (value << 64n) | this.#dv.getBigUint64(this.#pos + 8 * i, true);
    this.#pos += 8 * count;
    return negative ? -value : value;
  }

  #other(tag: number | undefined): unknown {
    switch (tag) {
      case T.kMap: {
        const size = this.#u32();
        const map = new Map();
        this.#refs[this.#refCount++] = map;
        for (let i = 0; i < size; i++) {
          const key = this.#value();
          map.set(key, this.#value());
        }
        return map;
      }
      case T.kSet: {
        const size = this.#u32();
        const set = new Set();
        this.#refs[this.#refCount++] = set;
        for (let i = 0; i < size; i++) set.add(this.#value());
        return set;
      }
      case T.kDate: {
        const date = new Date(this.#dv.getFloat64(this.#pos, true));
        this.#pos += 8;
        this.#refs[this.#refCount++] = date;
        return date;
      }
      case T.kRegExp: {
        const source = this.#expectString();
        const regexp = new RegExp(source, this.#expectString());
        this.#refs[this.#refCount++] = regexp;
        return regexp;
      }
      case T.kArrayBuffer: {
        const n = this.#u32();
        const buffer = this.#u8.buffer.slice(this.#u8.byteOffset + this.#pos, this.#u8.byteOffset + this.#pos + n);
        this.#pos += n;
        this.#refs[this.#refCount++] = buffer;
        return buffer;
      }
      case T.kView: {
        const kind = this.#u8[this.#pos++]!;
        const index = this.#refCount++;
        const buffer = this.#value() as ArrayBuffer;
        const byteOffset = this.#u32();
        const length = this.#u32();
        const view = new viewConstructors[kind]!(buffer, byteOffset, length);
        this.#refs[index] = view;
        return view;
      }
      case T.kBoxed: {
        const index = this.#refCount++;
        const boxed = Object(this.#value());
        this.#refs[index] = boxed;
        return boxed;
      }
      case T.kError:
        return this.#error();
      default:
        throw new RangeError(`corrupt skein wire data: unknown tag ${tag} at byte ${this.#pos - 1}`);
    }
  }

  #error(): Error {
    const name = this.#expectString();
    const message = this.#value() as string | undefined;
    const stack = this.#value() as string | undefined;
    const Ctor = errorConstructors[name] ?? Error;
    const error = message === undefined ? new Ctor() : new Ctor(message);
    this.#refs[this.#refCount++] = error;
    if (stack !== undefined) {
      Object.defineProperty(error, 'stack', { value: stack, writable: true, configurable: true });
    }
    if (this.#u8[this.#pos] === T.kAbsent) {
      this.#pos++;
    } else {
      const cause = this.#value();
      Object.defineProperty(error, 'cause', { value: cause, writable: true, configurable: true });
    }
    return error;
  }
}

/** The string of `n` character codes in `units`. */
function decodeUnits(units: Uint8Array | Uint16Array, n: number): string {
  if (n <= kChunk) return fromCharCode.apply(null, units as unknown as number[]);
  let text = '';
  for (let i = 0; i < n; i += kChunk) {
    text += fromCharCode.apply(null, units.subarray(i, Math.min(i + kChunk, n)) as unknown as number[]);
  }
  return text;
}
