// The queues under load: producer threads put items of every size and kind
// (small plain ones in the queue's memory, big ones and ones carrying an
// Event through the relay) into a bounded Queue; consumer threads get them,
// check them, set their Events, mark them done and pass a receipt on to a
// results queue the main thread reads with `for await`. Then rounds in
// which the queue is shut down (immediate or not, drawn from the seed)
// while producers and consumers are blocked on it. Checked: every item got
// exactly once and intact, each producer's items in order in each consumer,
// every relayed Event set, join() returns, every thread ends.
import { Event, Queue, Thread } from 'skein';
import { joinOrFail, within } from '../../helpers/bounded.js';
import { seededRandom } from './random.js';

/** What a queues run saw. */
export interface QueuesReport {
  /** Items that went through the pipeline, and how many of them through the relay. */
  items: number;
  relayed: number;
  /** Shutdown rounds, how many of them immediate, and the items refused or dropped in them. */
  shutdownRounds: number;
  immediateRounds: number;
  refused: number;
  threads: number;
  problems: string[];
}

/** What the pipeline's producers put: which producer, which item, and a payload to check. */
interface Item {
  producer: number;
  n: number;
  /** Repeats of the item's own character: some kilobytes, some past what a record holds (relayed). */
  text: string;
  /** Set by the consumer that gets it (relayed). */
  done?: Event;
}

/** A producer: `count` items, sizes and kinds from its `picks` (two per item). */
const produce = (queue: Queue<Item | null>, producer: number, picks: Float64Array): number => {
  const count = picks.length / 2;
  for (let n = 0; n < count; n++) {
    const size = picks[2 * n]! < 0.05 ? 100_000 : Math.floor(picks[2 * n]! * 2_000);
    const item: Item = { producer, n, text: String.fromCharCode(97 + (n % 26)).repeat(size) };
    if (picks[2 * n + 1]! < 0.1) item.done = new Event();
    queue.put(item);
  }
  return count;
};

/** A consumer: get until a null, check each item, set its Event, pass a receipt on. */
const consume = (queue: Queue<Item | null>, results: Queue<string>): string => {
  const last = new Map<number, number>();
  for (;;) {
    const item = queue.get();
    if (item === null) {
      queue.taskDone();
      return 'done';
    }
    const expected = String.fromCharCode(97 + (item.n % 26));
    if (item.text.length > 0 && (item.text[0] !== expected || item.text[item.text.length - 1] !== expected)) {
      results.put(`bad text in ${item.producer}/${item.n}`);
    }
    if (item.n <= (last.get(item.producer) ?? -1)) {
      results.put(`order: ${item.producer}/${item.n} after ${last.get(item.producer)}`);
    }
    last.set(item.producer, item.n);
    item.done?.set();
    results.put(`${item.producer}/${item.n}${item.done === undefined ? '' : ' relayed'}`);
    queue.taskDone();
  }
};

/** A thread that puts until the queue refuses; returns how many it put. */
const putUntilShutDown = (queue: Queue<number>, from: number): number => {
  let n = 0;
  try {
    for (;;) {
      queue.put(from + n);
      n++;
    }
  } catch (error) {
    if ((error as Error).name !== 'QueueShutDown') throw error;
    return n;
  }
};

/** A thread that gets until the queue refuses; returns what it got. */
const getUntilShutDown = (queue: Queue<number>): number[] => {
  const got: number[] = [];
  try {
    for (;;) got.push(queue.get());
  } catch (error) {
    if ((error as Error).name !== 'QueueShutDown') throw error;
    return got;
  }
};

/**
 * Run the pipeline with `producers` × `perProducer` items and `consumers`,
 * then `rounds` shutdown rounds, with picks from `seed`.
 */
export async function runQueues(options: {
  producers: number;
  consumers: number;
  perProducer: number;
  rounds: number;
  seed: number;
}): Promise<QueuesReport> {
  const { producers, consumers, perProducer, rounds, seed } = options;
  const random = seededRandom(seed);
  const problems: string[] = [];
  const report: QueuesReport = {
    items: 0,
    relayed: 0,
    shutdownRounds: rounds,
    immediateRounds: 0,
    refused: 0,
    threads: 0,
    problems,
  };

  // The pipeline.
  const queue = new Queue<Item | null>(32);
  const results = new Queue<string>();
  const picks = Array.from({ length: producers }, () => Float64Array.from({ length: 2 * perProducer }, random));
  const threads = [
    ...Array.from({ length: consumers }, () => new Thread({ target: consume, args: [queue, results] })),
    ...picks.map((p, producer) => new Thread({ target: produce, args: [queue, producer, p] })),
  ];
  report.threads += threads.length;
  for (const thread of threads) thread.start();
  const seen = new Map<string, number>();
  const total = producers * perProducer;
  await within(
    (async () => {
      for await (const receipt of results) {
        if (!/^\d+\/\d+( relayed)?$/.test(receipt)) problems.push(receipt);
        else {
          const key = receipt.split(' ')[0]!;
          seen.set(key, (seen.get(key) ?? 0) + 1);
          if (receipt.endsWith('relayed')) report.relayed++;
          report.items++;
        }
        if (report.items === total) break;
      }
    })(),
    120_000,
    `receive ${total} receipts`,
  );
  for (const _ of Array.from({ length: consumers })) await queue.putAsync(null);
  if (!(await queue.joinAsync(60_000))) problems.push('join() did not return once every item was done');
  for (const thread of threads) await joinOrFail(thread, 60_000);
  for (const thread of threads) if (thread.exception !== undefined) problems.push(String(thread.exception));
  if (seen.size !== total) problems.push(`${total - seen.size} items lost`);
  for (const [key, count] of seen) if (count !== 1) problems.push(`${key} got ${count} times`);
  if (results.qsize() !== 0) problems.push(`${results.qsize()} receipts left`);

  // Shutdown racing blocked putters and getters.
  for (let round = 0; round < rounds; round++) {
    const immediate = random() < 0.5;
    if (immediate) report.immediateRounds++;
    const racing = new Queue<number>(4);
    const putters = [0, 1, 2].map((p) => new Thread({ target: putUntilShutDown, args: [racing, p * 1_000_000] }));
    const getters = [0, 1].map(() => new Thread({ target: getUntilShutDown, args: [racing] }));
    for (const thread of [...putters, ...getters]) thread.start();
    report.threads += 5;
    // Let them run into each other a little, then shut the queue down under them.
    await racing.getAsync(30_000).catch(() => {});
    racing.shutdown(immediate);
    for (const thread of [...putters, ...getters]) await joinOrFail(thread, 30_000);
    for (const thread of [...putters, ...getters]) {
      if (thread.exception !== undefined) problems.push(`round ${round}: ${String(thread.exception)}`);
    }
    const put = putters.reduce((sum, thread) => sum + (thread.result as number), 0);
    const got = getters.flatMap((thread) => thread.result as number[]);
    // One item went to the main thread's getAsync (unless the queue was shut down first).
    if (new Set(got).size !== got.length) problems.push(`round ${round}: an item got twice`);
    if (got.length > put) problems.push(`round ${round}: ${got.length} got of ${put} put`);
    if (racing.qsize() !== 0) problems.push(`round ${round}: ${racing.qsize()} left after the getters ended`);
    report.refused += put - got.length;
  }
  return report;
}
