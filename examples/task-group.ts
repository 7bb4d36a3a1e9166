// A TaskGroup of ten downloads: one fails, and the group asks the other
// nine to stop — each sees its stop request, leaves its loop and runs its
// finally block — then throws the failure. No worker is killed.
import { TaskGroup, ThreadPoolExecutor, stopEvent } from 'skein';

function download(id: number, underway: Int32Array): string {
  const stop = stopEvent();
  Atomics.add(underway, 0, 1);
  Atomics.notify(underway, 0);
  try {
    if (id === 7) {
      // Download 7 fails once all ten are under way (so that nine get stopped).
      for (let seen = Atomics.load(underway, 0); seen < 10; seen = Atomics.load(underway, 0)) {
        Atomics.wait(underway, 0, seen, 1_000);
      }
      throw new Error(`Download ${id} failed: connection reset`);
    }
    // Fetch a chunk every 50 ms; stop.wait(50) ends early when the group asks.
    while (!stop.wait(50)) {
      // ... fetch and write one chunk ...
    }
    return `Download ${id} stopped`;
  } finally {
    console.log(`Download ${id} cleaning up`);
  }
}

await using pool = new ThreadPoolExecutor({ maxWorkers: 10 });
const underway = new Int32Array(new SharedArrayBuffer(4));
const downloads = [];
try {
  await using group = new TaskGroup();
  for (let id = 0; id < 10; id++) downloads.push(group.submit(pool, download, id, underway));
} catch (error) {
  // Leaving the group waited for all ten, then threw the failures together.
  if (!(error instanceof AggregateError)) throw error;
  for (const failure of error.errors) console.log(`Group failed: ${(failure as Error).message}`);
}
for (const finished of downloads) {
  if ((await finished.exception()) === undefined) console.log(await finished);
}
console.log('All downloads ended');
