import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Event,
  RuntimeError,
  StopError,
  Thread,
  ThreadExitError,
  activeCount,
  currentThread,
  enumerate,
  mainThread,
  sleepSync,
  stopEvent,
  throwIfStopped,
  setExcepthook,
} from 'skein';
import { joinOrFail, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { capturingStderr, withHook } from '../helpers/threads.js';

checkLeaksAfterEach();

/** A thread parked on `gate` until the test opens it; `parked` says it got there. */
function parkedThread(gate: Event, parked: Event, options: { daemon?: boolean; name?: string } = {}): Thread {
  return new Thread({
    target: (gate: Event, parked: Event) => {
      parked.set();
      gate.wait(30_000);
      return 'released';
    },
    args: [gate, parked],
    ...options,
  });
}

describe('Thread lifecycle', () => {
  it('is alive from start() returning until it has ended', async () => {
    const gate = new Event();
    const parked = new Event();
    const thread = parkedThread(gate, parked);
    assert.equal(thread.isAlive(), false);
    thread.start();
    assert.equal(thread.isAlive(), true);
    await within(parked.waitAsync(), 10_000, 'see the thread run');
    assert.equal(thread.isAlive(), true);
    assert.equal(await thread.join(0), false, 'a timed-out join returns false');
    assert.equal(thread.joinSync(1), false);
    assert.equal(thread.isAlive(), true, 'a timed-out join leaves the thread running');
    gate.set();
    await joinOrFail(thread);
    assert.equal(thread.isAlive(), false);
    assert.equal(thread.result, 'released');
    assert.equal(await thread.join(), true, 'joining an ended thread returns true at once');
  });

  it('joinSync blocks until the thread ends and delivers the result', () => {
    const thread = new Thread({ target: (n: number) => n * 2, args: [21] });
    thread.start();
    assert.equal(thread.joinSync(10_000), true);
    assert.equal(thread.isAlive(), false);
    assert.equal(thread.result, 42);
  });

  it('names threads Thread-N (target) by default, converts names, and treats "" as the default', () => {
    function task(): void {}
    const a = new Thread({ target: task });
    const b = new Thread({ target: task });
    const na = Number(/^Thread-(\d+) \(task\)$/.exec(a.name)?.[1]);
    const nb = Number(/^Thread-(\d+) \(task\)$/.exec(b.name)?.[1]);
    assert.ok(na > 0 && nb === na + 1, `sequential default names, got ${a.name} and ${b.name}`);
    assert.match(new Thread().name, /^Thread-\d+$/);
    assert.equal(new Thread({ name: 123 }).name, '123');
    assert.match(new Thread({ name: '' }).name, /^Thread-\d+$/);
    assert.equal(new Thread({ name: 'worker' }).name, 'worker');
    const renamed = new Thread({ target: task });
    renamed.name = 'renamed';
    assert.equal(renamed.name, 'renamed');
  });

  it('gives each started thread a distinct ident, undefined before start', async () => {
    const a = new Thread({ target: () => 1 });
    const b = new Thread({ target: () => 2 });
    assert.equal(a.ident, undefined);
    a.start();
    b.start();
    assert.equal(typeof a.ident, 'number');
    assert.notEqual(a.ident, b.ident);
    assert.notEqual(a.ident, mainThread().ident);
    await joinOrFail(a);
    await joinOrFail(b);
  });

  it('runs a Thread with no target as a valid thread that does nothing', async () => {
    const thread = new Thread();
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.result, undefined);
    assert.equal(thread.exception, undefined);
    assert.equal(thread.isAlive(), false);
  });

  it('knows the main thread and the current thread, inside and out', async () => {
    assert.equal(mainThread().name, 'MainThread');
    assert.equal(currentThread(), mainThread());
    assert.equal(mainThread().isAlive(), true);
    assert.equal(mainThread().daemon, false);
    const thread = new Thread({
      name: 'inner',
      target: () => ({
        name: currentThread().name,
        ident: currentThread().ident,
        alive: currentThread().isAlive(),
        main: mainThread().name,
        isMain: currentThread() === mainThread(),
        // skein's exports are in scope by name inside an inline target.
        count: enumerate().length,
      }),
    });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.exception, undefined);
    assert.deepEqual(thread.result, {
      name: 'inner',
      ident: thread.ident,
      alive: true,
      main: 'MainThread',
      isMain: false,
      count: 2,
    });
  });

  it('gives a worker skein did not create a dummy thread, whose stop request works and which starts threads', async () => {
    const { Worker } = await import('node:worker_threads');
    const skein = new URL('../../dist/index.js', import.meta.url).href;
    // A raw worker, as a user would write one, that uses skein inside.
    const source = `
      const { parentPort } = require('node:worker_threads');
      import(${JSON.stringify(skein)}).then(async ({ currentThread, stopEvent, throwIfStopped, Thread }) => {
        const self = currentThread();
        const before = stopEvent().isSet();
        stopEvent().set();
        let stopped = false;
        try { throwIfStopped(); } catch (error) { stopped = error.name === 'StopError'; }
        let joinError = '';
        try { self.joinSync(); } catch (error) { joinError = error.message; }
        const child = new Thread({ target: (n) => n * 2, args: [21] });
        child.start();
        await child.join();
        parentPort.postMessage({ name: self.name, daemon: self.daemon, alive: self.isAlive(), same: currentThread() === self,
          before, stopped, joinError, child: child.result });
      });`;
    const worker = new Worker(source, { eval: true });
    const report = await within(
      new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      }),
      20_000,
      'hear from the raw worker',
    );
    await worker.terminate();
    assert.deepEqual(report, {
      name: (report as { name: string }).name,
      daemon: true,
      alive: true,
      same: true,
      before: false,
      stopped: true,
      joinError: 'cannot join a dummy thread',
      child: 42,
    });
    assert.match((report as { name: string }).name, /^Dummy-\d+$/);
  });

  it('lists live threads in enumerate() and counts them in activeCount()', async () => {
    const gate = new Event();
    const parked = new Event();
    const thread = parkedThread(gate, parked, { name: 'listed' });
    const before = activeCount();
    thread.start();
    assert.ok(enumerate().includes(thread));
    assert.ok(enumerate().includes(mainThread()));
    assert.equal(activeCount(), before + 1);
    gate.set();
    await joinOrFail(thread);
    assert.ok(!enumerate().includes(thread));
    assert.equal(activeCount(), before);
  });

  it('inherits daemon from the creating thread, and refuses to change it once started', async () => {
    assert.equal(new Thread().daemon, false);
    assert.equal(new Thread({ daemon: true }).daemon, true);
    const thread = new Thread({
      daemon: true,
      target: () => {
        const child = new Thread();
        return child.daemon;
      },
    });
    thread.daemon = true;
    thread.start();
    assert.throws(() => (thread.daemon = false), {
      name: 'RuntimeError',
      message: 'cannot set daemon status of active thread',
    });
    await joinOrFail(thread);
    assert.equal(thread.result, true, 'a thread created in a daemon thread is a daemon');
  });

  it('shows name and state when inspected', async () => {
    const { inspect } = await import('node:util');
    const thread = new Thread({ name: 'shown', target: () => {} });
    assert.equal(inspect(thread), '<Thread(shown, initial)>');
    thread.start();
    await joinOrFail(thread);
    assert.equal(inspect(thread), '<Thread(shown, stopped)>');
  });
});

