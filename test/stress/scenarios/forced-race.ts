// A forced stop that lands just as its task ends must not hit the task the
// worker starts next. Each round runs a deaf task for about as long as the
// stop takes to force it, with busy siblings queued behind it on the same
// worker, so that the force lands on either side of the task's end.
import { Event, ThreadPoolExecutor } from 'skein';
import { within } from '../../helpers/bounded.js';
import { seededRandom } from './random.js';

/** What {@link runForcedStopRace} saw. */
export interface ForcedRaceReport {
  rounds: number;
  /** Stops that had to terminate the worker. */
  forced: number;
  /** Stops that found the task ended on its own. */
  stopped: number;
  /** Siblings that completed with the right result. */
  siblingsDone: number;
  /** Siblings that failed: each one is a forced stop that hit the wrong task. */
  problems: string[];
}

const deaf = (started: Event, ms: number): string => {
  started.set();
  const end = performance.now() + ms;
  while (performance.now() < end);
  return 'ran out';
};

const busySibling = (i: number): number => {
  const end = performance.now() + 2;
  while (performance.now() < end);
  return i;
};

/**
 * Run `rounds` rounds on a one-worker pool. `future.stop({ timeout: 0,
 * force: true })` forces about a millisecond after it is called, so the deaf
 * task runs 0.9–1.7 ms: sometimes it is still running, sometimes it has just
 * ended and the worker is moving on to a sibling.
 */
export async function runForcedStopRace(rounds: number, seed: number): Promise<ForcedRaceReport> {
  const random = seededRandom(seed);
  const pool = new ThreadPoolExecutor({ maxWorkers: 1, threadNamePrefix: 'race' });
  const report: ForcedRaceReport = { rounds, forced: 0, stopped: 0, siblingsDone: 0, problems: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      const started = new Event();
      const future = pool.submit(deaf, started, 0.9 + random() * 0.8);
      const siblings = [0, 1].map((i) => pool.submit(busySibling, i));
      if (!(await within(started.waitAsync(), 30_000, `start the deaf task of round ${round}`))) continue;
      const outcome = await within(
        future.stop({ timeout: 0, force: true }),
        30_000,
        `stop the deaf task of round ${round}`,
      );
      if (outcome === 'forced') report.forced++;
      else if (outcome === 'stopped') report.stopped++;
      else report.problems.push(`round ${round}: stop gave ${outcome}`);
      for (const [i, sibling] of siblings.entries()) {
        try {
          if ((await within(sibling.result(), 30_000, `finish sibling ${i} of round ${round}`)) === i)
            report.siblingsDone++;
          else report.problems.push(`round ${round}: sibling ${i} gave a wrong result`);
        } catch (error) {
          report.problems.push(`round ${round}: sibling ${i} failed: ${String(error)}`);
        }
      }
    }
    return report;
  } finally {
    await within(pool.shutdown(), 30_000, 'shut the race pool down');
  }
}
