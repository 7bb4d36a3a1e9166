/**
 * Which thread is running: `currentThread()`, `mainThread()`, `enumerate()`,
 * and the objects of the threads skein did not start — the main thread
 * (CPython's `_MainThread`) and a worker skein did not create (CPython's
 * `_DummyThread`).
 */
import { isMainThread } from '../host.js';
import { RuntimeError } from '../errors.js';
import { ControlBlock } from './control-block.js';
import { kMainIdent, nextIdent, nextThreadNumber } from './globals.js';
import { realm } from './realm.js';
import type { StopOptions, StopOutcome } from './stoppables.js';
import { kAdopt, runningThread, Thread, type ThreadOptions } from './thread.js';

/** A control block for a thread that is running already: started and running, with `ident`. */
function runningBlock(ident: number): ControlBlock {
  const control = ControlBlock.create();
  control.markStarted(ident);
  control.markRunning();
  return control;
}

/**
 * The main thread's object: named `MainThread`, alive as long as the
 * process, never joined or stopped through its object. On the main thread
 * it carries the main thread's own stop request (`stopOnSignals()` sets
 * it); in a worker it is a view of the main thread.
 */
export class MainThread extends Thread {
  /** @internal Built once per JavaScript thread, by {@link mainThread}. */
  constructor() {
    super({
      [kAdopt]: {
        name: 'MainThread',
        ident: kMainIdent,
        daemon: false,
        control: isMainThread ? runningBlock(kMainIdent) : undefined,
      },
    } as ThreadOptions);
  }

  /** The main thread is never alive-checked through a control block: it runs as long as the process. */
  override isAlive(): boolean {
    return true;
  }

  /** @throws (rejects) RuntimeError: the main thread cannot be joined. */
  override async join(_timeoutMs?: number): Promise<boolean> {
    throw this.#refusal('join');
  }

  /** @throws RuntimeError: the main thread cannot be joined. */
  override joinSync(_timeoutMs?: number): boolean {
    throw this.#refusal('join');
  }

  /** @throws RuntimeError: the main thread is stopped by the process ending (on itself: as any current thread). */
  override stop(options?: StopOptions): Promise<StopOutcome> {
    if (this === currentThread()) return super.stop(options);
    throw this.#refusal('stop');
  }

  #refusal(verb: 'join' | 'stop'): RuntimeError {
    if (verb === 'stop') {
      return new RuntimeError('cannot stop the main thread: it is stopped by the process ending (see stopOnSignals())');
    }
    return new RuntimeError(this === currentThread() ? 'cannot join current thread' : 'cannot join the main thread');
  }
}

/**
 * The object of a worker that skein did not create (a raw `new Worker`),
 * as CPython's `_DummyThread` is for threads its `threading` module did not
 * start: named `Dummy-N`, a daemon, always alive, with a stop request of
 * its own (so `stopEvent()` and `throwIfStopped()` work there); it cannot
 * be joined or stopped through its object.
 */
export class DummyThread extends Thread {
  /** @internal Built once, by {@link currentThread} in such a worker. */
  constructor() {
    const ident = nextIdent();
    super({
      [kAdopt]: { name: `Dummy-${nextThreadNumber()}`, ident, daemon: true, control: runningBlock(ident) },
    } as ThreadOptions);
  }

  /** A dummy thread is alive as long as its worker. */
  override isAlive(): boolean {
    return true;
  }

  /** @throws (rejects) RuntimeError `cannot join a dummy thread`. */
  override async join(_timeoutMs?: number): Promise<boolean> {
    throw new RuntimeError('cannot join a dummy thread');
  }

  /** @throws RuntimeError `cannot join a dummy thread`. */
  override joinSync(_timeoutMs?: number): boolean {
    throw new RuntimeError('cannot join a dummy thread');
  }

  /** @throws RuntimeError: a dummy thread is not stopped through its object. */
  override stop(_options?: StopOptions): Promise<StopOutcome> {
    throw new RuntimeError(
      'cannot stop a dummy thread: it is a worker skein did not start; set its stopEvent() from inside it',
    );
  }
}

/**
 * The Thread object of the calling thread: Python's `threading.current_thread()`.
 * On the main thread it is {@link mainThread}; inside a thread, that thread's
 * own object (of its subclass, if any); in a worker skein did not create, a
 * {@link DummyThread}, as in Python.
 *
 * @example
 * ```ts
 * console.log(`${currentThread().name} starting`);
 * ```
 */
export function currentThread(): Thread {
  return runningThread() ?? (realm.current = isMainThread ? mainThread() : new DummyThread());
}

/** The Thread object of the main thread (`MainThread`): Python's `threading.main_thread()`. */
export function mainThread(): Thread {
  return (realm.main ??= new MainThread());
}

/**
 * The threads alive that the calling thread knows of, the main thread and
 * the caller included: Python's `threading.enumerate()`. On the main thread
 * this is every thread skein runs in the process; in a worker, the main
 * thread, the worker's own thread and the threads it started.
 */
export function enumerate(): Thread[] {
  const threads = new Set<Thread>([mainThread()]);
  threads.add(currentThread());
  for (const thread of realm.live) if (thread.isAlive()) threads.add(thread);
  return [...threads];
}

/** The number of threads {@link enumerate} returns: Python's `threading.active_count()`. */
export function activeCount(): number {
  return enumerate().length;
}

// stopEvent() on a thread skein did not start (src/thread/stop.ts).
realm.ownStop ??= () => currentThread().stopEventOf!;