describe('Thread results and errors', () => {
  it('keeps the result of an async target once its promise settles', async () => {
    const thread = new Thread({
      target: async (n: number) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return n + 1;
      },
      args: [1],
    });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.result, 2);
  });

  it('ends an async target when its promise settles, dropping what it left scheduled', async () => {
    const thread = new Thread({
      target: async () => {
        setInterval(() => {}, 1_000);
        setTimeout(() => {}, 60_000);
        return 'done';
      },
    });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.result, 'done');
  });

  it('keeps the thread’s own stack, name, message and own properties in exception, and calls the hook once', async () => {
    await withHook(async (calls) => {
      const thread = new Thread({
        target: function failingTask() {
          throw Object.assign(new RangeError('out of range'), { code: 'E_RANGE', detail: { n: 1 } });
        },
      });
      thread.start();
      assert.equal(await thread.join(10_000), true, 'join resolves true: it never rejects because the target threw');
      const error = thread.exception as RangeError & { code: string; detail: unknown };
      assert.ok(error instanceof RangeError);
      assert.equal(error.name, 'RangeError');
      assert.equal(error.message, 'out of range');
      assert.equal(error.code, 'E_RANGE');
      assert.deepEqual(error.detail, { n: 1 });
      assert.match(error.stack ?? '', /failingTask/);
      assert.equal(calls.length, 1);
      assert.equal(calls[0]!.excType, 'RangeError');
      assert.equal(calls[0]!.excValue, error);
      assert.equal(calls[0]!.thread, thread);
    });
  });

  it('keeps a custom error name and its cause', async () => {
    await withHook(async () => {
      const thread = new Thread({
        target: () => {
          class ParseError extends Error {
            override name = 'ParseError';
          }
          throw new ParseError('bad input', { cause: new Error('root cause') });
        },
      });
      thread.start();
      await joinOrFail(thread);
      const error = thread.exception as Error;
      assert.equal(error.name, 'ParseError');
      assert.equal((error.cause as Error).message, 'root cause');
    });
  });

  it('reports a thrown non-Error value as it was thrown', async () => {
    await withHook(async (calls) => {
      const thread = new Thread({
        target: () => {
          throw 'plain string'; // eslint-disable-line no-throw-literal
        },
      });
      thread.start();
      await joinOrFail(thread);
      assert.equal(thread.exception, 'plain string');
      assert.equal(calls[0]?.excType, 'string');
    });
  });

  it('reports an error of an async target, and an uncaught error in a callback it scheduled', async () => {
    await withHook(async (calls) => {
      const rejected = new Thread({
        target: async () => {
          await null;
          throw new Error('async failure');
        },
      });
      const scheduled = new Thread({
        target: () =>
          new Promise(() => {
            setTimeout(() => {
              throw new Error('timer failure');
            }, 1);
          }),
      });
      rejected.start();
      scheduled.start();
      await joinOrFail(rejected);
      await joinOrFail(scheduled);
      assert.equal((rejected.exception as Error).message, 'async failure');
      assert.equal((scheduled.exception as Error).message, 'timer failure');
      assert.equal(calls.length, 2);
    });
  });

  it('reports a hook that throws and carries on', async () => {
    setExcepthook(() => {
      throw new Error('the hook itself failed');
    });
    const thread = new Thread({
      target: () => {
        throw new Error('thread failure');
      },
    });
    try {
      const stderr = await capturingStderr(async () => {
        thread.start();
        await joinOrFail(thread);
      });
      assert.match(stderr, /^Exception in threading\.excepthook:\nError: the hook itself failed\n/m);
    } finally {
      setExcepthook(null);
    }
    assert.equal((thread.exception as Error).message, 'thread failure');
  });

  it('prints Python’s message from the default hook', async () => {
    function explode(): never {
      throw new Error('kaboom');
    }
    const thread = new Thread({ target: explode });
    const stderr = await capturingStderr(async () => {
      thread.start();
      await joinOrFail(thread);
    });
    assert.match(stderr, /^Exception in thread Thread-\d+ \(explode\):\nError: kaboom\n\s+at explode/m);
  });

  it('ends a thread cleanly on StopError: no exception, no hook', async () => {
    await withHook(async (calls) => {
      const thread = new Thread({
        target: () => {
          stopEvent().set(); // the thread asks itself, to test the clean stop alone
          throwIfStopped();
          return 'not reached';
        },
      });
      thread.start();
      await joinOrFail(thread);
      assert.equal(thread.exception, undefined);
      assert.equal(thread.result, undefined);
      assert.equal(calls.length, 0);
    });
    assert.ok(new StopError() instanceof Error);
  });

  it('ends just the thread on process.exit(0), silently; reports a non-zero code', async () => {
    await withHook(async (calls) => {
      const clean = new Thread({ target: () => process.exit(0) });
      const failed = new Thread({ target: () => process.exit(3) });
      clean.start();
      failed.start();
      await joinOrFail(clean);
      await joinOrFail(failed);
      assert.equal(clean.exception, undefined);
      const error = failed.exception as ThreadExitError;
      assert.ok(error instanceof ThreadExitError);
      assert.equal(error.exitCode, 3);
      assert.equal(error.reason, 'exit');
      assert.match(error.message, /called process\.exit\(3\)/);
      assert.equal(calls.length, 1);
    });
  });

  it('reports a thread that runs out of memory under resourceLimits', async () => {
    await withHook(async (calls) => {
      const thread = new Thread({
        resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
        target: () => {
          const hoard: number[][] = [];
          for (;;) hoard.push(new Array(100_000).fill(hoard.length));
        },
      });
      thread.start();
      await joinOrFail(thread, 30_000);
      const error = thread.exception as ThreadExitError;
      assert.ok(error instanceof ThreadExitError, String(error));
      assert.equal(error.reason, 'out-of-memory');
      assert.match(error.message, /ran out of memory/);
      assert.equal(calls.length, 1);
    });
  });

  it('reports a result that cannot be sent back', async () => {
    await withHook(async () => {
      const thread = new Thread({ target: () => () => 'a function' });
      thread.start();
      await joinOrFail(thread);
      assert.match(String((thread.exception as Error).message), /result of thread .* cannot be sent back/);
    });
  });
});

