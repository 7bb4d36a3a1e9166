// The page's main thread may not block: every blocking form says which Async form to use; a timeout of 0 only tries.
import { Barrier, Condition, Event, Lock, Queue, RLock, Semaphore, SimpleQueue, sleepSync } from 'skein';
import { refusal } from './common.js';

const condition = new Condition();
await condition.acquireAsync();
const refused = {
  'event.wait()': refusal(() => new Event().wait()),
  'event.wait() of a set Event': refusal(() => {
    const event = new Event();
    event.set();
    event.wait(1000);
  }),
  'lock.acquire()': refusal(() => new Lock().acquire()),
  'rlock.acquire()': refusal(() => new RLock().acquire(5)),
  'semaphore.acquire()': refusal(() => new Semaphore(1).acquire()),
  'condition.wait()': refusal(() => condition.wait()),
  'condition.waitFor()': refusal(() => condition.waitFor(() => true)),
  'barrier.wait()': refusal(() => new Barrier(2).wait()),
  'queue.get()': refusal(() => new Queue().get()),
  'queue.put()': refusal(() => new Queue(1).put(1)),
  'queue.join()': refusal(() => {
    const queue = new Queue();
    queue.put(1);
    queue.join();
  }),
  'simpleQueue.get()': refusal(() => new SimpleQueue().get()),
  'sleepSync()': refusal(() => sleepSync(1)),
};
condition.release();

// What only tries (a timeout of 0), or cannot wait (an unbounded put), works.
const lock = new Lock();
const unbounded = new Queue();
unbounded.put('a');
const tries = {
  'lock.acquire(0)': lock.acquire(0),
  'lock.acquire(0) again': lock.acquire(0),
  'event.wait(0)': new Event().wait(0),
  'queue.get(0)': unbounded.get(0),
  'queue.get(0) of an empty queue': refusal(() => unbounded.get(0)),
  'sleepSync(0)': sleepSync(0) ?? 'returned',
};
globalThis.finish({ refused, tries });
