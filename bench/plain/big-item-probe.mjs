// The big-item figure's probe, a child process started by
// bench/sections/queue.ts: a thread puts one 64 MiB item into a Queue, the
// main thread gets it, and the probe prints the process RSS before, with
// the item held, and after it is dropped (after gc), in bytes, as JSON.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Event, Queue, Thread } from 'skein';

// gc() without `node --expose-gc` (skein passes the execArgv on to its workers, which refuse it).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const nap = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const settle = async () => {
  for (let i = 0; i < 4; i++) {
    gc();
    await nap(50);
  }
};
const kSize = 64 * 1024 * 1024;

const queue = new Queue();
// Warm up what every program pays once: a thread, the relay, a relayed item.
const warm = new Thread({ target: (queue) => queue.put(new Event()), args: [queue] });
warm.start();
await queue.getAsync(30_000);
await warm.join();
await settle();
const before = process.memoryUsage().rss;

const producer = new Thread({
  target: (queue, size) => {
    const item = new Uint8Array(size);
    item[0] = 1;
    item[size - 1] = 2;
    queue.put(item);
  },
  args: [queue, kSize],
});
producer.start();
let item = await queue.getAsync(60_000);
await producer.join();
const arrived = item.length === kSize && item[0] === 1 && item[kSize - 1] === 2;
const held = process.memoryUsage().rss;
item = undefined;
await settle();
await nap(200);
await settle();
const after = process.memoryUsage().rss;
console.log(JSON.stringify({ arrived, before, held, after }));