describe('Thread subclasses', () => {
  class Counter extends Thread {
    constructor(
      public readonly limit: number,
      public readonly halt: Event,
    ) {
      super({ name: 'counter' });
    }

    override run(): unknown {
      let count = 0;
      while (count < this.limit && !this.halt.isSet()) count++;
      return { count, self: currentThread() === this, isCounter: this instanceof Counter };
    }
  }

  it('runs an overridden run() with the instance fields, Events working', async () => {
    const thread = new Counter(1_000, new Event());
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.exception, undefined);
    assert.deepEqual(thread.result, { count: 1_000, self: true, isCounter: true });
  });

  it('runs a subclass of a subclass', async () => {
    class Doubler extends Counter {
      override run(): unknown {
        const base = super.run() as { count: number };
        return base.count * 2;
      }
    }
    const thread = new Doubler(10, new Event());
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.exception, undefined);
    assert.equal(thread.result, 20);
  });

  it('names a field that cannot be sent', () => {
    class Holder extends Thread {
      callback = (): void => {};
      override run(): void {}
    }
    assert.throws(() => new Holder().start(), {
      name: 'TypeError',
      message: /field `callback` of thread "Thread-\d+" \(Holder\) cannot be sent to its thread: it is a function/,
    });
  });
});

describe('Thread targets', () => {
  it('names a free variable an inline target cannot have, pointing to module targets', async () => {
    const limit = 10;
    await withHook(async (calls) => {
      const thread = new Thread({ target: () => limit * 2 });
      thread.start();
      await joinOrFail(thread);
      const error = thread.exception as ReferenceError;
      assert.ok(error instanceof ReferenceError);
      assert.match(
        error.message,
        /^`limit` is not defined in thread .*inline target.*Pass limit in `args`, or use a module target/,
      );
      assert.match(error.stack ?? '', /^ReferenceError: `limit` is not defined/);
      assert.equal(calls.length, 1);
    });
  });

  it('lets an inline target use globals and await import()', async () => {
    const thread = new Thread({
      target: async () => {
        const { createHash } = await import('node:crypto');
        return (
          createHash('sha256')
            .update(JSON.stringify([1, 2]))
            .digest('hex').length + Math.max(1, 2)
        );
      },
    });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.exception, undefined);
    assert.equal(thread.result, 66);
  });

  it('compiles a method used as a target', async () => {
    const holder = {
      compute(n: number) {
        return n * 3;
      },
    };
    const thread = new Thread({ target: holder.compute, args: [5] });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.result, 15);
  });

  it('handles helpers tsx inserts into nested functions and classes', async () => {
    const thread = new Thread({
      target: () => {
        const helper = (k: number) => k * 2;
        class Inner {
          value = helper(21);
        }
        return new Inner().value;
      },
    });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.exception, undefined);
    assert.equal(thread.result, 42);
  });

  it('lets a thread start a thread that outlives it', async () => {
    const release = new Event();
    const innerDone = new Event();
    const outer = new Thread({
      target: (release: Event, innerDone: Event) => {
        const inner = new Thread({
          name: 'inner',
          target: (release: Event, innerDone: Event) => {
            release.wait(30_000);
            innerDone.set();
          },
          args: [release, innerDone],
        });
        inner.start();
        return inner.isAlive();
      },
      args: [release, innerDone],
    });
    outer.start();
    await joinOrFail(outer);
    assert.equal(outer.result, true);
    const inner = enumerate().find((thread) => thread.name === 'inner');
    assert.ok(inner, 'the main thread lists the inner thread while it runs');
    assert.equal(innerDone.isSet(), false, 'the inner thread is still waiting after its parent ended');
    release.set();
    assert.equal(await within(innerDone.waitAsync(), 10_000, 'see the inner thread finish'), true);
    await joinOrFail(inner);
  });
});

