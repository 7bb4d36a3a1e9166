// The task of the "moving data" figures (bench/sections/move.ts), loaded by
// piscina's workers: checksum a buffer, return the sum and a 1 MiB buffer
// moved back with Piscina.move. skein's task is the same function, sent as
// source (see the section).
import { Piscina } from 'piscina';

const kResultBytes = 1024 * 1024;

/** The checksum every contestant computes: a 31-multiplier rolling hash of the bytes. */
function checksum(bytes) {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum = (Math.imul(sum, 31) + bytes[i]) | 0;
  return sum;
}

export default function checksumTask(bytes) {
  const sum = checksum(bytes);
  const out = new Uint8Array(kResultBytes);
  out[0] = sum & 0xff;
  // Piscina.move moves a top-level value only: an object that lists its own transferables.
  return Piscina.move({ [Piscina.transferableSymbol]: [out.buffer], [Piscina.valueSymbol]: { sum, out } });
}
