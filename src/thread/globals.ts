import { workerData } from 'node:worker_threads';
import { kGlobalsId } from '../sync/layout.js';

// Process-wide counters on shared memory, so that every thread draws thread
// numbers (`Thread-N`) and idents from the same sequence, as in Python.
const kTag = 0;
const kNextIdent = 1;
const kNextThreadNumber = 2;
const kNextPoolNumber = 3;
const kSize = 16;

/** The ident of the main thread. */
export const kMainIdent = 1;

function adoptOrCreate(): SharedArrayBuffer {
  const inherited = (workerData as { skein?: { globals?: unknown } } | null)?.skein?.globals;
  if (inherited instanceof SharedArrayBuffer && new Int32Array(inherited)[kTag] === kGlobalsId) return inherited;
  const buffer = new SharedArrayBuffer(kSize);
  const i32 = new Int32Array(buffer);
  i32[kTag] = kGlobalsId;
  i32[kNextIdent] = kMainIdent + 1;
  i32[kNextThreadNumber] = 1;
  return buffer;
}

// Shared by every copy of skein loaded in this thread.
const kSlot = Symbol.for('skein.globals');
const holder = globalThis as { [kSlot]?: SharedArrayBuffer };
/** The buffer behind the counters, passed to every worker skein starts. */
export const globalsBuffer: SharedArrayBuffer = (holder[kSlot] ??= adoptOrCreate());
const counters = new Int32Array(globalsBuffer);

/** A new, process-wide unique thread ident. */
export function nextIdent(): number {
  return Atomics.add(counters, kNextIdent, 1);
}

/** The K of the next default pool prefix `ThreadPoolExecutor-K`. */
export function nextPoolNumber(): number {
  return Atomics.add(counters, kNextPoolNumber, 1);
}

/** The N of the next default name `Thread-N`. */
export function nextThreadNumber(): number {
  return Atomics.add(counters, kNextThreadNumber, 1);
}
