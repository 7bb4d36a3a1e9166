// Future's state machine, on futures built directly, without threads — as
// CPython's test_concurrent_futures does with create_future().
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, Future, InvalidStateError, TimeoutError, type FutureState } from 'skein';
import { capturingStderr } from '../helpers/threads.js';

function createFuture<R = unknown>(state: FutureState, outcome?: { result?: R; exception?: unknown }): Future<R> {
  const future = new Future<R>();
  if (state === 'cancelled') future.cancel();
  if (state === 'running' || state === 'finished') future.setRunningOrNotifyCancel();
  if (state === 'finished') {
    if (outcome && 'exception' in outcome) future.setException(outcome.exception);
    else future.setResult(outcome?.result as R);
  }
  return future;
}

describe('Future states', () => {
  it('reports each state through cancelled(), running(), done() and state', () => {
    const cases: [FutureState, boolean, boolean, boolean][] = [
      ['pending', false, false, false],
      ['running', false, true, false],
      ['cancelled', true, false, true],
      ['finished', false, false, true],
    ];
    for (const [state, cancelled, running, done] of cases) {
      const future = createFuture(state);
      assert.equal(future.state, state);
      assert.equal(future.cancelled(), cancelled, `${state}: cancelled()`);
      assert.equal(future.running(), running, `${state}: running()`);
      assert.equal(future.done(), done, `${state}: done()`);
    }
  });

  it('cancels only a pending (or already cancelled) future', () => {
    assert.equal(createFuture('pending').cancel(), true);
    assert.equal(createFuture('cancelled').cancel(), true);
    assert.equal(createFuture('running').cancel(), false);
    assert.equal(createFuture('finished').cancel(), false);
    const running = createFuture('running');
    running.cancel();
    assert.equal(running.state, 'running', 'a refused cancel changes nothing');
  });

  it('moves pending → running once, and refuses to run a cancelled future', () => {
    const future = new Future();
    assert.equal(future.setRunningOrNotifyCancel(), true);
    assert.throws(() => future.setRunningOrNotifyCancel(), InvalidStateError);
    assert.equal(createFuture('cancelled').setRunningOrNotifyCancel(), false);
    assert.throws(() => createFuture('finished').setRunningOrNotifyCancel(), {
      name: 'InvalidStateError',
      message: 'future is finished, not pending: it cannot start running',
    });
  });

  it('refuses a second result or exception with InvalidStateError', () => {
    const finished = createFuture('finished', { result: 1 });
    assert.throws(() => finished.setResult(2), {
      name: 'InvalidStateError',
      message: 'cannot set the result of a future that is finished',
    });
    assert.throws(() => finished.setException(new Error('x')), InvalidStateError);
    const cancelled = createFuture('cancelled');
    assert.throws(() => cancelled.setResult(1), { message: 'cannot set the result of a future that is cancelled' });
    assert.equal(new InvalidStateError('x').code, 'SKEIN_ERR_INVALID_STATE');
  });
});

describe('Future results', () => {
  it('resolves result() and exception() of a finished future', async () => {
    const future = createFuture('finished', { result: 42 });
    assert.equal(await future.result(), 42);
    assert.equal(await future.exception(), undefined);
    assert.equal(await future, 42, 'a future is awaitable');
  });

  it('rejects result() with the task error, which exception() returns', async () => {
    const error = new RangeError('bad');
    const future = createFuture('finished', { exception: error });
    await assert.rejects(future.result(), error);
    assert.equal(await future.exception(), error);
    await assert.rejects((async () => await future)(), (thrown) => thrown === error);
  });

  it('keeps a task’s own TimeoutError as its exception', async () => {
    const own = new TimeoutError('the task timed out on its own');
    assert.equal(await createFuture('finished', { exception: own }).exception(), own);
  });

  it('rejects result() and exception() of a cancelled future with CancelledError', async () => {
    const future = createFuture('cancelled');
    await assert.rejects(future.result(), { name: 'CancelledError', code: 'SKEIN_ERR_CANCELLED' });
    await assert.rejects(future.exception(), CancelledError);
  });

  it('times out result() with TimeoutError while the future stays pending', async () => {
    const future = createFuture('running');
    await assert.rejects(future.result(0), { name: 'TimeoutError', code: 'SKEIN_ERR_TIMEOUT' });
    await assert.rejects(future.exception(1), TimeoutError);
    assert.equal(future.running(), true);
    setImmediate(() => future.setResult(7));
    assert.equal(await future.result(10_000), 7);
  });

  it('throws synchronously for a timeout that is not a number, or NaN', () => {
    const future = createFuture('pending');
    assert.throws(() => future.result('1' as never), {
      name: 'TypeError',
      message: 'Expected `timeoutMs` to be a number of milliseconds, got `"1"` (string)',
    });
    assert.throws(() => future.exception(Number.NaN), RangeError);
  });

  it('resolves a waiting result() when the result arrives', async () => {
    const future = createFuture<string>('running');
    const waiting = future.result();
    future.setResult('later');
    assert.equal(await waiting, 'later');
  });
});

