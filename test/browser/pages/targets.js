// Module targets for the thread pages: imported by URL in each thread's worker (a worker has no import map).
import { currentThread, registerErrorClass, stopEvent, throwIfStopped } from '/skein/index.js';

/** Say it runs, then spin in a synchronous loop until its stop is requested. */
export function spinUntilStopped(started) {
  started.set();
  while (!stopEvent().isSet());
  return 'noticed';
}

/** Say it runs, then spin until its stop is requested, and throw the StopError that ends it as stopped. */
export function spinAndThrow(started) {
  started.set();
  for (;;) throwIfStopped();
}

/** The name the thread has inside itself, and its args. */
export function whoAmI(...args) {
  return { name: currentThread().name, args };
}

/** A custom error class, registered where it is written: it crosses back to the page with its class. */
export class ParseError extends Error {
  static {
    registerErrorClass(ParseError, import.meta.url);
  }

  constructor(message, line) {
    super(message);
    this.name = 'ParseError';
    this.line = line;
  }
}

export function failToParse() {
  throw new ParseError('unexpected token', 7);
}
