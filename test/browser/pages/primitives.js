// Each primitive shared between the page and module workers, on the same memory.
import { Barrier, Condition, Event, Lock, RLock, Semaphore } from 'skein';
import { kBound, startWorker, stopBusyLoop, waitFor } from './common.js';

const [a, b] = [startWorker(), startWorker()];
const out = {};

// Event: a busy synchronous loop in a worker notices the page's set().
{
  const stop = new Event();
  out.event = await stopBusyLoop(a, stop, () => stop.set());
}

// Lock: two workers and the page increment a plain counter under it; no increment is lost.
{
  const lock = new Lock();
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const times = 2_000;
  const workers = [a.run('count', { lock, counter, times }), b.run('count', { lock, counter, times })];
  for (let i = 0; i < times; i++) {
    if (!(await lock.acquireAsync(kBound))) throw new Error('the page did not get the lock in time');
    counter[0] = counter[0] + 1;
    lock.release();
  }
  await Promise.all(workers);
  out.lock = { counter: counter[0], expected: 3 * times };
}

// RLock: held twice over by a worker, the page cannot take it; once released, it can.
{
  const rlock = new RLock();
  const held = new Event();
  const go = new Event();
  const holding = a.run('holdRLock', { rlock, held, go });
  await Promise.race([waitFor(held, 'the worker holding the RLock'), holding]);
  const whileHeld = rlock.acquire(0);
  go.set();
  const { reentered } = await holding;
  const afterwards = await rlock.acquireAsync(kBound);
  rlock.release();
  out.rlock = { reentered, whileHeld, afterwards };
}

// Semaphore: two workers block in acquire() until the page releases twice.
{
  const semaphore = new Semaphore(0);
  const acquiring = [a.run('acquireSemaphore', { semaphore }), b.run('acquireSemaphore', { semaphore })];
  semaphore.release(2);
  out.semaphore = (await Promise.all(acquiring)).map((answer) => answer.acquired);
}

// Condition: two workers wait for a flag that the page sets and notifies under the lock.
{
  const condition = new Condition();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const waiting = new Semaphore(0);
  const waiters = [
    a.run('waitForFlag', { condition, flag, waiting }),
    b.run('waitForFlag', { condition, flag, waiting }),
  ];
  for (let i = 0; i < 2; i++) {
    if (!(await waiting.acquireAsync(kBound))) throw new Error('a worker did not start waiting in time');
  }
  await condition.acquireAsync();
  Atomics.store(flag, 0, 1);
  condition.notifyAll();
  condition.release();
  out.condition = (await Promise.all(waiters)).map((answer) => answer.predicate);
}

// Barrier: the page and two workers pass it together, each with its own index.
{
  const barrier = new Barrier(3);
  const parties = [a.run('barrier', { barrier }), b.run('barrier', { barrier })];
  const mine = await barrier.waitAsync(kBound);
  const theirs = (await Promise.all(parties)).map((answer) => answer.index);
  out.barrier = [mine, ...theirs].sort();
}

a.worker.terminate();
b.worker.terminate();
globalThis.finish(out);
