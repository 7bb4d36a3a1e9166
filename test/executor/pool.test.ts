import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BrokenThreadPool,
  CancelledError,
  Event,
  RuntimeError,
  ThreadPoolExecutor,
  TimeoutError,
  currentThread,
  liveStoppables,
  type Future,
} from 'skein';
import { futureId } from '../../dist/internal.js';
import { within } from '../helpers/bounded.js';
import { checkLeaksAfterEach, expectNoLiveWorkers, liveWorkerCount } from '../helpers/leak-check.js';
import { capturingStderr } from '../helpers/threads.js';

checkLeaksAfterEach();

/** A task parked on `gate` until the test opens it, reporting through `parked` that it got there. */
const parkedTask = (gate: Event, parked: Event, value: number): number => {
  parked.set();
  gate.wait(30_000);
  return value;
};

describe('ThreadPoolExecutor basics', () => {
  it('runs a task and returns its result through the future', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const future = pool.submit((a: number, b: number) => a + b, 20, 22);
    assert.equal(await within(future.result(), 10_000, 'get the result'), 42);
    assert.equal(future.done(), true);
    assert.equal(future.state, 'finished');
  });

  it('starts workers lazily and reuses them, named PREFIX_N', async () => {
    const before = liveWorkerCount();
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1, threadNamePrefix: 'crunch' });
    assert.equal(liveWorkerCount(), before, 'no worker before the first task');
    const names = new Set<string>();
    for (let i = 0; i < 5; i++) names.add(await pool.submit(() => currentThread().name));
    assert.deepEqual([...names], ['crunch_0']);
  });

  it('names default prefixes ThreadPoolExecutor-K', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.match(await pool.submit(() => currentThread().name), /^ThreadPoolExecutor-\d+_0$/);
  });

  it('runs 2,000 trivial tasks with correct results', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const futures = Array.from({ length: 2_000 }, (_, i) => pool.submit((n: number) => n * 3, i));
    const results = await within(Promise.all(futures), 30_000, 'finish 2,000 tasks');
    assert.deepEqual(
      results,
      Array.from({ length: 2_000 }, (_, i) => i * 3),
    );
  });

  it('delivers Events in arguments working, and a task error with its stack', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const event = new Event();
    await pool.submit((e: { inner: Event }) => e.inner.set(), { inner: event });
    assert.equal(event.isSet(), true);
    const failing = pool.submit(function explode() {
      throw Object.assign(new TypeError('bad task'), { code: 'E_BAD' });
    });
    const error = (await failing.exception()) as TypeError & { code: string };
    assert.ok(error instanceof TypeError);
    assert.equal(error.code, 'E_BAD');
    assert.match(error.stack ?? '', /explode/);
    await assert.rejects(failing.result(), error);
  });

  it('names a free variable a task cannot have', async () => {
    const factor = 3;
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const error = (await pool.submit(() => factor * 2).exception()) as Error;
    assert.match(error.message, /^`factor` is not defined in a task of .*Pass factor in `args`/);
  });

  it('keeps working after a done callback throws', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const reported = await capturingStderr(async () => {
      const future = pool.submit(() => 1);
      future.addDoneCallback(() => {
        throw new Error('callback exploded');
      });
      await future;
    });
    assert.match(reported, /exception calling callback for <Future \d+ state=finished>\nError: callback exploded/);
    assert.equal(await pool.submit(() => 'still fine'), 'still fine');
  });
});

describe('ThreadPoolExecutor task reports', () => {
  // A worker reports the task it runs, and only that one: a report for
  // another task (here forged by a task for the one queued behind it) is
  // not taken for that task.
  it('takes a report for a task only from the worker running it', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const victimId = new Int32Array(new SharedArrayBuffer(4));
    const ready = new Event();
    const forger = pool.submit(
      async (victimId: Int32Array, ready: Event) => {
        const { workerData } = await import('node:worker_threads');
        if (!ready.wait(10_000)) throw new Error('failed to learn the victim id in 10 seconds');
        const port = (workerData as { skein: { port: { postMessage(message: unknown): void } } }).skein.port;
        const id = Atomics.load(victimId, 0);
        port.postMessage({ type: 'outcome', id, status: 'ok', value: 'forged', hasEvents: false });
        return id;
      },
      victimId,
      ready,
    );
    const victim = pool.submit((n: number) => n * 2, 21);
    Atomics.store(victimId, 0, futureId(victim));
    ready.set();
    assert.equal(await within(forger.result(), 10_000, 'run the forger'), futureId(victim));
    assert.equal(await within(victim.result(), 10_000, 'run the victim'), 42);
  });
});

