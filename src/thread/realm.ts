/**
 * What one JavaScript thread knows of threads: the thread running here, the
 * main thread's object, the threads it started that are alive, and where
 * the stop request of the job running now comes from. One realm per
 * JavaScript thread, shared by every copy of skein loaded in it.
 */
import { isMainThread, workerData } from '../host.js';
import type { Event } from '../sync/event.js';
import { isWorkerBoot } from './protocol.js';
import type { Adoption, Thread } from './thread.js';

interface Realm {
  /** The thread running this realm's code, once its object is made (see `adoption`). */
  current: Thread | undefined;
  /**
   * In a worker, the thread it runs, as its Thread object is made from it:
   * on first need (`currentThread()`, see thread.ts's runningThread()), for
   * a thread that is no subclass.
   */
  adoption: Adoption | undefined;
  /** The main thread's object (in a worker, a view of it). */
  main: Thread | undefined;
  /** Threads alive that this realm knows of, for enumerate(). */
  live: Set<Thread>;
  /** In a worker, the stop request of the job running now (a pool task's; undefined between tasks). */
  jobStop: (() => Event | undefined) | undefined;
  /**
   * The stop request of a thread skein did not start — the main thread, or
   * a dummy thread in a worker skein did not create — made with its object
   * (set by src/thread/current.ts as it loads).
   */
  ownStop: (() => Event) | undefined;
  /** In a worker, how many first messages it has served: more than 1 once it was given back after a clean thread. */
  served: number;
}

const kRealm = Symbol.for('skein.realm');

/** This JavaScript thread's realm. */
export const realm: Realm = ((globalThis as { [kRealm]?: Realm })[kRealm] ??= {
  current: undefined,
  adoption: undefined,
  main: undefined,
  live: new Set(),
  jobStop: undefined,
  ownStop: undefined,
  served: 0,
});

/** Whether this thread is a worker skein created (its workerData carries a skein boot record). */
export const isSkeinWorker: boolean = !isMainThread && isWorkerBoot((workerData as { skein?: unknown } | null)?.skein);

/**
 * Whether this thread creates threads itself: the main thread, and a worker
 * that skein did not create (it has no hub to ask; its threads end with it).
 * A skein worker asks the main thread instead.
 */
export const isHub: boolean = !isSkeinWorker;
