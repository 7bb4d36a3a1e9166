// One Event shared by many threads, set while they wait on it in every way a
// thread can: blocked in wait(), in waitAsync(), spinning on isSet(), polling
// between sleeps, and as a field of a Thread subclass. Every thread must end.
import { Event, Thread, sleep, sleepSync } from 'skein';
import { joinOrFail, within } from '../../helpers/bounded.js';

/** How each thread waits for the Event; the thread returns its kind's name. */
const waiters: Record<string, (event: Event, ready: Int32Array) => unknown> = {
  wait: (event, ready) => {
    Atomics.add(ready, 0, 1);
    Atomics.notify(ready, 0);
    return event.wait() && 'wait';
  },
  waitAsync: async (event, ready) => {
    Atomics.add(ready, 0, 1);
    Atomics.notify(ready, 0);
    return (await event.waitAsync()) && 'waitAsync';
  },
  'hot loop': (event, ready) => {
    Atomics.add(ready, 0, 1);
    Atomics.notify(ready, 0);
    let spins = 0;
    while (!event.isSet()) spins++;
    return spins >= 0 && 'hot loop';
  },
  sleepSync: (event, ready) => {
    Atomics.add(ready, 0, 1);
    Atomics.notify(ready, 0);
    while (!event.isSet()) sleepSync(2);
    return 'sleepSync';
  },
  sleep: async (event, ready) => {
    Atomics.add(ready, 0, 1);
    Atomics.notify(ready, 0);
    while (!event.isSet()) await sleep(2);
    return 'sleep';
  },
  'timed waits': (event, ready) => {
    Atomics.add(ready, 0, 1);
    Atomics.notify(ready, 0);
    while (!event.wait(3));
    return 'timed waits';
  },
};

/** A Thread subclass that holds the Event in a field and waits on it in run(). */
class FieldWaiter extends Thread {
  constructor(
    public event: Event,
    public ready: Int32Array,
  ) {
    super({ name: 'field waiter' });
  }
  override run(): unknown {
    Atomics.add(this.ready, 0, 1);
    Atomics.notify(this.ready, 0);
    return this.event.wait() && 'subclass field';
  }
}

/** What {@link runSharedEvent} saw. */
export interface SharedEventReport {
  threads: number;
  /** Threads that ended with their kind's name as result. */
  ended: number;
  byKind: Record<string, number>;
  problems: string[];
}

/** Start `count` threads on one Event, wait until each reports it is waiting, set it, and join them all. */
export async function runSharedEvent(count: number): Promise<SharedEventReport> {
  const event = new Event();
  const ready = new Int32Array(new SharedArrayBuffer(4));
  const kinds = [...Object.keys(waiters), 'subclass field'];
  const threads = Array.from({ length: count }, (_, i) => {
    const kind = kinds[i % kinds.length]!;
    return kind === 'subclass field'
      ? new FieldWaiter(event, ready)
      : new Thread({ target: waiters[kind]!, args: [event, ready], name: `${kind} ${i}` });
  });
  const report: SharedEventReport = { threads: count, ended: 0, byKind: {}, problems: [] };
  try {
    for (const thread of threads) thread.start();
    await within(
      (async () => {
        for (let seen: number; (seen = Atomics.load(ready, 0)) < count; ) {
          const { async, value } = Atomics.waitAsync(ready, 0, seen);
          if (async) await value;
        }
      })(),
      60_000,
      `see all ${count} threads waiting`,
    );
  } finally {
    event.set();
  }
  for (const thread of threads) {
    await joinOrFail(thread, 30_000).catch((error: Error) => report.problems.push(error.message));
    const result = thread.result;
    if (typeof result === 'string') {
      report.ended++;
      report.byKind[result] = (report.byKind[result] ?? 0) + 1;
    } else {
      report.problems.push(`${thread.name}: ended with ${String(result ?? thread.exception)}`);
    }
  }
  return report;
}