describe('ThreadPoolExecutor cancelled tasks', () => {
  // A function's source goes to each worker once, before its first task is
  // queued; a worker that skips that first task (cancelled before it ran)
  // must still load the function for the next.
  it('runs the later tasks of a function whose first task was cancelled while queued', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const gate = new Event();
    const parked = new Event();
    const blocker = pool.submit(parkedTask, gate, parked, 0);
    assert.equal(await parked.waitAsync(10_000), true, 'the worker is busy');
    const triple = (n: number): number => n * 3;
    const first = pool.submit(triple, 1);
    const second = pool.submit(triple, 2);
    assert.equal(first.cancel(), true);
    gate.set();
    assert.equal(await within(blocker.result(), 10_000, 'run the blocker'), 0);
    assert.equal(await within(second.result(), 10_000, 'run the second task'), 6);
  });
});

describe('ThreadPoolExecutor.map', () => {
  it('yields results in input order and throws a task error at its position', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const value of pool.map(
          (n: number) => {
            if (n === 3) throw new RangeError('three');
            return n * 10;
          },
          [0, 1, 2, 3, 4],
        )) {
          seen.push(value);
        }
      })(),
      { name: 'RangeError', message: 'three' },
    );
    assert.deepEqual(seen, [0, 10, 20]);
  });

  it('submits every call at once, when map() is called', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const results = pool.map((c: Int32Array) => Atomics.add(c, 0, 1), [counter, counter, counter]);
    await pool.submit(() => 0); // a later task; the three map calls were queued before it
    await within(pool.shutdown(), 10_000, 'shut down');
    assert.equal(Atomics.load(counter, 0), 3, 'all ran without the iterator being read');
    const collected: number[] = [];
    for await (const value of results) collected.push(value);
    assert.deepEqual(collected.sort(), [0, 1, 2]);
  });

  it('cancels the calls not yet started when the loop breaks early', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const gate = new Event();
    const parked = new Event();
    const first = pool.submit(parkedTask, gate, parked, 0);
    await within(parked.waitAsync(), 10_000, 'see the first task run');
    const iterator = pool.map((n: number) => n, [1, 2, 3]);
    const breaking = (async () => {
      for await (const value of iterator) return value;
      return undefined;
    })();
    gate.set();
    assert.equal(await breaking, 1);
    assert.equal(await first, 0);
  });

  it('throws TimeoutError when the results are not ready in time, counted from the call', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const gate = new Event();
    const parked = new Event();
    // The task parks itself inline: a task cannot see parkedTask, a variable of this module.
    const results = pool.map(
      ([gate, parked]: [Event, Event]) => {
        parked.set();
        return gate.wait(30_000);
      },
      [[gate, parked]] as [Event, Event][],
      { timeout: 10 },
    );
    await assert.rejects(results.next(), TimeoutError);
    gate.set();
  });
});

describe('ThreadPoolExecutor.shutdown', () => {
  it('refuses new work after shutdown, and can be called again', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    await pool.submit(() => 1);
    await pool.shutdown();
    await pool.shutdown();
    assert.throws(() => pool.submit(() => 2), {
      name: 'RuntimeError',
      message: 'cannot schedule new futures after shutdown',
    });
    assert.ok(new RuntimeError('x') instanceof Error);
  });

  it('finishes queued work by default, and cancels only pending futures with cancelFutures', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const gate = new Event();
    const parked = new Event();
    const running = pool.submit(parkedTask, gate, parked, 1);
    const queued = [pool.submit(() => 2), pool.submit(() => 3)];
    await within(parked.waitAsync(), 10_000, 'see the first task run');
    const shutting = pool.shutdown({ cancelFutures: true });
    assert.equal(running.running(), true);
    assert.ok(queued.every((future) => future.cancelled()));
    gate.set();
    await within(shutting, 10_000, 'shut down');
    assert.equal(await running, 1);
    await assert.rejects(queued[0]!.result(), CancelledError);

    const patient = new ThreadPoolExecutor({ maxWorkers: 1 });
    const all = [1, 2, 3].map((n) => patient.submit((x: number) => x, n));
    await patient.shutdown({ wait: false });
    assert.deepEqual(await within(Promise.all(all), 10_000, 'finish after shutdown({ wait: false })'), [1, 2, 3]);
    await patient.shutdown();
  });

  it('leaves the registry of stoppables once wound down, also after shutdown({ wait: false })', async () => {
    const before = liveStoppables().length;
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.equal(liveStoppables().length, before + 1, 'a live pool is registered (stopOnSignals stops it)');
    const task = pool.submit((n: number) => n, 7);
    await pool.shutdown({ wait: false });
    assert.equal(await task, 7);
    await expectNoLiveWorkers(10_000); // its worker has exited, and the turn after
    // Runtimes without async_hooks WORKER resources (Bun, Deno) return at once above: wait for the unregistering.
    for (let turn = 0; liveStoppables().length !== before; turn++) {
      if (turn > 100_000) assert.fail('failed to see the pool leave the registry in 100,000 turns of the event loop');
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(liveStoppables().length, before);
  });

  it('resolves every shutdown() called while tasks run, not only the last', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const gate = new Event();
    const parked = new Event();
    const running = pool.submit(parkedTask, gate, parked, 1);
    await within(parked.waitAsync(), 10_000, 'see the task run');
    const shutdowns = [pool.shutdown(), pool.shutdown(), pool.shutdown({ wait: true })];
    gate.set();
    await within(Promise.all(shutdowns), 10_000, 'see all three shutdowns resolve');
    assert.equal(await running, 1);
  });

  it('stops running tasks with one shared Event, then shuts down cleanly', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 4 });
    const stop = new Event();
    const started = [0, 1, 2, 3].map(() => new Event());
    const futures = started.map((ready, i) =>
      pool.submit(
        (stop: Event, ready: Event, i: number) => {
          ready.set();
          let spins = 0;
          while (!stop.isSet()) spins++;
          return `task ${i} stopped after ${spins >= 0 ? 'spinning' : ''}`;
        },
        stop,
        ready,
        i,
      ),
    );
    await within(Promise.all(started.map((ready) => ready.waitAsync())), 20_000, 'see all four tasks running');
    stop.set();
    assert.deepEqual(
      await within(Promise.all(futures), 10_000, 'see the tasks stop'),
      [0, 1, 2, 3].map((i) => `task ${i} stopped after spinning`),
    );
    await within(pool.shutdown(), 10_000, 'shut down');
  });
});

