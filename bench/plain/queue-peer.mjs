// A raw worker of the queue figures (bench/sections/queue.ts): it produces
// or consumes `{ id, name }` items through a skein Queue (rebuilt from its
// buffer) or through a MessagePort, on command, and reports when it is done.
// Raw workers on both sides, so that the Queue and the MessageChannel run
// between the same two threads. (A raw worker has no connection to skein's
// relay: these items are small plain data, which never need it.)
import { parentPort, workerData } from 'node:worker_threads';
import { Queue } from 'skein';

const { port } = workerData;
/** The shared clock: every thread reads the same time. */
const now = () => performance.timeOrigin + performance.now();

function produceQueue(queue, n, from) {
  for (let i = from; i < from + n; i++) queue.put({ id: i, name: 'widget' });
}

function consumeQueue(queue, seen) {
  // Until the queue is shut down: every item taken is counted in `seen`.
  let count = 0;
  for (;;) {
    let item;
    try {
      item = queue.get();
    } catch (error) {
      if (error.name === 'QueueShutDown') return count;
      throw error;
    }
    if (seen !== undefined) Atomics.add(seen, item.id, 1);
    count++;
  }
}

parentPort.on('message', (command) => {
  const { op, n, clock } = command;
  switch (op) {
    case 'produce-queue': {
      const queue = Queue.fromBuffer(command.queue);
      clock[0] = now();
      produceQueue(queue, n, command.from ?? 0);
      break;
    }
    case 'produce-port': {
      clock[0] = now();
      for (let i = 0; i < n; i++) port.postMessage({ id: i, name: 'widget' });
      break;
    }
    case 'consume-queue': {
      const queue = Queue.fromBuffer(command.queue);
      for (let i = 0; i < n; i++) queue.get();
      clock[1] = now();
      break;
    }
    case 'consume-port': {
      // Received as a thread receives messages: one 'message' event each.
      let left = n;
      const onMessage = () => {
        if (--left > 0) return;
        clock[1] = now();
        port.off('message', onMessage);
        parentPort.postMessage('done');
      };
      port.on('message', onMessage);
      return; // 'done' once all have come
    }
    case 'consume-until-shutdown': {
      const queue = Queue.fromBuffer(command.queue);
      const count = consumeQueue(queue, command.seen);
      parentPort.postMessage(count);
      return;
    }
    default:
      throw new Error(`queue-peer: unknown op ${op}`);
  }
  parentPort.postMessage('done');
});
