import { workerData } from '../host.js';
import { isSharedBuffer, newSharedBuffer } from '../platform.js';
import { kGlobalsId } from '../sync/layout.js';

// Process-wide counters on shared memory, so that every thread draws thread
// numbers (`Thread-N`) and idents from the same sequence, as in Python.
const kTag = 0;
const kNextIdent = 1;
const kNextThreadNumber = 2;
const kNextPoolNumber = 3;
/** 1 once a module target (or a module-declared Thread subclass) has been described. */
const kModuleTargetsSeen = 4;
const kSize = 32;

/** The ident of the main thread. */
export const kMainIdent = 1;

function adoptOrCreate(): SharedArrayBuffer {
  const inherited = (workerData as { skein?: { globals?: unknown } } | null)?.skein?.globals;
  if (isSharedBuffer(inherited) && new Int32Array(inherited)[kTag] === kGlobalsId) return inherited;
  const buffer = newSharedBuffer(kSize);
  const i32 = new Int32Array(buffer);
  i32[kTag] = kGlobalsId;
  i32[kNextIdent] = kMainIdent + 1;
  i32[kNextThreadNumber] = 1;
  return buffer;
}

// Shared by every copy of skein loaded in this thread; made on first use,
// so that a page without shared memory can load skein (and be told why
// when it first needs it).
const kSlot = Symbol.for('skein.globals');
const holder = globalThis as { [kSlot]?: SharedArrayBuffer };
let view: Int32Array | undefined;

/** The counters, made (or adopted from the worker's start data) on first use. */
function counters(): Int32Array {
  return (view ??= new Int32Array((holder[kSlot] ??= adoptOrCreate())));
}

/**
 * The buffer behind the counters, passed to every worker skein starts.
 * @throws NotSupportedError in a page without shared memory.
 */
export function globalsBuffer(): SharedArrayBuffer {
  return counters().buffer as SharedArrayBuffer;
}

/** A new, process-wide unique thread ident. */
export function nextIdent(): number {
  return Atomics.add(counters(), kNextIdent, 1);
}

/** The K of the next default pool prefix `ThreadPoolExecutor-K`. */
export function nextPoolNumber(): number {
  return Atomics.add(counters(), kNextPoolNumber, 1);
}

/** The N of the next default name `Thread-N`. */
export function nextThreadNumber(): number {
  return Atomics.add(counters(), kNextThreadNumber, 1);
}

/**
 * Note that this process runs module targets: from then on, a standby
 * worker of a program under tsx gets tsx ready before its first job
 * (src/worker/typescript.ts), which programs that run only inline targets
 * need not pay for.
 */
export function noteModuleTarget(): void {
  // A buffer made by an older copy of skein may be too short for the flag.
  const shared = counters();
  if (shared.length > kModuleTargetsSeen && shared[kModuleTargetsSeen] === 0) {
    Atomics.store(shared, kModuleTargetsSeen, 1);
  }
}

/** Whether this process has described a module target yet (see {@link noteModuleTarget}). */
export function moduleTargetsSeen(): boolean {
  const shared = counters();
  return shared.length > kModuleTargetsSeen && Atomics.load(shared, kModuleTargetsSeen) === 1;
}
