// Condition and Barrier under contention.
//
// A bounded buffer built as Python's queue.Queue is — a Lock, and two
// Conditions over it (not full, not empty) — filled by producer threads
// and the main thread (the Async forms) and drained by consumer threads;
// some waits have 1 ms timeouts, so that waiters give up just as a notify
// comes, the others a minute, so that a lost wake-up shows as a thread
// stuck that long. Checked: every item taken exactly once, the buffer empty
// and the lock free at the end.
//
// Barrier rounds: threads and the main thread pass a barrier round after
// round; now and then one party is late, the others time out, and all must
// see the round broken; then they meet on a second barrier and reset the
// first. Checked: every round either passed by all, with each index given
// once, or broken for all — as planned.
import { Barrier, Condition, Lock, Thread } from 'skein';
import { countReaches, joinOrFail } from '../../helpers/bounded.js';
import { seededRandom } from './random.js';

/** What a bounded-buffer run saw. */
export interface BufferReport {
  /** Items put (and so to be taken). */
  items: number;
  /** Waits that gave up on their 1 ms timeout and waited again. */
  timeouts: number;
  problems: string[];
}

// The ring's slots: (0) head, tail, count, then the items.
const kTail = 1;
const kCount = 2;
const kItems = 3;

/** The buffer as the threads share it. */
interface Shared {
  lock: Lock;
  notEmpty: Condition;
  notFull: Condition;
  ring: Int32Array;
  capacity: number;
}

/**
 * A producer thread: put `items` (numbers from `first`), waiting while the
 * buffer is full — with a 1 ms timeout for some puts, as `picks` say, and
 * waking one consumer or all. Sent as source: the ring's slots are written
 * out (0 head, 1 tail, 2 count, 3 items).
 */
const producer = (shared: Shared, first: number, items: number, picks: Float64Array): number => {
  const { lock, notEmpty, notFull, ring, capacity } = shared;
  let timeouts = 0;
  for (let i = 0; i < items; i++) {
    lock.acquire();
    try {
      const notFullNow = () => ring[2]! < capacity;
      if (picks[2 * i]! < 0.3) {
        while (!notFull.waitFor(notFullNow, 1)) timeouts++;
      } else if (!notFull.waitFor(notFullNow, 60_000)) throw new Error('no room for a minute: a lost wake-up?');
      ring[3 + ring[1]!] = first + i;
      ring[1] = (ring[1]! + 1) % capacity;
      ring[2] = ring[2]! + 1;
      if (picks[2 * i + 1]! < 0.1) notEmpty.notifyAll();
      else notEmpty.notify();
    } finally {
      lock.release();
    }
  }
  return timeouts;
};

/**
 * A consumer thread: take items until it takes -1, counting each in `seen`.
 * Returns [items taken, timeouts].
 */
const consumer = (shared: Shared, seen: Int32Array, picks: Float64Array): number[] => {
  const { lock, notEmpty, notFull, ring, capacity } = shared;
  let taken = 0;
  let timeouts = 0;
  for (let i = 0; ; i++) {
    let item: number;
    lock.acquire();
    try {
      const notEmptyNow = () => ring[2]! > 0;
      if (picks[i % picks.length]! < 0.3) {
        while (!notEmpty.waitFor(notEmptyNow, 1)) timeouts++;
      } else if (!notEmpty.waitFor(notEmptyNow, 60_000)) throw new Error('no item for a minute: a lost wake-up?');
      item = ring[3 + ring[0]!]!;
      ring[0] = (ring[0]! + 1) % capacity;
      ring[2] = ring[2]! - 1;
      notFull.notify();
    } finally {
      lock.release();
    }
    if (item === -1) return [taken, timeouts];
    Atomics.add(seen, item, 1);
    taken++;
  }
};

/** The main thread's put, with the Async forms. */
async function putAsync(shared: Shared, item: number, timed: boolean): Promise<number> {
  const { lock, notEmpty, notFull, ring, capacity } = shared;
  let timeouts = 0;
  await lock.acquireAsync();
  try {
    const notFullNow = (): boolean => ring[kCount]! < capacity;
    if (timed) {
      while (!(await notFull.waitForAsync(notFullNow, 1))) timeouts++;
    } else if (!(await notFull.waitForAsync(notFullNow, 60_000))) {
      throw new Error('the main thread found no room for a minute: a lost wake-up?');
    }
    ring[kItems + ring[kTail]!] = item;
    ring[kTail] = (ring[kTail]! + 1) % capacity;
    ring[kCount] = ring[kCount]! + 1;
    notEmpty.notify();
  } finally {
    lock.release();
  }
  return timeouts;
}

