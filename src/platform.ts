/**
 * The platform layer: which JavaScript runtime skein runs on, what it
 * cannot do there, and the few platform facts that code above this layer
 * needs without importing a `node:` module — shared memory (which a page
 * has only when it is cross-origin isolated) and whether this thread may
 * block. skein targets Node.js; Bun and Deno run it through their Node
 * compatibility, except for what is refused here with a NotSupportedError
 * (see the README's FAQ, "Does skein run on Bun and Deno?"); browsers run
 * the package's `browser` build, in which each module `X.ts` that has a
 * sibling `X.browser.ts` is replaced by it (see scripts/build.ts): such
 * pairs (src/host.ts, src/cores.ts, src/relay/relay.ts,
 * src/thread/local-files.ts) are the only places Node's modules are
 * imported by code a page loads.
 */
import { NotSupportedError } from './errors.js';

/** The runtime: `"bun"`, `"deno"`, `"node"` for Node.js itself, or `"browser"` (a page or a Web Worker). */
export const runtime: 'node' | 'bun' | 'deno' | 'browser' =
  typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined'
    ? 'bun'
    : typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined'
      ? 'deno'
      : typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === 'string'
        ? 'node'
        : 'browser';

const unsupported: Record<string, Partial<Record<typeof runtime, string>>> = {
  resourceLimits: {
    bun: 'Bun ignores the resourceLimits of a worker, so the thread would run without them',
    deno: 'on Deno a worker stopped at its resourceLimits is never reported as ended, so the thread would never join',
    browser: 'a Web Worker has no memory limits of its own',
  },
  stopOnSignals: {
    browser: 'a page receives no process signals (stop its threads from a `pagehide` listener instead)',
  },
  'thread.joinSync()': {
    browser:
      "a Web Worker cannot take in the thread's outcome, which comes as a message, while it blocks — use `await thread.join()`",
  },
  'setStandbyThreads()': {
    browser: 'a Web Worker takes its first job as a message, so one started ahead would not start it sooner',
  },
};

/** Throw NotSupportedError if the current runtime cannot do `feature`. */
export function checkSupported(feature: keyof typeof unsupported): void {
  const why = unsupported[feature]?.[runtime];
  if (why !== undefined) {
    throw new NotSupportedError(
      `\`${feature}\` is not supported ${runtime === 'browser' ? 'in a browser' : `on ${runtime}`}: ${why}; run on Node.js to use it`,
      feature,
      runtime,
    );
  }
}

/** Whether this realm has shared memory: false in a page (or its workers) that is not cross-origin isolated. */
const hasSharedMemory = typeof SharedArrayBuffer === 'function';

/**
 * A new SharedArrayBuffer of `byteLength` bytes (growable up to
 * `maxByteLength` if given and the platform can grow one): the one way
 * skein makes shared memory, so that a page without it gets an error that
 * says how to get it.
 *
 * @throws NotSupportedError if this realm has no SharedArrayBuffer: a page
 *   (or a worker of a page) that is not cross-origin isolated.
 */
export function newSharedBuffer(byteLength: number, maxByteLength?: number): SharedArrayBuffer {
  if (!hasSharedMemory) {
    const isolated = (globalThis as { crossOriginIsolated?: unknown }).crossOriginIsolated;
    throw new NotSupportedError(
      `shared memory is not available here${isolated === false ? ': the page is not cross-origin isolated (`crossOriginIsolated` is false)' : ''}, ` +
        'and every skein primitive lives in a SharedArrayBuffer. Serve the page, and the scripts of its workers, with ' +
        'the headers `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp` ' +
        '(or `credentialless`)',
      'SharedArrayBuffer',
      runtime,
    );
  }
  if (maxByteLength === undefined) return new SharedArrayBuffer(byteLength);
  return new (SharedArrayBuffer as new (n: number, o: object) => SharedArrayBuffer)(byteLength, { maxByteLength });
}

/** Whether `value` is a SharedArrayBuffer (false everywhere in a realm without shared memory). */
export function isSharedBuffer(value: unknown): value is SharedArrayBuffer {
  return hasSharedMemory && value instanceof SharedArrayBuffer;
}

/** Whether a SharedArrayBuffer can grow here (Node ≥ 20, Bun, Deno, recent browsers). */
export const canGrowSharedBuffer: boolean =
  hasSharedMemory && typeof (SharedArrayBuffer.prototype as { grow?: unknown }).grow === 'function';

/** Whether `Atomics.wait` may block this thread: known after the first blocking call. */
let blockingAllowed: boolean | undefined;

/**
 * Whether the calling thread may block in `Atomics.wait`: false only on a
 * page's main thread. Probed once, on first use.
 * @throws NotSupportedError if this realm has no shared memory.
 */
export function mayBlock(): boolean {
  if (blockingAllowed === undefined) {
    try {
      // A value that is not there: a thread allowed to wait returns at once
      // ("not-equal"); a page's main thread throws before it compares.
      Atomics.wait(new Int32Array(newSharedBuffer(4)), 0, 1, 0);
      blockingAllowed = true;
    } catch (error) {
      if (error instanceof NotSupportedError) throw error;
      blockingAllowed = false;
    }
  }
  return blockingAllowed;
}

/**
 * Check that the calling thread may block before a blocking form waits: a
 * page's main thread may not (the browser makes `Atomics.wait` throw
 * there). The call is refused whether or not it would have had to wait —
 * so that a page learns it the first time, not on the day the lock is
 * contended — except with a timeout of 0, which only tries.
 *
 * @param timeout - the call's timeout in ms, normalised (0: it only tries, always allowed).
 * @param call - the blocking form, as written: `"event.wait()"`.
 * @param instead - what to call instead: `"await event.waitAsync()"`.
 * @throws NotSupportedError on a page's main thread, naming `instead`.
 */
export function checkCanBlock(timeout: number, call: string, instead: string): void {
  if (timeout === 0 || blockingAllowed === true || mayBlock()) return;
  throw new NotSupportedError(
    `${call} cannot block the page's main thread: the browser does not let it wait (Atomics.wait throws there), ` +
      `so it would freeze the page — use \`${instead}\` there, or call ${call} in a Web Worker`,
    call,
    runtime,
  );
}

/**
 * Let a timer not keep the process alive, where the platform has such
 * timers (Node, Bun, Deno); in a browser a timer never keeps anything alive.
 */
export function unrefTimer(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}
