// The bad inputs of DESIGN.md ("Errors on bad input") that the feature
// tests do not already cover, each with the message it must carry. Covered
// elsewhere: test/thread/thread.test.ts (Thread target, relative module
// path, args, start twice, join before start, joining the current thread,
// join timeouts), test/executor/pool.test.ts (maxWorkers, submit after
// shutdown, fn, pool args), test/sync/event.test.ts (fromBuffer, Event
// timeouts), test/executor/future.test.ts, wait.test.ts, timer.test.ts,
// stop.test.ts, abort-signal.test.ts and signals.slow-test.ts (their timeouts),
// test/executor/faults.test.ts and thread.test.ts (crashes).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Thread, ThreadExitError, ThreadPoolExecutor, Timer, asCompleted, mainThread, sleep } from 'skein';
import { joinOrFail, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

const relative = (what: string, path: string): string =>
  `${what} ${JSON.stringify(path)} is a relative path, which the thread cannot resolve: pass new URL(${JSON.stringify(path)}, import.meta.url) or an absolute path`;

describe('bad input: targets', () => {
  it('refuses an initializer that is neither a function nor a module target', () => {
    assert.throws(() => new ThreadPoolExecutor({ initializer: 42 as never }), {
      name: 'TypeError',
      message: 'Expected `initializer` to be a function or a module target { module, export? }, got `42` (number)',
    });
  });

  it('refuses a relative module path for an initializer, a Timer and a Thread subclass', () => {
    assert.throws(() => new ThreadPoolExecutor({ initializer: { module: './init.js' } }), {
      name: 'TypeError',
      message: relative('initializer.module', './init.js'),
    });
    assert.throws(() => new Timer(5, { module: '../ring.js' }), {
      name: 'TypeError',
      message: relative('target.module', '../ring.js'),
    });
    class Relative extends Thread {
      static module = './relative.js';
      override run(): void {}
    }
    assert.throws(() => new Relative().start(), {
      name: 'TypeError',
      message: relative('Relative.module', './relative.js'),
    });
  });
});

describe('bad input: arguments that cannot be sent', () => {
  it('names the initializer argument, and refuses initargs that are not an array', () => {
    assert.throws(() => new ThreadPoolExecutor({ initializer: () => {}, initargs: [1, () => 2] }), {
      name: 'TypeError',
      message: /^initializer argument 1 cannot be sent to a worker: it is a function/,
    });
    assert.throws(() => new ThreadPoolExecutor({ initargs: 5 as never }), {
      name: 'TypeError',
      message: 'Expected `initargs` to be an array, got `5` (number)',
    });
  });

  it('refuses a WeakMap, WeakSet or WeakRef argument when submitted or started, naming it', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.throws(() => pool.submit((_a: unknown, _b: unknown) => 0, 1, new WeakMap()), {
      name: 'TypeError',
      message: 'argument 1 cannot be sent to a worker: it is a WeakMap, which cannot be copied between threads',
    });
    assert.throws(() => pool.submit((_a: unknown) => 0, { cache: new WeakSet() }), {
      name: 'TypeError',
      message: 'argument 0 cannot be sent to a worker: it holds a WeakSet, which cannot be copied between threads',
    });
    assert.throws(() => new Thread({ target: (_r: unknown) => {}, args: [new WeakRef({})], name: 'weak' }).start(), {
      name: 'TypeError',
      message:
        'argument 0 of thread "weak" cannot be sent to a thread: it is a WeakRef, which cannot be copied between threads',
    });
    assert.throws(() => new Timer(5, (_m: unknown) => {}, [new WeakMap()] as never).start(), {
      name: 'TypeError',
      message: /^argument 0 of thread "Thread-\d+" cannot be sent to a thread: it is a WeakMap/,
    });
  });

  it('fails a task whose result cannot be sent back, saying so; the pool carries on', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const error = await within(pool.submit(() => new WeakMap()).exception(), 10_000, 'see the task fail');
    assert.ok(error instanceof TypeError);
    assert.match(
      error.message,
      // The clone error's own words are the runtime's (V8: "#<WeakMap> could not be cloned.").
      /^the result of task \d+ cannot be sent back to the pool: .*(?:could not|can ?not) be cloned/,
    );
    assert.equal(await pool.submit(() => 'next'), 'next');
  });
});