/**
 * `producers` threads and the main thread put `perProducer` items each into
 * a buffer of `capacity`, `consumers` threads take them.
 */
export async function runBoundedBuffer(
  producers: number,
  consumers: number,
  perProducer: number,
  capacity: number,
  seed: number,
): Promise<BufferReport> {
  const random = seededRandom(seed);
  const lock = new Lock();
  const shared: Shared = {
    lock,
    notEmpty: new Condition(lock),
    notFull: new Condition(lock),
    ring: new Int32Array(new SharedArrayBuffer(4 * (kItems + capacity))),
    capacity,
  };
  const items = (producers + 1) * perProducer;
  const seen = new Int32Array(new SharedArrayBuffer(4 * items));
  const picks = (n: number): Float64Array => Float64Array.from({ length: n }, random);
  const takers = Array.from(
    { length: consumers },
    (_, i) => new Thread({ name: `consumer-${i}`, target: consumer, args: [shared, seen, picks(64)] }),
  );
  const makers = Array.from(
    { length: producers },
    (_, i) =>
      new Thread({
        name: `producer-${i}`,
        target: producer,
        args: [shared, (i + 1) * perProducer, perProducer, picks(2 * perProducer)],
      }),
  );
  for (const thread of [...takers, ...makers]) thread.start();
  let timeouts = 0;
  const problems: string[] = [];
  // The main thread is producer 0.
  try {
    for (let i = 0; i < perProducer; i++) timeouts += await putAsync(shared, i, random() < 0.3);
  } catch (error) {
    problems.push(String(error));
  }
  const settle = async (thread: Thread): Promise<unknown> => {
    try {
      await joinOrFail(thread, 60_000);
    } catch (error) {
      problems.push(`${thread.name}: ${(error as Error).message} (a lost wake-up?)`);
      return undefined;
    }
    if (thread.exception !== undefined) problems.push(`${thread.name} raised ${String(thread.exception)}`);
    return thread.result;
  };
  for (const thread of makers) timeouts += ((await settle(thread)) as number | undefined) ?? 0;
  // One end mark for each consumer, once every item is in.
  try {
    for (let i = 0; i < consumers; i++) timeouts += await putAsync(shared, -1, false);
  } catch (error) {
    problems.push(String(error));
  }
  let taken = 0;
  for (const thread of takers) {
    const [got = 0, gaveUp = 0] = ((await settle(thread)) as number[] | undefined) ?? [];
    taken += got;
    timeouts += gaveUp;
  }
  if (taken !== items) problems.push(`${taken} items taken, ${items} put`);
  const wrong = [...seen.keys()].filter((item) => seen[item] !== 1);
  for (const item of wrong.slice(0, 5)) problems.push(`item ${item} taken ${seen[item]} times`);
  if (wrong.length > 5) problems.push(`… and ${wrong.length - 5} more items not taken exactly once`);
  if (shared.ring[kCount] !== 0) problems.push(`${shared.ring[kCount]} items left in the buffer`);
  if (lock.locked()) problems.push('the lock is still held at the end');
  return { items, timeouts, problems };
}

/** What a barrier-rounds run saw. */
export interface RoundsReport {
  /** Rounds every party passed. */
  passed: number;
  /** Rounds broken by a party timing out while another was late, as planned. */
  broken: number;
  problems: string[];
}

/**
 * A thread's part in the barrier rounds. `plan[r]` is -1 for a round all
 * pass, or the party (by number) that is late for round r: it comes only
 * once the others, waiting 5 ms at most, have broken the barrier. The
 * outcome of each round is counted in `outcomes`: at r * (parties + 1) +
 * index for a pass, at r * (parties + 1) + parties for a break. After a
 * broken round the parties meet on `meet` and one of them resets the
 * barrier.
 */
