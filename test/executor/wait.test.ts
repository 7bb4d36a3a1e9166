// wait() and asCompleted() over futures built directly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALL_COMPLETED,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  asCompleted,
  wait,
  type CompletedFuture,
} from 'skein';

function running<R = unknown>(): Future<R> {
  const future = new Future<R>();
  future.setRunningOrNotifyCancel();
  return future;
}

function finished<R>(value: R): Future<R> {
  const future = running<R>();
  future.setResult(value);
  return future;
}

function failed(error = new Error('failed')): Future<never> {
  const future = running<never>();
  future.setException(error);
  return future;
}

function cancelled(): Future<never> {
  const future = new Future<never>();
  future.cancel();
  return future;
}

describe('wait', () => {
  it('returns at once when every future is done', async () => {
    const a = finished(1);
    const b = cancelled();
    const { done, notDone } = await wait([a, b]);
    assert.deepEqual([...done], [a, b]);
    assert.equal(notDone.size, 0);
  });

  it('FIRST_COMPLETED returns as soon as one future is done, cancelled counting as done', async () => {
    const slow = running();
    const quick = running();
    const waiting = wait([slow, quick], { returnWhen: FIRST_COMPLETED });
    quick.cancel(); // a running future cannot be cancelled…
    quick.setResult(2); // …so finish it instead
    const { done, notDone } = await waiting;
    assert.deepEqual([...done], [quick]);
    assert.deepEqual([...notDone], [slow]);
    const pending = new Future();
    const waitingOnCancel = wait([pending, running()], { returnWhen: FIRST_COMPLETED });
    pending.cancel();
    assert.deepEqual([...(await waitingOnCancel).done], [pending]);
  });

  it('FIRST_EXCEPTION returns on the first failure and ignores cancelled futures', async () => {
    const a = running();
    const b = running();
    const c = new Future();
    const waiting = wait([a, b, c], { returnWhen: FIRST_EXCEPTION });
    c.cancel();
    a.setResult(1);
    b.setException(new Error('boom'));
    const { done, notDone } = await waiting;
    assert.equal(done.size, 3);
    assert.equal(notDone.size, 0);
    const still = running();
    const { done: d2, notDone: n2 } = await wait([failed(), still], { returnWhen: FIRST_EXCEPTION });
    assert.equal(d2.size, 1);
    assert.deepEqual([...n2], [still]);
  });

  it('FIRST_EXCEPTION acts as ALL_COMPLETED when nothing fails', async () => {
    const a = running();
    const b = running();
    const waiting = wait([a, b], { returnWhen: FIRST_EXCEPTION });
    a.setResult(1);
    let settled = false;
    void waiting.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false, 'one success is not enough');
    b.setResult(2);
    assert.equal((await waiting).done.size, 2);
  });

  it('returns what is done when the timeout passes, without rejecting', async () => {
    const done = finished('x');
    const stuck = running();
    const result = await wait([done, stuck], { timeout: 5, returnWhen: ALL_COMPLETED });
    assert.deepEqual([...result.done], [done]);
    assert.deepEqual([...result.notDone], [stuck]);
  });

  it('counts a duplicate once', async () => {
    const a = finished(1);
    const { done } = await wait([a, a, a]);
    assert.equal(done.size, 1);
  });

  it('refuses an unknown returnWhen, a bad timeout and things that are not futures', () => {
    assert.throws(() => wait([], { returnWhen: 'SOMETIMES' as never }), {
      name: 'TypeError',
      message:
        'Expected `returnWhen` to be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED, got `"SOMETIMES"` (string)',
    });
    assert.throws(() => wait([], { timeout: 'soon' as never }), { name: 'TypeError', message: /`timeout`/ });
    assert.throws(() => wait([Promise.resolve(1)] as never), {
      name: 'TypeError',
      message: /to hold only futures, got `a Promise`/,
    });
    assert.throws(() => wait(5 as never), { name: 'TypeError', message: /iterable of futures/ });
  });
});

describe('asCompleted', () => {
  it('yields the futures themselves, done ones first, then in completion order', async () => {
    const early = finished('early');
    const later = running<string>();
    const last = running<string>();
    const seen: CompletedFuture<string>[] = [];
    const iterating = (async () => {
      for await (const future of asCompleted([last, later, early])) seen.push(future);
    })();
    await new Promise((resolve) => setImmediate(resolve));
    later.setResult('later');
    await new Promise((resolve) => setImmediate(resolve));
    last.setResult('last');
    await iterating;
    assert.deepEqual(seen, [early, later, last]);
    assert.ok(
      seen.every((future) => future instanceof Future),
      'futures, not their results',
    );
  });

  it('drops duplicates and counts cancelled futures as completed', async () => {
    const a = cancelled();
    const b = finished(1);
    const seen: CompletedFuture<unknown>[] = [];
    for await (const future of asCompleted([a, b, a, b])) seen.push(future);
    assert.deepEqual(seen, [a, b]);
  });

  it('throws TimeoutError naming how many futures are unfinished', async () => {
    const done = finished(1);
    const iterator = asCompleted([done, running(), running()], 5);
    const first = await iterator.next();
    assert.equal(first.value, done);
    await assert.rejects(iterator.next(), { name: 'TimeoutError', message: '2 (of 3) futures unfinished' });
  });

  it('stops cleanly when the loop breaks early', async () => {
    const stuck = running();
    for await (const future of asCompleted([finished(1), stuck])) {
      assert.equal(future.done(), true);
      break;
    }
    stuck.setResult(2); // no listener left behind to call
  });
});
