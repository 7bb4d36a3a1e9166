// Stop notice: how long after a stop is requested a thread parked in
// event.wait() is running again. Reference: a raw worker parked in
// Atomics.wait, woken by Atomics.notify. Both are woken by the same raw
// "waker" worker, in turn wake-up by wake-up, so only the waiting and
// setting code differs between the two sides, and both see the same load
// of this shared machine.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { Event, Thread } from 'skein';
import { kDone, kParked, kSlots } from '../plain/slots.mjs';
import type { FigureRow, SectionResult } from '../lib/figures.js';
import type { Plan } from '../lib/plan.js';
import { median, pairedRatio, summarize } from '../lib/stats.js';
import { within } from '../lib/wait.js';

const plain = (file: string): URL => new URL(`../plain/${file}`, import.meta.url);

/** The skein waiter, run as an inline Thread target: park in event.wait(), stamp the wake-up, repeat. */
function skeinWaiter(
  event: Event,
  ctl: Int32Array,
  wokeAt: BigInt64Array,
  count: number,
  parked: number,
  done: number,
): void {
  for (let i = 0; i < count; i++) {
    Atomics.store(ctl, parked, i + 1);
    Atomics.notify(ctl, parked);
    event.wait();
    wokeAt[i] = process.hrtime.bigint();
    // Clear before saying "done": the waker does not set again until we park.
    event.clear();
    Atomics.store(ctl, done, i + 1);
    Atomics.notify(ctl, done);
  }
}

/** One waiter's shared memory. */
interface Side {
  readonly ctl: Int32Array;
  readonly setAt: BigInt64Array;
  readonly wokeAt: BigInt64Array;
  readonly event?: Event;
}

function makeSide(count: number, event?: Event): Side {
  return {
    ctl: new Int32Array(new SharedArrayBuffer(kSlots * 4)),
    setAt: new BigInt64Array(new SharedArrayBuffer(count * 8)),
    wokeAt: new BigInt64Array(new SharedArrayBuffer(count * 8)),
    ...(event ? { event } : {}),
  };
}

/** Measure the stop-notice figures: skein's Event against a raw futex wake, and against the seed's polling loop. */
export async function measureStopNotice(plan: Plan): Promise<SectionResult> {
  const total = plan.stopRuns * plan.wakesPerRun;
  const raw = makeSide(total);
  const skein = makeSide(total, new Event());
  const waker = new Worker(plain('waker.mjs'));
  const rawWaiter = new Worker(plain('raw-waiter.mjs'), {
    workerData: { ctl: raw.ctl, wokeAt: raw.wokeAt, count: total },
  });
  const rawExited = once(rawWaiter, 'exit'); // listen now: it may be gone before we get to wait for it
  rawExited.catch(() => {}); // awaited below; a failure elsewhere must not leave it unhandled
  const thread = new Thread({
    target: skeinWaiter,
    args: [skein.event!, skein.ctl, skein.wokeAt, total, kParked, kDone],
    name: 'stop-notice waiter',
    daemon: true, // never keeps a failed run alive
  });
  thread.start();

  // A side's median latency in µs over samples [from, from + count).
  const medianUs = (side: Side, from: number, count: number): number => {
    const latencies: number[] = [];
    for (let i = from; i < from + count; i++) latencies.push(Number(side.wokeAt[i]! - side.setAt[i]!) / 1e3);
    return median(latencies);
  };
  const sides = [skein, raw].map(({ ctl, setAt, event }) => ({
    ctl,
    setAt,
    event: event && { buffer: event.buffer, byteOffset: event.byteOffset },
  }));

  try {
    const values = { skein: [] as number[], raw: [] as number[] };
    for (let run = 0, from = 0; run < plan.stopRuns; run++, from += plan.wakesPerRun) {
      waker.postMessage({ sides, from, count: plan.wakesPerRun });
      await within(once(waker, 'message'), 'wake the waiters');
      values.skein.push(medianUs(skein, from, plan.wakesPerRun));
      values.raw.push(medianUs(raw, from, plan.wakesPerRun));
    }
    await within(thread.join(), 'join the skein waiter');
    await within(rawExited, 'end the raw waiter');

    // The seed checks its Event after each sleepSync(1000): a stop set at a
    // uniformly random moment waits out the rest of the current sleep.
    const seedStepMs = 1000;
    const seed = { median: seedStepMs / 2, min: 0, max: seedStepMs, runs: values.skein.length };
    const rows: FigureRow[] = [
      {
        key: 'stopNotice',
        unit: 'µs',
        skein: { summary: summarize(values.skein) },
        referenceName: 'raw Atomics.notify → Atomics.wait',
        reference: { summary: summarize(values.raw) },
        ratio: pairedRatio(values.skein, values.raw),
        target: { on: 'ratio', atMost: 1.2 },
        note:
          `median of ${plan.wakesPerRun} wake-ups per side per run, ${plan.stopRuns} runs; both waiters are woken ` +
          'by the same raw worker, in turn wake-up by wake-up, 1 ms after they park',
      },
      {
        key: 'stopNoticeSeed',
        unit: 'ms',
        skein: { summary: summarize(values.skein.map((us) => us / 1e3)) },
        referenceName: 'seed loop: sleepSync(1000) then isSet() (computed)',
        reference: { summary: seed },
        ratio: summarize(values.skein.map((us) => us / 1e3 / seed.median)),
        note: 'the seed loop notices a stop at its next check: uniformly 0–1000 ms later, 500 ms at the median (computed, not measured)',
      },
    ];
    return { rows };
  } finally {
    await waker.terminate();
    await rawWaiter.terminate();
  }
}
