// Stopping the tasks of a pool: share one Event with every task, set it,
// and each task leaves its loop, cleans up and returns — no worker killed.
import { Event, ThreadPoolExecutor, sleep } from 'skein';

function task(id: number, stop: Event, started: Event): string {
  started.set();
  try {
    // Work in steps; event.wait(100) is a 100 ms step that ends early on set().
    while (!stop.wait(100)) {
      // ... one step of work ...
    }
    return `Task ${id} stopped`;
  } finally {
    console.log(`Task ${id} cleaning up`);
  }
}

const stop = new Event();
await using pool = new ThreadPoolExecutor({ maxWorkers: 4 });
const started = [0, 1, 2, 3].map(() => new Event());
const futures = started.map((ready, id) => pool.submit(task, id, stop, ready));
await Promise.all(started.map((ready) => ready.waitAsync()));
await sleep(500);
console.log('Main stopping all tasks');
stop.set();
for (const future of futures) console.log(await future);
console.log('All tasks stopped; the pool shuts down as the block ends');
