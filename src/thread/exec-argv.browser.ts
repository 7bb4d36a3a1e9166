/**
 * src/thread/exec-argv.ts for browsers: a skein worker is a module Web
 * Worker, here wrapped to look like the Node worker the hub watches (its
 * `exit`, `error` and `message` events, `terminate()`, `ref()`). A Web
 * Worker gets its start data in a first message (src/worker/entry.browser.ts);
 * it is not seen to end from outside, so it says so itself before it closes
 * (src/worker/process.browser.ts), and a terminated one is reported ended at
 * once. Its console lines come as messages, written here to this thread's
 * console (src/worker/stdio.browser.ts). A browser has no execArgv, no
 * environment and no TypeScript loader.
 */
import type { Worker as NodeWorker, WorkerOptions } from 'node:worker_threads';
import { answerWithdrawal } from '../relay/relay.js';
import { workerFactory } from './worker-factory.js';

/** A console line a skein worker sends up (see src/worker/stdio.browser.ts). */
export interface ConsoleLine {
  type: 'skein:console';
  level: 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace';
  args: unknown[];
}

/** What a skein worker posts last, as it closes itself (see src/worker/process.browser.ts). */
export interface ExitReport {
  type: 'skein:exit';
  code: number;
}

/** Nothing to split in a browser. */
export function splitExecArgv(_execArgv: readonly string[]): { execArgv: string[]; loaderHints: string[] } {
  return { execArgv: [], loaderHints: [] };
}

/** No execArgv, no loader in a browser. */
export const workerArgv: { execArgv: string[]; loaderHints: string[] } = { execArgv: [], loaderHints: [] };

/** The exit code Node gives a terminated worker, which a terminated Web Worker gets too. */
const kTerminatedCode = 1;

type Listener = (value: unknown) => void;

/** The part of the web's Worker used here (this code is type-checked without the DOM's types). */
interface WebWorker {
  addEventListener(type: 'message' | 'error', listener: (event: WebWorkerEvent) => void): void;
  postMessage(message: unknown, transfer: unknown[]): void;
  terminate(): void;
}

/** A `message` event's data, or an `error` event's error and message. */
interface WebWorkerEvent {
  data?: unknown;
  error?: unknown;
  message?: string;
  preventDefault(): void;
}

/** A module Web Worker, as the hub sees a Node worker: the part of its API skein uses. */
class WebThreadWorker {
  readonly #worker: WebWorker;
  readonly #listeners = new Map<string, Set<Listener>>();
  #exited = false;

  constructor(entry: URL, options: WorkerOptions) {
    const Worker = (globalThis as unknown as { Worker: new (url: URL, options: object) => WebWorker }).Worker;
    // A worker from the factory has no name of its own: a bundler accepts
    // only static options, and nothing in the worker reads its name.
    const make = workerFactory();
    this.#worker =
      make !== undefined ? (make() as WebWorker) : new Worker(entry, { type: 'module', name: options.name ?? 'skein' });
    this.#worker.addEventListener('message', (event) => this.#received(event.data));
    // An error nothing in the worker caught (the worker's own handlers take
    // its jobs' errors): it could not load, or died outside any job.
    this.#worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.#emit(
        'error',
        event.error ?? new Error(event.message || 'the skein worker failed to load (see the console)'),
      );
      this.#end(kTerminatedCode);
    });
    this.#worker.postMessage({ workerData: options.workerData }, [...(options.transferList ?? [])]);
  }

  #received(message: unknown): void {
    const type = (message as { type?: unknown } | null)?.type;
    if (type === 'skein:console') {
      const { level, args } = message as ConsoleLine;
      (console[level] as (...args: unknown[]) => void)(...args);
    } else if (type === 'skein:exit') {
      this.#end((message as ExitReport).code);
    } else {
      // A pool's worker asking for a task this thread keeps for it (src/relay/relay.browser.ts).
      const answer = answerWithdrawal(message);
      if (answer !== undefined) this.#worker.postMessage(answer.reply, answer.transfer);
      else this.#emit('message', message);
    }
  }

  #emit(event: string, value: unknown): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) listener(value);
  }

  #end(code: number): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#worker.terminate();
    this.#emit('exit', code);
  }

  /** -1 once it has ended, as Node's `threadId`. */
  get threadId(): number {
    return this.#exited ? -1 : 1;
  }

  on(event: string, listener: Listener): this {
    let listeners = this.#listeners.get(event);
    if (listeners === undefined) this.#listeners.set(event, (listeners = new Set()));
    listeners.add(listener);
    return this;
  }

  once(event: string, listener: Listener): this {
    const once: Listener = (value) => {
      this.off(event, once);
      listener(value);
    };
    return this.on(event, once);
  }

  off(event: string, listener: Listener): this {
    this.#listeners.get(event)?.delete(listener);
    return this;
  }

  postMessage(message: unknown, transfer: readonly unknown[] = []): void {
    this.#worker.postMessage(message, [...transfer]);
  }

  /** End the worker now; it is reported ended (`exit`, code 1) on a later turn, as Node's is. */
  terminate(): Promise<number> {
    this.#worker.terminate();
    return new Promise((resolve) =>
      queueMicrotask(() => {
        this.#end(kTerminatedCode);
        resolve(kTerminatedCode);
      }),
    );
  }

  /** A Web Worker never keeps a page alive: nothing to do. */
  ref(): void {}

  /** A Web Worker never keeps a page alive: nothing to do. */
  unref(): void {}
}

/**
 * A skein worker: a module Web Worker, given its start data in its first
 * message — from the factory the package index set (see
 * src/thread/worker-factory.ts), else from the worker entry `entry` (in a
 * skein worker of a bundled app: its own entry).
 */
export function newWorker(entry: URL, options: WorkerOptions): NodeWorker {
  return new WebThreadWorker(entry, options) as unknown as NodeWorker;
}
