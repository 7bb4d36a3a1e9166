// The Queue figures of issue #12, each side by side with its reference in
// the same run: small items thread → thread against a MessageChannel
// between the same two threads; thread → main with `for await` against a
// MessageChannel to main; the hand-off latency of a put to a parked get
// against a raw Atomics.notify → Atomics.wait; 4 producers × 4 consumers
// through a bounded queue (items/s, and nothing lost or duplicated); one
// 64 MiB item, and whether memory returns to its baseline afterwards.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { Queue, Thread } from 'skein';
import { kDone, kParked, kSlots } from '../plain/slots.mjs';
import type { FigureRow, SectionResult } from '../lib/figures.js';
import type { Plan } from '../lib/plan.js';
import { interleave, median, pairedRatio, summarize } from '../lib/stats.js';
import { within } from '../lib/wait.js';

const plain = (file: string): URL => new URL(`../plain/${file}`, import.meta.url);
const run = promisify(execFile);
/** The clock every thread reads alike (ms). */
const now = (): number => performance.timeOrigin + performance.now();

interface Peer {
  readonly worker: Worker;
  /** Send a command and wait for the peer's answer. */
  command(message: Record<string, unknown>): Promise<unknown>;
}

function startPeer(port?: MessagePort): Peer {
  const worker = new Worker(plain('queue-peer.mjs'), {
    workerData: { port },
    transferList: port === undefined ? [] : [port],
  });
  worker.unref();
  return {
    worker,
    async command(message) {
      const answer = once(worker, 'message');
      worker.postMessage(message);
      const [value] = await within(answer, `hear from the queue peer (${String(message.op)})`, 60_000);
      return value;
    },
  };
}

/** Items the hand-off figure's waker puts and its waiter gets before it measures: both sides' code compiled. */
const kWarmItems = 20_000;

/** Items per second from a producer's start stamp (clock[0]) to the consumer's end stamp (clock[1]). */
const rate = (n: number, clock: Float64Array): number => n / ((clock[1]! - clock[0]!) / 1e3);

/** Thread → thread: one producer and one consumer, through a Queue or a MessageChannel between them. */
async function threadToThread(plan: Plan): Promise<{ queue: number[]; channel: number[] }> {
  const { port1, port2 } = new MessageChannel();
  const producer = startPeer(port1);
  const consumer = startPeer(port2);
  const n = plan.queueItems;
  try {
    // One round first, not counted: both sides' code compiled, as in a program that has run a while.
    const values = await interleave(plan.queueRuns + 1, [
      [
        'queue',
        async () => {
          const queue = new Queue();
          const clock = new Float64Array(new SharedArrayBuffer(16));
          const consuming = consumer.command({ op: 'consume-queue', n, queue: queue.buffer, clock });
          await producer.command({ op: 'produce-queue', n, queue: queue.buffer, clock });
          await consuming;
          return rate(n, clock);
        },
      ],
      [
        'channel',
        async () => {
          const clock = new Float64Array(new SharedArrayBuffer(16));
          const consuming = consumer.command({ op: 'consume-port', n, clock });
          await producer.command({ op: 'produce-port', n, clock });
          await consuming;
          return rate(n, clock);
        },
      ],
    ]);
    return { queue: values.queue.slice(1), channel: values.channel.slice(1) };
  } finally {
    await producer.worker.terminate();
    await consumer.worker.terminate();
  }
}

/** Thread → main: a producer thread, and the main thread taking with `for await` or a port's 'message' events. */
async function threadToMain(plan: Plan): Promise<{ queue: number[]; channel: number[] }> {
  const { port1, port2 } = new MessageChannel();
  const producer = startPeer(port1);
  const n = plan.queueItems;
  try {
    // One round first, not counted (see threadToThread).
    const values = await interleave(plan.queueRuns + 1, [
      [
        'queue',
        async () => {
          const queue = new Queue<{ id: number; name: string }>();
          const clock = new Float64Array(new SharedArrayBuffer(16));
          const producing = producer.command({ op: 'produce-queue', n, queue: queue.buffer, clock });
          let left = n;
          for await (const _ of queue) if (--left === 0) break;
          clock[1] = now();
          await producing;
          return rate(n, clock);
        },
      ],
      [
        'channel',
        async () => {
          const clock = new Float64Array(new SharedArrayBuffer(16));
          let left = n;
          const all = new Promise<void>((resolve) => {
            const onMessage = (): void => {
              if (--left > 0) return;
              clock[1] = now();
              port2.off('message', onMessage);
              resolve();
            };
            port2.on('message', onMessage);
          });
          await producer.command({ op: 'produce-port', n, clock });
          await within(all, 'receive every message on the main thread');
          return rate(n, clock);
        },
      ],
    ]);
    return { queue: values.queue.slice(1), channel: values.channel.slice(1) };
  } finally {
    port2.close();
    await producer.worker.terminate();
  }
}

