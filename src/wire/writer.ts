/**
 * The writing half of the wire format (see tags.ts): values into bytes.
 */
import { kSharedMemory } from '../sync/memory.js';
import * as T from './tags.js';

/**
 * Thrown by the writer, by identity, when a value cannot be written inline
 * (see tags.ts); the caller sends the whole value out of line instead.
 */
export const OUT_OF_LINE: { readonly reason: 'out of line' } = Object.freeze({ reason: 'out of line' });

const textEncoder = new TextEncoder();
const viewKindOf = new Map<unknown, number>(
  T.viewKinds.map((name, index) => [(globalThis as Record<string, unknown>)[name], index]),
);
const objectToString = Object.prototype.toString;
const getPrototypeOf = Object.getPrototypeOf;
const objectProto = Object.prototype;
const arrayProto = Array.prototype;
const getOwnDescriptor = Object.getOwnPropertyDescriptor;
/** Strings shorter than this are written a character at a time; longer ones through TextEncoder. */
const kShortString = 48;
const isWellFormed: (value: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (value) => (value as unknown as { isWellFormed(): boolean }).isWellFormed()
    : // Without it, take every string as possibly holding a lone surrogate.
      () => false;

/**
 * Writes values in the wire format into a growable private buffer, which
 * the caller then copies where it belongs (a queue's shared memory). One
 * per thread is enough: {@link takeWriter} hands it out.
 *
 * Several records may be written one after another (a batch); each
 * {@link WireWriter.write} starts a new value numbering for back-references.
 */
export class WireWriter {
  #u8: Uint8Array;
  #u16: Uint16Array;
  #dv: DataView;
  #pos = 0;
  /** Where the value being written must end at the latest (out of line beyond). */
  #limit = Infinity;
  /**
   * The objects written so far in this value, numbered in order, for
   * back-references: a list while they are few (a search of a few entries
   * costs less than a Map's upkeep), a Map beyond.
   */
  #refList: (object | undefined)[] = [];
  /** How many objects of the value being written {@link WireWriter.#refList} (or the map) numbers. */
  #refCount = 0;
  #refMap: Map<object, number> | undefined;

  constructor(initialBytes = 1024) {
    const buffer = new ArrayBuffer(initialBytes);
    this.#u8 = new Uint8Array(buffer);
    this.#u16 = new Uint16Array(buffer);
    this.#dv = new DataView(buffer);
  }

  /** The bytes written so far start at 0 of this array (it changes as the writer grows). */
  get bytes(): Uint8Array {
    return this.#u8;
  }

  /** How many bytes have been written. */
  get length(): number {
    return this.#pos;
  }

  /** Forget everything written. */
  reset(): void {
    this.#pos = 0;
  }

  /** Move the write position to `at` (≤ {@link WireWriter.length}), dropping what follows. */
  rewind(at: number): void {
    this.#pos = at;
  }

  /** Pad with zero bytes to a multiple of `alignment` (a power of two). */
  align(alignment: number): void {
    const pad = -this.#pos & (alignment - 1);
    if (pad === 0) return;
    this.#reserve(pad);
    this.#u8.fill(0, this.#pos, this.#pos + pad);
    this.#pos += pad;
  }

  /** Write a raw unsigned 32-bit word (for a caller's own record header). */
  u32(value: number): void {
    this.#reserve(4);
    this.#dv.setUint32(this.#pos, value, true);
    this.#pos += 4;
  }

  /** Write a raw float64 (for a caller's own record header). */
  f64(value: number): void {
    this.#reserve(8);
    this.#dv.setFloat64(this.#pos, value, true);
    this.#pos += 8;
  }

  /**
   * Write `value` after what is already written. Returns false, with
   * nothing written, if it cannot be held inline or would end past
   * `limit` bytes from the start of the buffer: the caller sends it out of
   * line. A getter inside `value` that throws throws here.
   */
  write(value: unknown, limit = Infinity): boolean {
    const start = this.#pos;
    this.#limit = limit;
    try {
      this.#value(value);
      if (this.#pos <= limit) return true;
      this.#pos = start;
      return false;
    } catch (error) {
      this.#pos = start;
      if (error === OUT_OF_LINE) return false;
      throw error;
    } finally {
      this.#limit = Infinity;
      // Emptied by hand, not with `length = 0`, which gives back the list's
      // storage: the next value would allocate it again (~150 bytes a pool
      // task, on the thread that submits them all).
      if (this.#refCount !== 0) this.#refList.fill(undefined, 0, this.#refCount);
      this.#refCount = 0;
      this.#refMap = undefined;
    }
  }

  /** Write a reference to a value deposited with the relay under (`thread`, `sequence`). */
  relayRef(thread: number, sequence: number): void {
    this.#reserve(9);
    this.#u8[this.#pos] = T.kRelayRef;
    this.#dv.setUint32(this.#pos + 1, thread, true);
    this.#dv.setUint32(this.#pos + 5, sequence, true);
    this.#pos += 9;
  }

  /**
   * Make room for `n` more bytes, growing the buffer. Out of line if even
   * `least` more (what the caller will write at the least) pass the limit.
   */
  #reserve(n: number, least = n): void {
    const end = this.#pos + n;
    if (this.#pos + least > this.#limit) throw OUT_OF_LINE;
    if (end <= this.#u8.length) return;
    let size = this.#u8.length * 2;
    while (size < end) size *= 2;
    const buffer = new ArrayBuffer(size);
    const u8 = new Uint8Array(buffer);
    u8.set(this.#u8.subarray(0, this.#pos));
    this.#u8 = u8;
    this.#u16 = new Uint16Array(buffer);
    this.#dv = new DataView(buffer);
  }

  #tag(tag: number): void {
    this.#reserve(1);
    this.#u8[this.#pos++] = tag;
  }

  #value(value: unknown): void {
    switch (typeof value) {
      case 'number':
        return this.#number(value);
      case 'string':
        return this.#string(value);
      case 'boolean':
        return this.#tag(value ? T.kTrue : T.kFalse);
      case 'undefined':
        return this.#tag(T.kUndefined);
      case 'bigint':
        return this.#bigint(value);
      case 'object':
        return value === null ? this.#tag(T.kNull) : this.#object(value);
      default:
        // A function or a symbol: structured clone refuses it; the out-of-line path names it.
        throw OUT_OF_LINE;
    }
  }

  #number(value: number): void {
    // -0 is not an int32: it would come back as 0.
    if ((value | 0) === value && (value !== 0 || 1 / value > 0)) {
      this.#reserve(5);
      this.#u8[this.#pos] = T.kInt32;
      this.#dv.setInt32(this.#pos + 1, value, true);
      this.#pos += 5;
    } else {
      this.#reserve(9);
      this.#u8[this.#pos] = T.kFloat64;
      this.#dv.setFloat64(this.#pos + 1, value, true);
      this.#pos += 9;
    }
  }

  #bigint(value: bigint): void {
    if (BigInt.asIntN(64, value) === value) {
      this.#reserve(9);
      this.#u8[this.#pos] = T.kBigInt64;
      this.#dv.setBigInt64(this.#pos + 1, value, true);
      this.#pos += 9;
      return;
    }
    const negative = value < 0n;
    let magnitude = negative ? -value : value;
    const words: bigint[] = [];
    while (magnitude > 0n) {
      words.push(BigInt.asUintN(64, magnitude));
      magnitude >>= 64n;
    }
    this.#reserve(6 + words.length * 8);
    const dv = this.#dv;
    let at = this.#pos;
    this.#u8[at] = T.kBigInt;
    this.#u8[at + 1] = negative ? 1 : 0;
    dv.setUint32(at + 2, words.length, true);
    at += 6;
    for (const word of words) {
      dv.setBigUint64(at, word, true);
      at += 8;
    }
    this.#pos = at;
  }

  /**
   * A string: its kind as the tag, u32 length, the characters. Short ones
   * are written a character at a time: ASCII or latin1, one byte each, else
   * UTF-16. Long ones go through the platform's encoder, much faster than a
   * loop, as ASCII if they are; else as UTF-16, marked as text the
   * platform's decoder can read if well formed (no lone surrogate).
   * (Node 20's UTF-8 decoder takes ~9 µs a KiB of non-ASCII text, its UTF-16
   * decoder ~1 µs, String.fromCharCode ~3 µs.)
   */
  #string(value: string): void {
    const n = value.length;
    if (n < kShortString) return this.#shortString(value, n);
    // Room for the widest form: UTF-16, plus a byte to align it.
    this.#reserve(6 + 2 * n, 5 + n);
    const at = this.#pos + 5;
    // Into n bytes: it reads every character into them only if all are ASCII.
    const { read, written } = textEncoder.encodeInto(value, this.#u8.subarray(at, at + n));
    if (read === n && written === n) {
      this.#u8[this.#pos] = T.kAscii;
      this.#dv.setUint32(this.#pos + 1, n, true);
      this.#pos = at + n;
    } else {
      this.#utf16(value, n, isWellFormed(value) ? T.kUtf16Text : T.kUtf16);
    }
  }

  #shortString(value: string, n: number): void {
    // Room for the widest form: UTF-16, plus a byte to align it.
    this.#reserve(6 + 2 * n, 5 + n);
    const u8 = this.#u8;
    const start = this.#pos;
    const at = start + 5;
    let tag = T.kAscii;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c > 0x7f) {
        if (c > 0xff) return this.#utf16(value, n, T.kUtf16);
        tag = T.kLatin1;
      }
      u8[at + i] = c;
    }
    u8[start] = tag;
    this.#dv.setUint32(start + 1, n, true);
    this.#pos = at + n;
  }

  /** A string as UTF-16 code units, aligned to 2 so that the reader can see them as a Uint16Array. */
  #utf16(value: string, n: number, tag: number): void {
    this.#reserve(6 + 2 * n);
    const start = this.#pos;
    this.#u8[start] = tag;
    this.#dv.setUint32(start + 1, n, true);
    const base = (start + 6) >> 1;
    const u16 = this.#u16;
    for (let i = 0; i < n; i++) u16[base + i] = value.charCodeAt(i);
    this.#pos = 2 * (base + n);
  }

  /** Number `value`, the next object written, for back-references. */
  #register(value: object): void {
    if (this.#refMap !== undefined) {
      this.#refMap.set(value, this.#refCount++);
      return;
    }
    this.#refList[this.#refCount++] = value;
    if (this.#refCount > 16) {
      this.#refMap = new Map();
      for (let index = 0; index < this.#refCount; index++) this.#refMap.set(this.#refList[index]!, index);
    }
  }

  /** The number of `value` if it was written before in this value. */
  #numberOf(value: object): number | undefined {
    if (this.#refMap !== undefined) return this.#refMap.get(value);
    const index = this.#refList.indexOf(value);
    return index === -1 || index >= this.#refCount ? undefined : index;
  }

  #object(value: object): void {
    if (this.#refCount !== 0) {
      const index = this.#numberOf(value);
      if (index !== undefined) {
        this.#reserve(5);
        this.#u8[this.#pos] = T.kBackRef;
        this.#dv.setUint32(this.#pos + 1, index, true);
        this.#pos += 5;
        return;
      }
    }
    const proto = getPrototypeOf(value);
    if (proto === objectProto || proto === null) {
      this.#register(value);
      return this.#plain(value as Record<string, unknown>);
    }
    if (proto === arrayProto) {
      this.#register(value);
      return this.#array(value as unknown[]);
    }
    this.#other(value);
  }

  #plain(value: Record<string, unknown>): void {
    const keys = Object.keys(value);
    const count = keys.length;
    this.#reserve(5);
    this.#u8[this.#pos] = T.kObject;
    this.#dv.setUint32(this.#pos + 1, count, true);
    this.#pos += 5;
    for (let i = 0; i < count; i++) {
      const key = keys[i]!;
      this.#string(key);
      this.#value(value[key]);
    }
  }

  #array(value: unknown[]): void {
    const length = value.length;
    this.#reserve(5);
    this.#u8[this.#pos] = T.kArray;
    this.#dv.setUint32(this.#pos + 1, length, true);
    this.#pos += 5;
    for (let i = 0; i < length; i++) {
      const item = value[i];
      if (item === undefined && !(i in value)) this.#tag(T.kHole);
      else this.#value(item);
    }
  }

  /** Everything that is not a plain object or array. */
  #other(value: object): void {
    if (Array.isArray(value)) {
      // An array of another realm, or a subclass: structured clone makes a plain array.
      this.#register(value);
      return this.#array(value);
    }
    // Shared memory and skein's primitives are shared, not copied: out of line.
    if (typeof (value as { [kSharedMemory]?: unknown })[kSharedMemory] === 'function') throw OUT_OF_LINE;
    const kind = objectToString.call(value);
    switch (kind) {
      case '[object Object]':
        // A class instance: structured clone copies its own enumerable properties.
        this.#register(value);
        return this.#plain(value as Record<string, unknown>);
      case '[object Map]': {
        this.#register(value);
        const map = value as Map<unknown, unknown>;
        this.#reserve(5);
        this.#u8[this.#pos] = T.kMap;
        this.#dv.setUint32(this.#pos + 1, map.size, true);
        this.#pos += 5;
        for (const [k, v] of map) {
          this.#value(k);
          this.#value(v);
        }
        return;
      }
      case '[object Set]': {
        this.#register(value);
        const set = value as Set<unknown>;
        this.#reserve(5);
        this.#u8[this.#pos] = T.kSet;
        this.#dv.setUint32(this.#pos + 1, set.size, true);
        this.#pos += 5;
        for (const v of set) this.#value(v);
        return;
      }
      case '[object Date]':
        this.#register(value);
        this.#tag(T.kDate);
        this.#float((value as Date).getTime());
        return;
      case '[object RegExp]':
        this.#register(value);
        this.#tag(T.kRegExp);
        this.#string((value as RegExp).source);
        this.#string((value as RegExp).flags);
        return;
      case '[object ArrayBuffer]':
        return this.#arrayBuffer(value as ArrayBuffer);
      case '[object Number]':
      case '[object String]':
      case '[object Boolean]':
      case '[object BigInt]':
        this.#register(value);
        this.#tag(T.kBoxed);
        this.#value((value as { valueOf(): unknown }).valueOf());
        return;
      case '[object Error]':
        return this.#error(value as Error);
      default:
        if (ArrayBuffer.isView(value)) return this.#view(value);
        // A platform object, a Promise, a WeakMap…: out of line, where it
        // is either sent as the platform sends it or named as refused.
        throw OUT_OF_LINE;
    }
  }

  #float(value: number): void {
    this.#reserve(8);
    this.#dv.setFloat64(this.#pos, value, true);
    this.#pos += 8;
  }

  #arrayBuffer(buffer: ArrayBuffer): void {
    // A resizable buffer keeps its maximum under structured clone: out of line.
    if ((buffer as { resizable?: boolean }).resizable === true) throw OUT_OF_LINE;
    this.#register(buffer);
    const n = buffer.byteLength;
    this.#reserve(5 + n);
    this.#u8[this.#pos] = T.kArrayBuffer;
    this.#dv.setUint32(this.#pos + 1, n, true);
    this.#pos += 5;
    this.#u8.set(new Uint8Array(buffer), this.#pos);
    this.#pos += n;
  }

  #view(view: ArrayBufferView): void {
    const buffer = view.buffer;
    const kind = viewKindOf.get(view.constructor);
    // Shared memory is shared, not copied; other views are kept out of the format.
    if (kind === undefined || !(buffer instanceof ArrayBuffer)) throw OUT_OF_LINE;
    this.#register(view);
    this.#reserve(2);
    this.#u8[this.#pos] = T.kView;
    this.#u8[this.#pos + 1] = kind;
    this.#pos += 2;
    this.#object(buffer);
    const length = kind === 11 ? view.byteLength : (view as Uint8Array).length;
    this.#reserve(8);
    this.#dv.setUint32(this.#pos, view.byteOffset, true);
    this.#dv.setUint32(this.#pos + 4, length, true);
    this.#pos += 8;
  }

  /** An Error as structured clone keeps it: a known name, an own message, the stack, an own cause. */
  #error(error: Error): void {
    this.#register(error);
    this.#tag(T.kError);
    const name = String(error.name);
    this.#string(T.errorNames.has(name) ? name : 'Error');
    const message = getOwnDescriptor(error, 'message');
    if (message !== undefined && 'value' in message) this.#string(String(message.value));
    else this.#tag(T.kUndefined);
    const stack = error.stack;
    if (typeof stack === 'string') this.#string(stack);
    else this.#tag(T.kUndefined);
    const cause = getOwnDescriptor(error, 'cause');
    if (cause !== undefined && 'value' in cause) this.#value(cause.value);
    else this.#tag(T.kAbsent);
  }
}

/** This thread's writer, made on first use. */
let spare: WireWriter | undefined;
let made = false;

/**
 * This thread's writer, or a fresh one if it is in use (a getter inside a
 * value being written may put into a queue). Give it back with {@link giveWriter}.
 */
export function takeWriter(): WireWriter {
  const writer = spare ?? new WireWriter(made ? 256 : 1024);
  made = true;
  spare = undefined;
  writer.reset();
  return writer;
}

/** Return a writer taken with {@link takeWriter}. */
export function giveWriter(writer: WireWriter): void {
  spare ??= writer;
}
