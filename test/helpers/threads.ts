// Threads and hooks shared by the tests.
import { type Event, Thread, setExcepthook, stopEvent, type ExceptHookArgs, type ThreadOptions } from 'skein';

/** Run `fn` with a recording excepthook, restoring the default after. */
export async function withHook<T>(fn: (calls: ExceptHookArgs[]) => Promise<T>): Promise<T> {
  const calls: ExceptHookArgs[] = [];
  setExcepthook((args) => calls.push(args));
  try {
    return await fn(calls);
  } finally {
    setExcepthook(null);
  }
}

/** Run `fn`, keeping what is written to process.stderr meanwhile from the terminal; returns that text. */
export async function capturingStderr(fn: () => Promise<unknown>): Promise<string> {
  const original = process.stderr.write;
  let written = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    await fn();
  } finally {
    process.stderr.write = original;
  }
  return written;
}

/** Slots a thread writes to show how far it got; `marks[1]` is set by its finally block. */
export function markers(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8));
}

/**
 * A thread busy in a synchronous loop that checks only its built-in stop
 * request; it sets `running` first and `marks[1]` in its finally block, and
 * returns whether it saw the request.
 */
export function spinUntilStopped(
  running: Event,
  marks: Int32Array,
  options: Pick<ThreadOptions, 'signal' | 'timeout'> = {},
): Thread {
  return new Thread({
    ...options,
    target: (running: Event, marks: Int32Array) => {
      const stop = stopEvent();
      running.set();
      try {
        while (!stop.isSet());
      } finally {
        Atomics.store(marks, 1, 1);
      }
      return stop.isSet();
    },
    args: [running, marks],
  });
}