describe('Thread bad input', () => {
  it('refuses a target that is neither a function nor a module target', () => {
    assert.throws(() => new Thread({ target: 42 as never }), {
      name: 'TypeError',
      message: 'Expected `target` to be a function or a module target { module, export? }, got `42` (number)',
    });
    assert.throws(() => new Thread({ target: { run() {} } as never }), {
      name: 'TypeError',
      message: /got `an object`/,
    });
  });

  it('refuses a relative module path, a missing module and a bad export name', () => {
    assert.throws(() => new Thread({ target: { module: './jobs.js' } }), {
      name: 'TypeError',
      message: /target\.module "\.\/jobs\.js" is a relative path.*new URL\("\.\/jobs\.js", import\.meta\.url\)/,
    });
    assert.throws(() => new Thread({ target: { module: '/nowhere/jobs.js' } }), {
      name: 'TypeError',
      message: 'target.module not found: /nowhere/jobs.js does not exist',
    });
    assert.throws(() => new Thread({ target: { module: 42 as never } }), {
      name: 'TypeError',
      message: /target\.module/,
    });
    assert.throws(() => new Thread({ target: { module: import.meta.url, export: 7 as never } }), {
      name: 'TypeError',
      message: /Expected `target\.export` to be the name of an export, got `7`/,
    });
  });

  it('refuses args that are not an array, and names an argument that cannot be sent', () => {
    assert.throws(() => new Thread({ target: () => {}, args: 5 as never }), {
      name: 'TypeError',
      message: 'Expected `args` to be an array of arguments, got `5` (number)',
    });
    const thread = new Thread({ target: (_a: number, _b: unknown) => {}, args: [1, () => 2], name: 'sender' });
    assert.throws(() => thread.start(), {
      name: 'TypeError',
      message: /^argument 1 of thread "sender" cannot be sent to a thread: it is a function/,
    });
    assert.equal(thread.isAlive(), false, 'a refused start leaves the thread unstarted');
    const withPromise = new Thread({ target: (_p: unknown) => {}, args: [Promise.resolve(1)] });
    assert.throws(() => withPromise.start(), {
      name: 'TypeError',
      message: /argument 0 .* it is a Promise: await it first/,
    });
  });

  it('refuses a built-in function as an inline target', () => {
    const thread = new Thread({ target: Math.max });
    assert.throws(() => thread.start(), { name: 'TypeError', message: /`max` is a built-in or bound function/ });
  });

  it('starts once only', async () => {
    const thread = new Thread({ target: () => {} });
    thread.start();
    assert.throws(() => thread.start(), { name: 'RuntimeError', message: 'threads can only be started once' });
    await joinOrFail(thread);
    assert.throws(() => thread.start(), RuntimeError);
  });

  it('refuses to join a thread before it is started', async () => {
    const thread = new Thread({ target: () => {} });
    await assert.rejects(thread.join(), { name: 'RuntimeError', message: 'cannot join thread before it is started' });
    assert.throws(() => thread.joinSync(), {
      name: 'RuntimeError',
      message: 'cannot join thread before it is started',
    });
  });

  it('refuses to join the current thread', async () => {
    await assert.rejects(mainThread().join(), { name: 'RuntimeError', message: 'cannot join current thread' });
    const thread = new Thread({
      target: async () => {
        const messages: string[] = [];
        try {
          currentThread().joinSync();
        } catch (error) {
          messages.push((error as Error).message);
        }
        await currentThread()
          .join()
          .catch((error: Error) => messages.push(error.message));
        return messages;
      },
    });
    thread.start();
    await joinOrFail(thread);
    assert.deepEqual(thread.result, ['cannot join current thread', 'cannot join current thread']);
  });

  it('refuses a timeout that is not a number, or NaN; a negative one acts as 0', async () => {
    const gate = new Event();
    const parked = new Event();
    const thread = parkedThread(gate, parked);
    thread.start();
    await assert.rejects(thread.join('1' as never), {
      name: 'TypeError',
      message: 'Expected `timeoutMs` to be a number of milliseconds, got `"1"` (string)',
    });
    await assert.rejects(thread.join(Number.NaN), { name: 'RangeError', message: /got NaN/ });
    assert.throws(() => thread.joinSync({} as never), TypeError);
    assert.equal(await thread.join(-1), false);
    gate.set();
    await joinOrFail(thread);
  });

  it('refuses options that are not an object', () => {
    assert.throws(() => new Thread('task' as never), {
      name: 'TypeError',
      message: /Expected `options` to be an object/,
    });
  });

  it('refuses sleeping for a non-number', () => {
    assert.throws(() => sleepSync('5' as never), { name: 'TypeError', message: /Expected `ms` to be a number/ });
  });
});
