// A Queue pipeline page ↔ workers: the page feeds jobs, two workers square them into a results queue.
import { Event, NotSupportedError, Queue } from 'skein';
import { kBound, startWorker } from './common.js';

const jobs = new Queue(4); // bounded: the page's putAsync waits for room
const results = new Queue();
const workers = [startWorker(), startWorker()];
const stages = workers.map((w, i) => w.run('square', { jobs, results, name: `w${i}` }));

const count = 100;
const echo = { date: new Date(0), bytes: new Uint8Array([1, 2, 3]), map: new Map([['k', [1, 'two']]]) };
for (let n = 1; n <= count; n++) await jobs.putAsync({ n, echo: n === 1 ? echo : undefined }, kBound);
if (!(await jobs.joinAsync(kBound))) throw new Error('the jobs were not all done in time');
jobs.shutdown();
const done = await Promise.all(stages);

const squares = [];
let first;
while (!results.empty()) {
  const result = await results.getAsync(kBound);
  squares.push(result.square - result.n * result.n);
  if (result.n === 1) first = result.echo;
}

// An item that would need skein's relay is refused, nothing put.
let refused;
try {
  results.put({ stop: new Event() });
} catch (error) {
  refused = { name: error.name, code: error.code, message: error.message, left: results.qsize() };
}
for (const w of workers) w.worker.terminate();
globalThis.finish({
  results: squares.length,
  wrong: squares.filter((d) => d !== 0).length,
  perWorker: done.map((d) => d.done),
  echo: first && {
    date: first.date instanceof Date && first.date.getTime(),
    bytes: first.bytes instanceof Uint8Array && [...first.bytes],
    map: first.map instanceof Map && [...first.map],
  },
  refused: refused && { ...refused, isNotSupported: refused.name === NotSupportedError.name },
});