describe('bad input: skein objects that cannot be sent', () => {
  it('refuses a Thread, a ThreadPoolExecutor or a Future as an argument, saying what to pass instead', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const other = new Thread({ target: () => {}, name: 'other' });
    const future = pool.submit(() => 1);
    const take = (_x: unknown) => 0;
    assert.throws(() => new Thread({ target: take, args: [other], name: 'taker' }).start(), {
      name: 'TypeError',
      message:
        'argument 0 of thread "taker" cannot be sent to a thread: it is a Thread, whose handle stays in the thread ' +
        "that created it: pass what the other thread needs (an Event to wait on, the thread's result once joined)",
    });
    assert.throws(() => pool.submit(take, { pool }), {
      name: 'TypeError',
      message:
        'argument 0 cannot be sent to a worker: it holds a ThreadPoolExecutor, which stays in the thread that ' +
        'created it: submit the work from here, or create a pool inside the thread',
    });
    assert.throws(() => pool.submit(take, future), {
      name: 'TypeError',
      message: 'argument 0 cannot be sent to a worker: it is a Future: await it first and pass its result',
    });
    class Holder extends Thread {
      held = future;
      override run(): void {}
    }
    assert.throws(() => new Holder({ name: 'holder' }).start(), {
      name: 'TypeError',
      message:
        'field `held` of thread "holder" (Holder) cannot be sent to its thread: it is a Future: await it first and pass its result',
    });
    assert.equal(await future, 1);
  });
});

describe('bad input: Thread subclasses', () => {
  it('refuses at start() a subclass with a private instance member, naming it; static ones are fine', async () => {
    class Counter extends Thread {
      #count = 0;
      override run(): number {
        return ++this.#count;
      }
    }
    assert.throws(() => new Counter().start(), {
      name: 'TypeError',
      message:
        'Thread subclass `Counter` declares the private member #count, which cannot reach its thread: the thread ' +
        'runs on a copy of the object made from its public fields, without running its constructor. Make it a ' +
        "public field (`count`, or TypeScript's `private count`), or pass it in args",
    });
    class Helper extends Thread {
      #double(n: number): number {
        return n * 2;
      }
      override run(): number {
        return this.#double(2);
      }
    }
    class Subclass extends Helper {}
    assert.throws(() => new Subclass().start(), {
      message: /^Thread subclass `Helper` declares the private member #double,/,
    });
    class Tally extends Thread {
      static #made = 0;
      static made(): number {
        return ++Tally.#made;
      }
      count = 2;
      override run(): number {
        return this.count * 21;
      }
    }
    const tally = new Tally();
    tally.start();
    await joinOrFail(tally);
    assert.equal(tally.exception, undefined);
    assert.equal(tally.result, 42);
  });
});

describe('bad input: joining', () => {
  it('refuses to join the main thread from a thread', async () => {
    const thread = new Thread({
      target: async () => {
        const messages: string[] = [];
        try {
          mainThread().joinSync();
        } catch (error) {
          messages.push(`${(error as Error).name}: ${(error as Error).message}`);
        }
        await mainThread()
          .join()
          .catch((error: Error) => messages.push(`${error.name}: ${error.message}`));
        return messages;
      },
    });
    thread.start();
    await joinOrFail(thread);
    assert.deepEqual(thread.result, [
      'RuntimeError: cannot join the main thread',
      'RuntimeError: cannot join the main thread',
    ]);
  });
});

describe('bad input: timeouts', () => {
  it('refuses a timeout that is not a number, or NaN, in sleep, asCompleted, map and joinSync', async () => {
    const notANumber = (name: string, shown: string) => ({
      name: 'TypeError',
      message: `Expected \`${name}\` to be a number of milliseconds, got ${shown}`,
    });
    const nan = (name: string) => ({
      name: 'RangeError',
      message: `Expected \`${name}\` to be a number of milliseconds, got NaN`,
    });
    assert.throws(() => sleep('1' as never), notANumber('ms', '`"1"` (string)'));
    assert.throws(() => sleep(NaN), nan('ms'));
    assert.throws(() => asCompleted([], 'x' as never), notANumber('timeoutMs', '`"x"` (string)'));
    assert.throws(() => asCompleted([], NaN), nan('timeoutMs'));
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.throws(
      () => pool.map((n: number) => n, [1], { timeout: 'x' as never }),
      notANumber('timeout', '`"x"` (string)'),
    );
    assert.throws(() => pool.map((n: number) => n, [1], { timeout: NaN }), nan('timeout'));
    assert.throws(() => new Thread().joinSync(NaN), nan('timeoutMs'));
  });

  it('refuses force without a timeout in shutdown({ stopRunning })', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    await assert.rejects(pool.shutdown({ stopRunning: true, force: true }), {
      name: 'TypeError',
      message:
        '`force` needs a `timeout`: it terminates what has not stopped by then. ' +
        'Pass { timeout: ms, force: true }, or { timeout: 0, force: true } to terminate at once',
    });
    await pool.shutdown();
  });
});

describe('bad input: crashes', () => {
  it('fails a pool task that runs out of memory with an error saying so', async () => {
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    const error = await within(
      pool
        .submit(() => {
          const hoard: number[][] = [];
          for (;;) hoard.push(new Array(100_000).fill(hoard.length));
        })
        .exception(),
      30_000,
      'see the task run out of memory',
    );
    assert.ok(error instanceof ThreadExitError);
    assert.equal(
      error.message,
      'the task ran out of memory: its worker was stopped at the resourceLimits it was given (the pool replaced it)',
    );
    assert.equal(await pool.submit(() => 'replaced'), 'replaced');
  });
});