describe('ThreadPoolExecutor initializer', () => {
  it('runs the initializer once in each worker before its tasks', async () => {
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      initializer: (greeting: string) => {
        (globalThis as { greeting?: string }).greeting = greeting;
      },
      initargs: ['hello'],
    });
    assert.equal(await pool.submit(() => (globalThis as { greeting?: string }).greeting), 'hello');
  });

  it('breaks the pool when the initializer fails: pending futures and later submits get BrokenThreadPool', async () => {
    const pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      initializer: () => {
        throw new Error('no database');
      },
    });
    const futures: Future<number>[] = [pool.submit(() => 1), pool.submit(() => 2)];
    for (const future of futures) {
      const error = await within(future.exception(), 10_000, 'see the pool break');
      assert.ok(error instanceof BrokenThreadPool, String(error));
      assert.match((error as Error).message, /initializer failed.*no database/);
    }
    assert.throws(() => pool.submit(() => 3), BrokenThreadPool);
    await within(pool.shutdown(), 10_000, 'shut down a broken pool');
  });
});

describe('ThreadPoolExecutor bad input', () => {
  it('refuses maxWorkers that is not an integer ≥ 1, echoing it', () => {
    assert.throws(() => new ThreadPoolExecutor({ maxWorkers: 0 }), {
      name: 'RangeError',
      message: 'Expected `maxWorkers` to be an integer ≥ 1, got `0` (number)',
    });
    assert.throws(() => new ThreadPoolExecutor({ maxWorkers: 1.5 }), {
      name: 'RangeError',
      message: /got `1.5` \(number\)/,
    });
    assert.throws(() => new ThreadPoolExecutor({ maxWorkers: '2' as never }), {
      name: 'TypeError',
      message: /got `"2"` \(string\)/,
    });
  });

  it('refuses fn that is neither a function nor a module target', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.throws(() => pool.submit(42 as never), {
      name: 'TypeError',
      message: 'Expected `fn` to be a function or a module target { module, export? }, got `42` (number)',
    });
    assert.throws(() => pool.submit({ module: './x.js' }), { name: 'TypeError', message: /relative path/ });
  });

  it('names an argument that cannot be sent', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.throws(
      () =>
        pool.submit(
          (_a: number, _b: unknown) => 0,
          1,
          () => 2,
        ),
      {
        name: 'TypeError',
        message: /^argument 1 cannot be sent to a worker: it is a function/,
      },
    );
    assert.throws(() => pool.submit((_a: unknown) => 0, { nested: [Symbol('s')] }), {
      name: 'TypeError',
      message: /^argument 0 cannot be sent to a worker: it holds a symbol/,
    });
  });

  it('refuses a bad map timeout and a non-iterable', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.throws(() => pool.map((n: number) => n, [1], { timeout: 'x' as never }), TypeError);
    assert.throws(() => pool.map((n: number) => n, 5 as never), {
      name: 'TypeError',
      message: 'Expected `iterable` to be an iterable or an async iterable, got `5` (number)',
    });
  });
});
