// A pipeline on threads: a producer thread puts jobs into a bounded queue,
// a pool of workers takes them and puts results into a second queue, and
// the main thread reads the results as they come, with `for await`.
//
// It ends cleanly: the producer shuts the jobs queue down once it has put
// the last job; each worker returns once the queue is shut down and
// drained; once every worker has returned, the main thread shuts the
// results queue down, which ends its loop. Ctrl-C stops it cleanly too:
// stopOnSignals asks every thread and pool task to stop, and whichever sees
// it first shuts the jobs queue down at once (shutdown(true): the jobs not
// yet taken are dropped), which also wakes the others if they are blocked
// on it — a put on a full queue, a get on an empty one.
//
// Run it: node --import tsx examples/pipeline.ts [jobs] [ms per job]
import { Queue, QueueShutDown, Thread, ThreadPoolExecutor, sleepSync, stopEvent, stopOnSignals } from 'skein';

const jobCount = Number(process.argv[2] ?? 20);
const msPerJob = Number(process.argv[3] ?? 50);

/** The producer: put `count` jobs, then shut the queue down; stopped, shut it down at once. */
function produce(jobs: Queue<number>, count: number): void {
  const stop = stopEvent();
  let put = 0;
  try {
    for (let job = 1; job <= count; job++) {
      if (stop.isSet()) jobs.shutdown(true); // the next put throws QueueShutDown
      jobs.put(job); // waits while the queue is full: the workers set the pace
      put++;
    }
    jobs.shutdown(); // the last job is in: the workers finish what is left, then return
    console.log(`producer: put all ${put} jobs`);
  } catch (error) {
    if (!(error instanceof QueueShutDown)) throw error;
    console.log(`producer: stopped after ${put} jobs`);
  }
}

/** A worker: take jobs until the queue is shut down and drained; stopped, shut it down at once. */
function work(jobs: Queue<number>, results: Queue<string>, msPerJob: number): number {
  const stop = stopEvent();
  let done = 0;
  for (;;) {
    if (stop.isSet()) jobs.shutdown(true); // wakes the producer and the other workers too
    let job: number;
    try {
      job = jobs.get();
    } catch (error) {
      if (error instanceof QueueShutDown) return done; // no job left, ever
      throw error;
    }
    sleepSync(msPerJob); // ... the work ...
    results.put(`job ${job} → ${job * job}`);
    jobs.taskDone();
    done++;
  }
}

stopOnSignals({ timeout: 5_000 });

const jobs = new Queue<number>(8);
const results = new Queue<string>();
const producer = new Thread({ target: produce, args: [jobs, jobCount], name: 'producer' });
await using pool = new ThreadPoolExecutor({ maxWorkers: 4 });
producer.start();
const workers = [1, 2, 3, 4].map(() => pool.submit(work, jobs, results, msPerJob));
// Once every worker has returned, no result will come: end the loop below.
void Promise.allSettled(workers).then(() => results.shutdown());

console.log(`pipeline: 1 producer thread → ${workers.length} workers → main`);
let received = 0;
for await (const result of results) {
  console.log(result);
  received++;
}
await producer.join();
const perWorker = await Promise.all(workers);
console.log(`main: ${received} results (workers did ${perWorker.join(' + ')})`);
