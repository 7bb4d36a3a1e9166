import { writeError } from '../host.js';
import { formatThrown, isErrorLike, safeString } from './error-codec.js';
import type { Thread } from './thread.js';

/** What the excepthook receives, as Python's `threading.ExceptHookArgs`. */
export interface ExceptHookArgs {
  /** The error's name (`"TypeError"`), or the `typeof` of a thrown non-Error. */
  readonly excType: string;
  /** The error itself, as thrown in the thread (its stack is the thread's). */
  readonly excValue: unknown;
  /** The thread that raised it. */
  readonly thread: Thread | undefined;
}

/** A function called with every uncaught error that ends a thread. */
export type ExceptHook = (args: ExceptHookArgs) => void;

/**
 * The default hook: prints `Exception in thread NAME:` and the error's stack
 * to stderr, as Python does.
 */
export function defaultExcepthook({ excValue, thread }: ExceptHookArgs): void {
  writeThreadException(thread?.name, excValue);
}

/** @internal What the default hook writes, for the thread named `name`. */
export function writeThreadException(name: string | undefined, error: unknown): void {
  writeError(`Exception in thread ${name ?? 'unknown thread'}:\n${formatThrown(error)}\n`);
}

let hook: ExceptHook | null = null;

/**
 * Replace the excepthook of this thread's realm — called, in the thread that
 * started it, with each uncaught error that ends a thread. `null` restores
 * the default, which prints `Exception in thread NAME:` and the stack.
 *
 * A thread's own `StopError` (a clean stop) never reaches the hook. A hook
 * that throws is reported as `Exception in threading.excepthook:` and the
 * program carries on.
 *
 * @throws TypeError if `newHook` is neither a function nor null.
 * @example
 * ```ts
 * setExcepthook(({ thread, excValue }) => log.error({ thread: thread?.name, err: excValue }));
 * ```
 */
export function setExcepthook(newHook: ExceptHook | null): void {
  if (newHook !== null && typeof newHook !== 'function') {
    throw new TypeError(`Expected \`hook\` to be a function or null, got ${typeof newHook}`);
  }
  hook = newHook;
}

/** The hook in force: the one given to {@link setExcepthook}, or the default. */
export function getExcepthook(): ExceptHook {
  return hook ?? defaultExcepthook;
}

/** Call the hook for `error` raised in `thread`, reporting a hook that throws. */
export function reportThreadException(thread: Thread | undefined, error: unknown): void {
  let excType = typeof error as string;
  if (isErrorLike(error)) {
    try {
      excType = safeString(error.name);
    } catch {
      excType = 'Error';
    }
  }
  try {
    getExcepthook()({ excType, excValue: error, thread });
  } catch (hookError) {
    writeError(`Exception in threading.excepthook:\n${formatThrown(hookError)}\n`);
  }
}