/**
 * The skein waiter of the hand-off figure, an inline Thread target: first
 * get `warm` items (so that its code is compiled, as in a program that has
 * run a while), then park in get(), stamp the wake-up, repeat.
 */
function queueWaiter(
  queue: Queue<number>,
  ctl: Int32Array,
  wokeAt: BigInt64Array,
  count: number,
  parked: number,
  done: number,
  warm: number,
): void {
  for (let i = 0; i < warm; i++) queue.get();
  for (let i = 0; i < count; i++) {
    Atomics.store(ctl, parked, i + 1);
    Atomics.notify(ctl, parked);
    queue.get();
    wokeAt[i] = process.hrtime.bigint();
    Atomics.store(ctl, done, i + 1);
    Atomics.notify(ctl, done);
  }
}

/** Hand-off latency (µs): the same raw waker puts into a queue a parked thread gets from, or notifies a raw waiter. */
async function handoff(plan: Plan): Promise<{ queue: number[]; raw: number[] }> {
  const total = plan.handoffRuns * plan.handoffWakes;
  const side = () => ({
    ctl: new Int32Array(new SharedArrayBuffer(kSlots * 4)),
    setAt: new BigInt64Array(new SharedArrayBuffer(total * 8)),
    wokeAt: new BigInt64Array(new SharedArrayBuffer(total * 8)),
  });
  const raw = side();
  const skein = side();
  const queue = new Queue<number>();
  const waker = new Worker(plain('waker.mjs'));
  const rawWaiter = new Worker(plain('raw-waiter.mjs'), {
    workerData: { ctl: raw.ctl, wokeAt: raw.wokeAt, count: total },
  });
  const rawExited = once(rawWaiter, 'exit');
  rawExited.catch(() => {});
  const thread = new Thread({
    target: queueWaiter,
    args: [queue, skein.ctl, skein.wokeAt, total, kParked, kDone, kWarmItems],
    name: 'hand-off waiter',
    daemon: true,
  });
  thread.start();
  const medianUs = (s: ReturnType<typeof side>, from: number, count: number): number => {
    const latencies: number[] = [];
    for (let i = from; i < from + count; i++) latencies.push(Number(s.wokeAt[i]! - s.setAt[i]!) / 1e3);
    return median(latencies);
  };
  const sides = [
    { ctl: skein.ctl, setAt: skein.setAt, queue: { buffer: queue.buffer, byteOffset: queue.byteOffset } },
    { ctl: raw.ctl, setAt: raw.setAt },
  ];
  try {
    // The waker's put() compiled too: it puts the waiter's warm-up items.
    waker.postMessage({ warm: { buffer: queue.buffer, byteOffset: queue.byteOffset, count: kWarmItems } });
    await within(once(waker, 'message'), 'warm the waker up');
    const values = { queue: [] as number[], raw: [] as number[] };
    for (let r = 0, from = 0; r < plan.handoffRuns; r++, from += plan.handoffWakes) {
      waker.postMessage({ sides, from, count: plan.handoffWakes });
      await within(once(waker, 'message'), 'wake the waiters');
      values.queue.push(medianUs(skein, from, plan.handoffWakes));
      values.raw.push(medianUs(raw, from, plan.handoffWakes));
    }
    await within(thread.join(), 'join the skein waiter');
    await within(rawExited, 'end the raw waiter');
    return values;
  } finally {
    await waker.terminate();
    await rawWaiter.terminate();
  }
}

/** 4 producers × 4 consumers through a queue of maxsize 64: items/s, and whether every item was taken exactly once. */
async function fanInOut(plan: Plan): Promise<{ rates: number[]; exact: boolean[] }> {
  const producers = Array.from({ length: 4 }, () => startPeer());
  const consumers = Array.from({ length: 4 }, () => startPeer());
  const n = plan.fanItems;
  const rates: number[] = [];
  const exact: boolean[] = [];
  try {
    for (let r = 0; r < plan.queueRuns; r++) {
      const queue = new Queue(64);
      const seen = new Int32Array(new SharedArrayBuffer(n * 4));
      const clock = new Float64Array(new SharedArrayBuffer(16));
      const consuming = consumers.map((c) => c.command({ op: 'consume-until-shutdown', queue: queue.buffer, seen }));
      const start = now();
      await Promise.all(
        producers.map((p, i) =>
          p.command({ op: 'produce-queue', n: n / 4, from: (i * n) / 4, queue: queue.buffer, clock }),
        ),
      );
      queue.shutdown();
      const counts = (await Promise.all(consuming)) as number[];
      rates.push(n / ((now() - start) / 1e3));
      exact.push(counts.reduce((a, b) => a + b, 0) === n && seen.every((count) => count === 1));
    }
    return { rates, exact };
  } finally {
    for (const peer of [...producers, ...consumers]) await peer.worker.terminate();
  }
}

