// Timeouts longer than a timer can hold (2³¹−1 ms, ~24.8 days): Node fires a
// longer setTimeout after 1 ms (with a TimeoutOverflowWarning), so a wait
// given one must not end early. Each check arms a short timer after the
// long wait and looks once it fires: Node runs due timers in order of their
// expiry, so a wait that had been cut to 1 ms would have ended by then.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_COMPLETED, asCompleted, Event, Future, ThreadPoolExecutor, wait } from 'skein';
import { within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

/** One past the longest delay a timer holds. */
const kLong = 2 ** 31;

/** Resolve once a timer armed now, 20 ms away, has fired — after any timer armed earlier with a shorter delay. */
const laterTimer = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

describe('timeouts beyond 2^31-1 ms', () => {
  it('future.result, future.exception, wait and asCompleted keep waiting', async () => {
    const future = new Future<number>();
    const ended: string[] = [];
    const result = future.result(kLong).then(
      () => ended.push('result'),
      (error: Error) => ended.push(`result: ${error.name}`),
    );
    const exception = future.exception(kLong).then(
      () => ended.push('exception'),
      (error: Error) => ended.push(`exception: ${error.name}`),
    );
    const waited = wait([future], { timeout: kLong, returnWhen: ALL_COMPLETED }).then(({ done }) =>
      ended.push(`wait: ${done.size} done`),
    );
    const completed = asCompleted([future], kLong);
    const first = completed.next().then(
      () => ended.push('asCompleted'),
      (error: Error) => ended.push(`asCompleted: ${error.name}`),
    );
    try {
      await laterTimer();
      assert.deepEqual(ended, [], 'nothing may end before the future is done');
    } finally {
      future.setResult(1);
    }
    await within(Promise.all([result, exception, waited, first]), 5_000, 'see every wait end');
    assert.deepEqual(ended.sort(), ['asCompleted', 'exception', 'result', 'wait: 1 done']);
    await completed.return?.();
  });

  it('future.stop waits for a running task that ignores its stop request', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const started = new Event();
    const release = new Event();
    const future = pool.submit(
      (started: Event, release: Event) => {
        started.set();
        return release.wait(30_000);
      },
      started,
      release,
    );
    assert.equal(await started.waitAsync(10_000), true, 'the task starts');
    let outcome: string | undefined;
    const stopping = future.stop({ timeout: kLong }).then((value) => (outcome = value));
    try {
      await laterTimer();
      assert.equal(outcome, undefined, 'stop() must wait for the task, not report it alive after 1 ms');
    } finally {
      release.set();
    }
    await within(stopping, 10_000, 'see the stop end');
    assert.equal(outcome, 'stopped');
    assert.equal(await future, true);
  });
});