const party = (barrier: Barrier, meet: Barrier, outcomes: Int32Array, plan: Int32Array, me: number): string => {
  const parties = barrier.parties;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (let r = 0; r < plan.length; r++) {
    const row = r * (parties + 1);
    const late = plan[r]!;
    if (late === me) {
      // Come once the others have broken the round.
      const until = Date.now() + 30_000;
      while (Atomics.load(outcomes, row + parties) < parties - 1) {
        if (Date.now() > until) return `round ${r}: the others never broke the barrier`;
        Atomics.wait(nap, 0, 0, 1);
      }
    }
    try {
      const index = barrier.wait(late === -1 ? 30_000 : 5);
      Atomics.add(outcomes, row + index, 1);
    } catch (error) {
      if ((error as Error).name !== 'BrokenBarrierError') throw error;
      Atomics.add(outcomes, row + parties, 1);
      Atomics.notify(outcomes, row + parties);
      if (meet.wait(30_000) === 0) barrier.reset();
      meet.wait(30_000);
    }
  }
  return 'done';
};

/** The main thread's part: {@link party} with the Async forms. */
async function partyAsync(
  barrier: Barrier,
  meet: Barrier,
  outcomes: Int32Array,
  plan: Int32Array,
  me: number,
): Promise<void> {
  const parties = barrier.parties;
  for (let r = 0; r < plan.length; r++) {
    const row = r * (parties + 1);
    const late = plan[r]!;
    if (late === me) await countReaches(outcomes, row + parties, parties - 1, `round ${r}: the others broken`);
    try {
      const index = await barrier.waitAsync(late === -1 ? 30_000 : 5);
      Atomics.add(outcomes, row + index, 1);
    } catch (error) {
      if ((error as Error).name !== 'BrokenBarrierError') throw error;
      Atomics.add(outcomes, row + parties, 1);
      Atomics.notify(outcomes, row + parties);
      if ((await meet.waitAsync(30_000)) === 0) barrier.reset();
      await meet.waitAsync(30_000);
    }
  }
}

/** `threads` threads and the main thread pass a barrier `rounds` times; about one round in `lateEvery` has a late party. */
export async function runBarrierRounds(
  threads: number,
  rounds: number,
  lateEvery: number,
  seed: number,
): Promise<RoundsReport> {
  const random = seededRandom(seed);
  const parties = threads + 1;
  const barrier = new Barrier(parties);
  const meet = new Barrier(parties);
  const outcomes = new Int32Array(new SharedArrayBuffer(4 * rounds * (parties + 1)));
  const plan = new Int32Array(new SharedArrayBuffer(4 * rounds));
  for (let r = 0; r < rounds; r++) plan[r] = random() < 1 / lateEvery ? Math.floor(random() * parties) : -1;
  const started = Array.from(
    { length: threads },
    (_, i) => new Thread({ name: `party-${i + 1}`, target: party, args: [barrier, meet, outcomes, plan, i + 1] }),
  );
  for (const thread of started) thread.start();
  const problems: string[] = [];
  try {
    await partyAsync(barrier, meet, outcomes, plan, 0);
  } catch (error) {
    problems.push(`the main thread: ${String(error)}`);
    barrier.abort();
    meet.abort();
  }
  for (const thread of started) {
    try {
      await joinOrFail(thread, 60_000);
    } catch (error) {
      problems.push(`${thread.name}: ${(error as Error).message} (a waiter never woke?)`);
      continue;
    }
    if (thread.exception !== undefined) problems.push(`${thread.name} raised ${String(thread.exception)}`);
    else if (thread.result !== 'done') problems.push(`${thread.name}: ${thread.result}`);
  }
  let passed = 0;
  let broken = 0;
  for (let r = 0; r < rounds; r++) {
    const row = Array.from(outcomes.subarray(r * (parties + 1), (r + 1) * (parties + 1)));
    const expected = plan[r] === -1 ? [...Array(parties).fill(1), 0] : [...Array(parties).fill(0), parties];
    if (row.join() !== expected.join()) {
      problems.push(`round ${r} (${plan[r] === -1 ? 'all on time' : `party ${plan[r]} late`}): ${row.join(' ')}`);
    } else if (plan[r] === -1) passed++;
    else broken++;
  }
  if (barrier.broken || barrier.nWaiting !== 0) problems.push(`the barrier ends broken or with parties waiting`);
  return { passed, broken, problems: problems.slice(0, 20) };
}