describe('Future done callbacks', () => {
  it('runs callbacks in order when the future finishes, with the future', () => {
    const future = createFuture<number>('running');
    const seen: string[] = [];
    future.addDoneCallback((f) => seen.push(`a:${f.done()}`));
    future.addDoneCallback(() => seen.push('b'));
    assert.deepEqual(seen, []);
    future.setResult(1);
    assert.deepEqual(seen, ['a:true', 'b']);
  });

  it('runs a callback at once, inside addDoneCallback, on a done future', () => {
    const future = createFuture('finished', { result: 1 });
    let called = false;
    future.addDoneCallback(() => (called = true));
    assert.equal(called, true);
  });

  it('runs callbacks inside cancel()', () => {
    const future = createFuture('pending');
    let calledWith: Future | undefined;
    future.addDoneCallback((f) => (calledWith = f));
    future.cancel();
    assert.equal(calledWith, future);
  });

  it('reports and swallows a callback that throws, and runs the next one', async () => {
    const future = createFuture('running');
    let second = false;
    future.addDoneCallback(() => {
      throw new Error('callback failure');
    });
    future.addDoneCallback(() => (second = true));
    const stderr = await capturingStderr(async () => future.setResult(1));
    assert.match(stderr, /^exception calling callback for <Future \d+ state=finished>\nError: callback failure/);
    assert.equal(second, true);
  });

  it('refuses a callback that is not a function', () => {
    assert.throws(() => createFuture('pending').addDoneCallback(5 as never), {
      name: 'TypeError',
      message: /Expected a callback function, got `5`/,
    });
  });
});

describe('Future.stop without a pool', () => {
  it('cancels a pending future and reports stopped', async () => {
    const future = createFuture('pending');
    assert.equal(await future.stop(), 'stopped');
    assert.equal(future.cancelled(), true);
  });

  it('reports alive when a running future does not end within the timeout, and stopped once it has', async () => {
    const future = createFuture('running');
    assert.equal(await future.stop({ timeout: 1 }), 'alive');
    future.setResult(1);
    assert.equal(await future.stop({ timeout: 1 }), 'stopped');
  });

  it('refuses force without a timeout, and a timeout that is not a number', async () => {
    const future = createFuture('running');
    await assert.rejects(future.stop({ force: true }), { name: 'TypeError', message: /`force` needs a `timeout`/ });
    await assert.rejects(future.stop({ timeout: '5' as never }), {
      name: 'TypeError',
      message: 'Expected `timeout` to be a number of milliseconds, got `"5"` (string)',
    });
  });
});

describe('Future as a promise', () => {
  it('is a native Promise, taken as it is by await and Promise.resolve; then() makes a plain Promise', async () => {
    const future = new Future<number>();
    assert.ok(future instanceof Promise);
    assert.ok(future instanceof Future);
    assert.equal(Promise.resolve(future), future, 'the engine takes it as a promise of its own');
    const derived = future.then((value) => value * 2);
    assert.ok(!(derived instanceof Future), 'then() makes a plain Promise');
    future.setResult(21);
    assert.equal(await derived, 42);
    assert.equal(await future, 21);
    assert.equal(await future.result(), 21);
  });

  it('rejects an await with the error, or CancelledError once cancelled', async () => {
    const failed = new Future();
    const error = new RangeError('out of range');
    failed.setException(error);
    await assert.rejects(
      async () => await failed,
      (thrown) => thrown === error,
    );
    const cancelled = new Future();
    cancelled.cancel();
    await assert.rejects(async () => await cancelled, CancelledError);
  });

  it('raises no unhandled rejection for a failed or cancelled future nobody awaits, as in Python', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', listener);
    try {
      new Future().setException(new Error('nobody awaits this'));
      new Future().cancel();
      const running = new Future();
      running.setRunningOrNotifyCancel();
      running.setException(new TypeError('nor this'));
      // Unhandled rejections are reported once the microtask queue drains, before the next turn.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', listener);
    }
    assert.deepEqual(unhandled, []);
  });

  it("settles through Promise's own statics called on Future", async () => {
    const future = Future.resolve(5) as Future<number>;
    assert.equal(await future, 5);
    assert.equal(future.done(), true);
    const rejected = Future.reject(new Error('no')) as Future<never>;
    await assert.rejects(rejected, /no/);
    assert.equal(rejected.done(), true);
  });
});
