/**
 * skein's wire format: how a value is written as bytes into shared memory
 * (a queue's records) and read back. Structured clone's semantics, written
 * in plain JavaScript with typed arrays and DataView only, so that it runs
 * alike on every runtime.
 *
 * A value is one tag byte followed by its body (little-endian throughout):
 *
 *   undefined, null, true, false, hole   the tag alone
 *   int32                                4 bytes
 *   float64                              8 bytes (-0 and NaN kept)
 *   bigint64                             8 bytes; bigint: sign byte, u32 word count, 64-bit words
 *   string                               the tag says how the characters are held: ASCII or
 *                                        latin1 one byte each, UTF-16 two bytes each (aligned
 *                                        to 2 from the start of the record), after a u32 length
 *   object                               u32 key count, then key (a string body) and value, in order
 *   array                                u32 length, then each element (`hole` for a missing one)
 *   Map, Set                             u32 size, then the entries
 *   Date                                 float64; RegExp: source and flags (string bodies)
 *   ArrayBuffer                          u32 byte length, then the bytes
 *   typed array, DataView                view kind byte, the buffer (a value: shared with other
 *                                        views of it), u32 byte offset, u32 length
 *   boxed primitive                      the primitive, as a value
 *   Error                                name, message (or `undefined`), stack (or `undefined`),
 *                                        cause (or the `absent` tag)
 *   back-reference                       u32 index of an object already written: cycles and
 *                                        shared references, numbered in the order first written
 *   relay reference                      u32 thread id, u32 sequence: the value was deposited
 *                                        with the relay (see src/relay/relay.ts)
 *
 * What the format does not hold — shared memory, skein's primitives,
 * ports, platform objects, or more bytes than the space allowed — makes
 * the writer give up on the whole value: the caller sends it out of line.
 * One difference from structured clone: an array's own properties other
 * than its indices (`arr.extra = 1`) are not kept (finding them would cost
 * every array an Object.keys).
 */

export const kUndefined = 0x00;
export const kNull = 0x01;
export const kTrue = 0x02;
export const kFalse = 0x03;
export const kInt32 = 0x04;
export const kFloat64 = 0x05;
export const kBigInt64 = 0x06;
export const kBigInt = 0x07;
export const kAscii = 0x08;
export const kLatin1 = 0x09;
export const kUtf16 = 0x0a;
/** UTF-16 without a lone surrogate: the platform's decoder reads it exactly. */
export const kUtf16Text = 0x0d;
export const kHole = 0x0b;
/** Not a value: an Error without a `cause`. */
export const kAbsent = 0x0c;

export const kObject = 0x10;
export const kArray = 0x11;
export const kMap = 0x12;
export const kSet = 0x13;
export const kDate = 0x14;
export const kRegExp = 0x15;
export const kArrayBuffer = 0x16;
export const kView = 0x17;
export const kBoxed = 0x18;
export const kError = 0x19;
export const kBackRef = 0x1a;
export const kRelayRef = 0x1b;

/** The view kinds, by their index in this list. */
export const viewKinds = [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'DataView',
] as const;

/** The error names structured clone keeps; any other becomes `Error`. */
export const errorNames: ReadonlySet<string> = new Set([
  'Error',
  'EvalError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'TypeError',
  'URIError',
]);
