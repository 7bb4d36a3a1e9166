// Errors and results a careless or hostile task produces: every future
// settles, with an error that says what happened, and the pool carries on.
// The worker's serializer never throws: what it cannot read or send it
// replaces with a `[skein: …]` note.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrokenThreadPool, Thread, ThreadPoolExecutor } from 'skein';
import { joinOrFail, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { withHook } from '../helpers/threads.js';

checkLeaksAfterEach();

describe('hostile task errors and results', () => {
  it('fails a task whose error has a message that is not a string, with that message as a string', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const error = await within(
      pool
        .submit(() => {
          const error = new Error('not found');
          (error as unknown as { message: number }).message = 404;
          throw error;
        })
        .exception(),
      10_000,
      'see the task fail',
    );
    assert.ok(error instanceof Error);
    assert.equal(error.message, '404');
    assert.equal(await pool.submit(() => 'next'), 'next');
  });

  it('fails (not cancels) a task whose error has a message getter that throws, saying so', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const future = pool.submit(() => {
      const error = new RangeError('unused');
      Object.defineProperty(error, 'message', {
        get() {
          throw new Error('no message for you');
        },
      });
      throw error;
    });
    const error = await within(future.exception(), 10_000, 'see the task fail');
    assert.equal(future.cancelled(), false);
    assert.ok(error instanceof RangeError);
    assert.equal(error.message, '[skein: the message could not be read: reading it threw Error: no message for you]');
    assert.equal(await pool.submit(() => 'next'), 'next');
  });

  it('fails a task whose result has a getter that throws, on a worker that has run the function before', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const make = (hostile: boolean) =>
      hostile
        ? {
            get boom(): never {
              throw new Error('getter says no');
            },
          }
        : { fine: true };
    assert.deepEqual(await pool.submit(make, false), { fine: true }, 'the worker now has the function');
    const error = await within(pool.submit(make, true).exception(), 10_000, 'see the task fail');
    assert.ok(error instanceof TypeError, `got ${String(error)}`);
    assert.match(error.message, /^the result of task \d+ cannot be sent back to the pool: getter says no$/);
    assert.equal(await pool.submit(() => 'next'), 'next');
  });

  it('delivers a result holding an error whose cause is itself, which V8 alone cannot deserialize', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const result = await within(
      pool
        .submit(() => {
          const error = new RangeError('loops');
          Object.defineProperty(error, 'cause', { value: error });
          return { error };
        })
        .result(),
      10_000,
      'see the task finish',
    );
    const { error } = result as { error: RangeError };
    assert.ok(error instanceof RangeError);
    assert.equal(error.cause, error);
    assert.equal(await pool.submit(() => 'next'), 'next');
  });

  it('breaks the pool when the initializer throws an error whose message getter throws; futures settle', async () => {
    const pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      initializer: () => {
        const error = new Error('unused');
        Object.defineProperty(error, 'message', {
          get() {
            throw new TypeError('hostile');
          },
        });
        throw error;
      },
    });
    try {
      const error = await within(pool.submit(() => 1).exception(), 10_000, 'see the pending future fail');
      assert.ok(error instanceof BrokenThreadPool);
      assert.equal(
        error.message,
        'a worker initializer failed, so the pool cannot run tasks: ' +
          '[skein: the message could not be read: reading it threw TypeError: hostile]',
      );
      assert.throws(() => pool.submit(() => 2), BrokenThreadPool);
    } finally {
      await pool.shutdown();
    }
  });

  it('breaks the pool when the initializer calls process.exit(), instead of replacing workers forever', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1, initializer: () => process.exit(3) });
    try {
      const error = await within(pool.submit(() => 1).exception(), 10_000, 'see the pending future fail');
      assert.ok(error instanceof BrokenThreadPool);
      assert.equal(
        error.message,
        'a worker initializer failed, so the pool cannot run tasks: the initializer called process.exit(3)',
      );
    } finally {
      await pool.shutdown();
    }
  });
});

describe('hostile thread errors', () => {
  it('reports a thread that throws undefined: its exception is an Error saying so, and the hook is called', async () => {
    await withHook(async (calls) => {
      const thread = new Thread({
        target: () => {
          throw undefined;
        },
        name: 'nothing',
      });
      thread.start();
      await joinOrFail(thread);
      assert.ok(thread.exception instanceof Error);
      assert.equal(thread.exception.message, 'thread "nothing" threw undefined, which is not an error');
      assert.equal(calls.length, 1);
      assert.equal(calls[0]!.excValue, thread.exception);
    });
  });

  it('delivers an error with hostile getters everywhere, and a cause cycle, as an error', async () => {
    await withHook(async (calls) => {
      const thread = new Thread({
        target: () => {
          const error = new SyntaxError('unused');
          for (const key of ['stack', 'name', 'message']) {
            Object.defineProperty(error, key, {
              get() {
                throw new Error(`no ${key}`);
              },
            });
          }
          Object.defineProperty(error, 'detail', {
            enumerable: true,
            get() {
              throw new Error('no detail');
            },
          });
          (error as { cause?: unknown }).cause = error;
          throw error;
        },
      });
      thread.start();
      await joinOrFail(thread);
      const error = thread.exception as SyntaxError & { detail: unknown };
      assert.ok(error instanceof SyntaxError);
      assert.equal(error.name, 'SyntaxError');
      assert.equal(error.message, '[skein: the message could not be read: reading it threw Error: no message]');
      assert.equal(error.detail, '[skein: reading it threw Error: no detail]');
      assert.equal(error.cause, error, 'the cycle is kept');
      assert.equal(calls.length, 1);
    });
  });
});
