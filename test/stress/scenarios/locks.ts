// Lock, RLock and a BoundedSemaphore taken at once by threads (blocking,
// with and without short timeouts) and by the main thread (acquireAsync with
// short timeouts, whose waiters give up while releases wake them). Checked:
// no increment under a lock is lost, never more than two threads inside the
// semaphore, every waiter ends, and everything is free at the end.
import { BoundedSemaphore, Event, Lock, RLock, Thread } from 'skein';
import { countReaches, joinOrFail } from '../../helpers/bounded.js';
import { seededRandom } from './random.js';

/** What a locks run saw. */
export interface LocksReport {
  /** Sections entered under each primitive, by every thread and the main thread. */
  entered: { lock: number; rlock: number; semaphore: number };
  /** Acquires that timed out (by design: short timeouts under contention). */
  timeouts: number;
  /** The most threads seen inside the semaphore at once (its bound is 2). */
  mostInside: number;
  problems: string[];
}

// Slots of the shared counters.
const kLockCount = 0;
const kRLockCount = 1;
const kInside = 2;
const kMostInside = 3;
const kReady = 4;

/**
 * A thread's part: a section for each two `picks` (the primitive, and
 * whether to give up after 1 ms), once every thread is ready and `go` is
 * set. Sent as source: the counter slots are written out (0 Lock, 1 RLock,
 * 2 inside the semaphore, 3 most inside, 4 ready), not the constants above.
 */
const worker = (
  lock: Lock,
  rlock: RLock,
  semaphore: BoundedSemaphore,
  counts: Int32Array,
  go: Event,
  picks: Float64Array,
): number[] => {
  Atomics.add(counts, 4, 1);
  Atomics.notify(counts, 4);
  go.wait(30_000);
  let at = 0;
  const next = (): number => picks[at++]!;
  const work = (): void => {
    let sum = 0;
    for (let k = 0; k < 200; k++) sum += k;
    if (sum < 0) throw new Error('unreachable');
  };
  const entered = [0, 0, 0];
  let timeouts = 0;
  for (let i = 0; i < picks.length / 2; i++) {
    const pick = next();
    const timeout = next() < 0.3 ? 1 : undefined;
    if (pick < 0.4) {
      if (!lock.acquire(timeout)) {
        timeouts++;
        continue;
      }
      const seen = counts[0]!;
      work();
      counts[0] = seen + 1;
      lock.release();
      entered[0]!++;
    } else if (pick < 0.7) {
      if (!rlock.acquire(timeout)) {
        timeouts++;
        continue;
      }
      rlock.acquire(); // reentrant: at once
      const seen = counts[1]!;
      work();
      counts[1] = seen + 1;
      rlock.release();
      rlock.release();
      entered[1]!++;
    } else {
      if (!semaphore.acquire(timeout)) {
        timeouts++;
        continue;
      }
      const inside = Atomics.add(counts, 2, 1) + 1;
      for (let most = Atomics.load(counts, 3); inside > most; most = Atomics.load(counts, 3)) {
        if (Atomics.compareExchange(counts, 3, most, inside) === most) break;
      }
      work();
      Atomics.sub(counts, 2, 1);
      semaphore.release();
      entered[2]!++;
    }
  }
  return [...entered, timeouts];
};

/** Run `threads` threads of `rounds` sections each, with the main thread taking part. */
export async function runLocks(threads: number, rounds: number, seed: number): Promise<LocksReport> {
  const random = seededRandom(seed);
  const lock = new Lock();
  const rlock = new RLock();
  const semaphore = new BoundedSemaphore(2);
  const counts = new Int32Array(new SharedArrayBuffer(20));
  const go = new Event();
  const started = Array.from(
    { length: threads },
    (_, i) =>
      new Thread({
        name: `locks-${i}`,
        target: worker,
        args: [lock, rlock, semaphore, counts, go, Float64Array.from({ length: 2 * rounds }, random)],
      }),
  );
  for (const thread of started) thread.start();
  // Every thread ready before any goes in, so that they contend.
  await countReaches(counts, kReady, threads, `all ${threads} threads ready`);
  go.set();
  // The main thread takes part with acquireAsync and 1 ms timeouts: its
  // waiters often give up just as a release wakes them.
  const mine = [0, 0, 0];
  let timeouts = 0;
  for (let i = 0; i < rounds; i++) {
    if (random() < 0.5) {
      if (!(await lock.acquireAsync(1))) {
        timeouts++;
        continue;
      }
      counts[kLockCount] = counts[kLockCount]! + 1;
      lock.release();
      mine[0]!++;
    } else {
      if (!(await semaphore.acquireAsync(1))) {
        timeouts++;
        continue;
      }
      const inside = Atomics.add(counts, kInside, 1) + 1;
      if (inside > Atomics.load(counts, kMostInside)) Atomics.store(counts, kMostInside, inside);
      Atomics.sub(counts, kInside, 1);
      semaphore.release();
      mine[2]!++;
    }
  }
  const problems: string[] = [];
  const entered = { lock: mine[0]!, rlock: 0, semaphore: mine[2]! };
  for (const thread of started) {
    try {
      await joinOrFail(thread, 60_000);
    } catch (error) {
      problems.push(`${thread.name}: ${(error as Error).message} (a waiter never woke?)`);
      continue;
    }
    if (thread.exception !== undefined) {
      problems.push(`${thread.name} raised ${String(thread.exception)}`);
      continue;
    }
    const [l, r, s, t] = thread.result as number[];
    entered.lock += l!;
    entered.rlock += r!;
    entered.semaphore += s!;
    timeouts += t!;
  }
  if (counts[kLockCount] !== entered.lock) {
    problems.push(`Lock: ${counts[kLockCount]} increments counted, ${entered.lock} sections entered`);
  }
  if (counts[kRLockCount] !== entered.rlock) {
    problems.push(`RLock: ${counts[kRLockCount]} increments counted, ${entered.rlock} sections entered`);
  }
  if (counts[kMostInside]! > 2) problems.push(`Semaphore(2): ${counts[kMostInside]} inside at once`);
  if (lock.locked() || rlock.locked()) problems.push('a lock is still held at the end');
  if (semaphore.value !== 2) problems.push(`the semaphore ends with ${semaphore.value} permits, not 2`);
  return { entered, timeouts, mostInside: counts[kMostInside]!, problems };
}