/** One 64 MiB item, in a fresh process per run: MiB of RSS held with it, and left after it is dropped. */
async function bigItem(runs: number): Promise<{ held: number[]; after: number[]; arrived: boolean[] }> {
  const probe = fileURLToPath(plain('big-item-probe.mjs'));
  const result = { held: [] as number[], after: [] as number[], arrived: [] as boolean[] };
  for (let r = 0; r < runs; r++) {
    const { stdout } = await run(process.execPath, [probe], { timeout: 120_000 });
    const { arrived, before, held, after } = JSON.parse(stdout) as Record<string, number> & { arrived: boolean };
    result.held.push((held! - before!) / 2 ** 20);
    result.after.push((after! - before!) / 2 ** 20);
    result.arrived.push(arrived);
  }
  return result;
}

/** Measure the Queue figures. */
export async function measureQueue(plan: Plan): Promise<SectionResult> {
  const t2t = await threadToThread(plan);
  const t2m = await threadToMain(plan);
  const latency = await handoff(plan);
  const fan = await fanInOut(plan);
  const big = await bigItem(plan.queueRuns);
  const items = `${plan.queueItems.toLocaleString('en-US')} items per run, ${plan.queueRuns} runs taken in turn after one not counted`;
  const rows: FigureRow[] = [
    {
      key: 'queueThreadToThread',
      unit: 'items/s',
      skein: { summary: summarize(t2t.queue) },
      referenceName: 'MessageChannel between the same two threads',
      reference: { summary: summarize(t2t.channel) },
      ratio: pairedRatio(t2t.queue, t2t.channel),
      target: { on: 'ratio', atLeast: 2 },
      note: `\`{ id, name }\` items, one raw worker putting, another getting (blocking get) or receiving 'message' events; ${items}`,
    },
    {
      key: 'queueToMain',
      unit: 'items/s',
      skein: { summary: summarize(t2m.queue) },
      referenceName: "MessageChannel to main ('message' events)",
      reference: { summary: summarize(t2m.channel) },
      ratio: pairedRatio(t2m.queue, t2m.channel),
      target: { on: 'ratio', atLeast: 1 },
      note: `the main thread takes with \`for await (const item of queue)\`; ${items}`,
    },
    {
      key: 'queueHandoff',
      unit: 'µs',
      skein: { summary: summarize(latency.queue) },
      referenceName: 'raw Atomics.notify → Atomics.wait',
      reference: { summary: summarize(latency.raw) },
      ratio: pairedRatio(latency.queue, latency.raw),
      target: { on: 'ratio', atMost: 1.2 },
      note:
        `median of ${plan.handoffWakes} hand-offs per side per run, ${plan.handoffRuns} runs; the same raw worker ` +
        'puts (or notifies) 1 ms after each waiter parks, in turn hand-off by hand-off',
    },
    {
      key: 'queueFanInOut',
      unit: 'items/s',
      skein: { summary: summarize(fan.rates) },
      referenceName: 'none (items/s reported)',
      reference: { skipped: 'no reference: the figure is the rate itself' },
      note: `4 raw workers putting, 4 getting, Queue(64); ${plan.fanItems.toLocaleString('en-US')} items per run, ${plan.queueRuns} runs`,
    },
    {
      key: 'queueFanExact',
      unit: 'runs',
      skein: { count: fan.exact.filter(Boolean).length, of: fan.exact.length },
      referenceName: 'every item taken exactly once',
      reference: { count: fan.exact.length, of: fan.exact.length },
      target: { on: 'every-run' },
    },
    {
      key: 'queueBigItem',
      unit: 'MiB',
      skein: { summary: summarize(big.after) },
      referenceName: 'RSS held while the item is in hand',
      reference: { summary: summarize(big.held) },
      target: { on: 'value', atMost: 8 },
      note:
        `RSS growth over the baseline after one 64 MiB item went thread → main and was dropped (after gc), ` +
        `in a fresh process per run; arrived intact in ${big.arrived.filter(Boolean).length}/${big.arrived.length} runs`,
    },
  ];
  const failures = big.arrived.every(Boolean) ? [] : ['the 64 MiB item did not arrive intact in every run'];
  return { rows, failures };
}
