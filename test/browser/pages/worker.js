// A module Web Worker the pages make themselves: it receives skein primitives from the page
// (encodeMessage/decodeMessage), blocks on them as a thread may, and posts back what it saw.
import { decodeMessage, encodeMessage, QueueShutDown } from '/skein/index.js';

const kBound = 20_000;

const tasks = {
  // A busy synchronous loop notices the page's set() — nothing else could reach it.
  spin({ stop, started }) {
    started.set();
    while (!stop.isSet()) {
      // busy: no await, no message can reach this loop
    }
    return { noticed: true };
  },
  // An AbortSignal from an Event: aborts, with the reason given, once the page sets the Event.
  async signalFromEvent({ cancel, listening }) {
    const signal = cancel.toSignal('page cancelled');
    const aborted = new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason)));
    listening.set();
    return { aborted: signal.aborted, reason: await aborted };
  },
  // Sends back what it received, decoded here and encoded again: errors keep their class, fields and cause.
  echo(value) {
    const { error } = value;
    return { seen: { isRangeError: error instanceof RangeError, cause: error.cause }, back: encodeMessage(value) };
  },
  // Increments a plain (non-atomic) counter under the lock.
  count({ lock, counter, times }) {
    for (let i = 0; i < times; i++) {
      if (!lock.acquire(kBound)) throw new Error('lock not acquired in time');
      counter[0] = counter[0] + 1;
      lock.release();
    }
    return { counted: times };
  },
  // Holds the RLock twice over until the page says go.
  holdRLock({ rlock, held, go }) {
    rlock.acquire();
    const again = rlock.acquire(0);
    held.set();
    if (!go.wait(kBound)) throw new Error('no go in time');
    rlock.release();
    rlock.release();
    return { reentered: again };
  },
  acquireSemaphore({ semaphore }) {
    return { acquired: semaphore.acquire(kBound) };
  },
  waitForFlag({ condition, flag, waiting }) {
    condition.acquire();
    try {
      waiting.release();
      return { predicate: condition.waitFor(() => Atomics.load(flag, 0) === 1, kBound) };
    } finally {
      condition.release();
    }
  },
  barrier({ barrier }) {
    return { index: barrier.wait(kBound) };
  },
  // A pipeline stage: squares each job until the jobs queue is shut down.
  square({ jobs, results, name }) {
    let done = 0;
    for (;;) {
      let job;
      try {
        job = jobs.get(kBound);
      } catch (error) {
        if (error instanceof QueueShutDown) break;
        throw error;
      }
      results.put({ n: job.n, square: job.n * job.n, by: name, echo: job.echo });
      done++;
      jobs.taskDone();
    }
    return { done };
  },
};

self.onmessage = async ({ data }) => {
  try {
    const { task, ...args } = await decodeMessage(data);
    self.postMessage({ ok: await tasks[task](args) });
  } catch (error) {
    self.postMessage({ error: `${error.name}: ${error.message}` });
  }
};
