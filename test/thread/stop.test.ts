// thread.stop(): the built-in stop request, grace then force, reported.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Event,
  RuntimeError,
  Thread,
  ThreadExitError,
  currentThread,
  enumerate,
  liveStoppables,
  mainThread,
  registerStoppable,
  stopEvent,
  throwIfStopped,
  unregisterStoppable,
} from 'skein';
import { joinOrFail, runScript, within } from '../helpers/bounded.js';
import { markers, spinUntilStopped, withHook } from '../helpers/threads.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

/** A thread spinning forever without ever checking anything. */
function deafThread(running: Event, marks: Int32Array): Thread {
  return new Thread({
    target: (running: Event, marks: Int32Array) => {
      running.set();
      try {
        for (;;);
      } finally {
        Atomics.store(marks, 1, 1);
      }
    },
    args: [running, marks],
  });
}

describe('thread.stop()', () => {
  it('stops a busy synchronous loop through its stop request, finally and all', async () => {
    await withHook(async (calls) => {
      const running = new Event();
      const marks = markers();
      const thread = spinUntilStopped(running, marks);
      thread.start();
      await within(running.waitAsync(), 10_000, 'see the thread run');
      assert.equal(await within(thread.stop(), 10_000, 'stop the thread'), 'stopped');
      assert.equal(thread.isAlive(), false);
      assert.equal(Atomics.load(marks, 1), 1, 'the finally block ran');
      assert.equal(thread.result, true);
      assert.equal(thread.exception, undefined);
      assert.equal(calls.length, 0);
    });
  });

  it('ends a thread that calls throwIfStopped() as a clean stop', async () => {
    await withHook(async (calls) => {
      const running = new Event();
      const marks = markers();
      const thread = new Thread({
        target: (running: Event, marks: Int32Array) => {
          running.set();
          try {
            for (;;) throwIfStopped();
          } finally {
            Atomics.store(marks, 1, 1);
          }
        },
        args: [running, marks],
      });
      thread.start();
      await within(running.waitAsync(), 10_000, 'see the thread run');
      assert.equal(await within(thread.stop({ timeout: 10_000 }), 15_000, 'stop the thread'), 'stopped');
      assert.equal(Atomics.load(marks, 1), 1, 'the finally block ran');
      assert.equal(thread.exception, undefined);
      assert.equal(calls.length, 0);
    });
  });

  it('sets the request before it returns, and asking twice does nothing more', async () => {
    const parked = new Event();
    const thread = new Thread({
      target: (parked: Event) => {
        parked.set();
        return stopEvent().wait(30_000);
      },
      args: [parked],
    });
    thread.start();
    await within(parked.waitAsync(), 10_000, 'see the thread park');
    const first = thread.stop();
    const second = thread.stop();
    // Blocking the event loop: only a request already set can end the thread.
    assert.equal(thread.joinSync(10_000), true, 'the request was set synchronously');
    assert.deepEqual(await Promise.all([first, second]), ['stopped', 'stopped']);
    assert.equal(thread.result, true);
    assert.equal(await thread.stop(), 'stopped', 'stopping an ended thread reports it stopped');
  });

  it('forces a thread that never checks, once the timeout has passed', async () => {
    await withHook(async (calls) => {
      const running = new Event();
      const marks = markers();
      const thread = deafThread(running, marks);
      thread.start();
      await within(running.waitAsync(), 10_000, 'see the thread run');
      assert.equal(await within(thread.stop({ timeout: 20, force: true }), 10_000, 'force the thread'), 'forced');
      assert.equal(thread.isAlive(), false);
      assert.equal(Atomics.load(marks, 1), 0, 'a terminated thread runs no finally');
      const error = thread.exception as ThreadExitError;
      assert.ok(error instanceof ThreadExitError, String(error));
      assert.equal(error.reason, 'terminated');
      assert.match(error.message, /^thread "Thread-\d+ \(target\)" was terminated by a forced stop before it finished/);
      assert.equal(calls.length, 0, 'a forced stop is not reported to the excepthook');
      assert.equal(await thread.stop(), 'forced', 'a later stop() reports how it ended');
    });
  });

  it('reports "alive" at the timeout without force, and leaves the thread running', async () => {
    const gate = new Event();
    const parked = new Event();
    const thread = new Thread({
      target: (gate: Event, parked: Event) => {
        parked.set();
        gate.wait(30_000); // deaf to the stop request
        return stopEvent().isSet();
      },
      args: [gate, parked],
    });
    thread.start();
    await within(parked.waitAsync(), 10_000, 'see the thread park');
    assert.equal(await thread.stop({ timeout: 0 }), 'alive');
    assert.equal(thread.isAlive(), true);
    gate.set();
    assert.equal(await within(thread.stop(), 10_000, 'see the thread end'), 'stopped');
    assert.equal(thread.result, true, 'the request stayed set');
  });

  it('reports "stopped" for a thread that had already ended, however it ended', async () => {
    await withHook(async () => {
      const empty = new Thread();
      empty.start();
      assert.equal(await empty.stop(), 'stopped');
      const failed = new Thread({
        target: () => {
          throw new Error('failed before the stop');
        },
      });
      failed.start();
      await joinOrFail(failed);
      assert.equal(await failed.stop({ timeout: 0, force: true }), 'stopped');
      assert.equal((failed.exception as Error).message, 'failed before the stop');
    });
  });

  it('lets a thread force a thread it started, through the hub', async () => {
    const outer = new Thread({
      target: async () => {
        const running = new Event();
        const inner = new Thread({
          target: (running: Event) => {
            running.set();
            for (;;);
          },
          args: [running],
        });
        inner.start();
        if (!(await running.waitAsync(10_000))) return 'inner never ran';
        const outcome = await inner.stop({ timeout: 0, force: true });
        return [outcome, inner.isAlive(), (inner.exception as ThreadExitError).reason];
      },
    });
    outer.start();
    await joinOrFail(outer, 20_000);
    assert.equal(outer.exception, undefined);
    assert.deepEqual(outer.result, ['forced', false, 'terminated']);
  });

  it('stops, from the main thread, a thread started inside another', async () => {
    const running = new Event();
    const marks = markers();
    const starter = new Thread({
      target: (running: Event, marks: Int32Array) => {
        new Thread({
          name: 'nested busy',
          target: (running: Event, marks: Int32Array) => {
            const stop = stopEvent();
            running.set();
            try {
              while (!stop.isSet());
            } finally {
              Atomics.store(marks, 1, 1);
            }
          },
          args: [running, marks],
        }).start();
      },
      args: [running, marks],
    });
    starter.start();
    await within(running.waitAsync(), 10_000, 'see the nested thread run');
    const nested = enumerate().find((thread) => thread.name === 'nested busy');
    assert.ok(nested, 'the main thread knows the nested thread');
    assert.equal(await within(nested.stop(), 10_000, 'stop the nested thread'), 'stopped');
    assert.equal(Atomics.load(marks, 1), 1, 'its finally block ran');
    await joinOrFail(starter);
  });
});

describe('the stoppables registry', () => {
  it('holds a thread while it is alive, through a stop a subclass cannot shadow', async () => {
    class Shadowing extends Thread {
      override run(): void {
        const stop = stopEvent();
        while (!stop.isSet());
      }
    }
    const thread = new Shadowing();
    // A member named like the method, as ports of Python's StoppableThread have.
    Object.defineProperty(thread, 'stop', { value: 'shadowed' });
    const before = liveStoppables();
    thread.start();
    const added = liveStoppables().filter((stoppable) => !before.includes(stoppable));
    assert.equal(added.length, 1);
    assert.equal(await within(added[0]!.stop({ timeout: 10_000 }), 15_000, 'stop through the registry'), 'stopped');
    assert.equal(thread.isAlive(), false);
    assert.equal(liveStoppables().includes(added[0]!), false, 'an ended thread leaves the registry');
  });

  it('registers and unregisters anything with a stop method', () => {
    const server = { stop: async () => 'stopped' as const };
    const unregister = registerStoppable(server);
    registerStoppable(server);
    assert.equal(liveStoppables().filter((s) => s === server).length, 1, 'registering twice does nothing more');
    unregister();
    assert.equal(liveStoppables().includes(server), false);
    unregisterStoppable(server); // not registered: nothing happens
    assert.throws(() => registerStoppable({} as never), {
      name: 'TypeError',
      message: 'Expected a stoppable with a `stop(options)` method, got `an object` (object)',
    });
  });
});

describe('thread.stop() bad input', () => {
  const started = (): Thread => {
    const thread = new Thread();
    thread.start(); // no target: ended at once, so nothing is left running
    return thread;
  };

  it('refuses a timeout that is not a number, or NaN, naming it', () => {
    const thread = started();
    assert.throws(() => thread.stop({ timeout: '100' as never }), {
      name: 'TypeError',
      message: 'Expected `timeout` to be a number of milliseconds, got `"100"` (string)',
    });
    assert.throws(() => thread.stop({ timeout: NaN }), {
      name: 'RangeError',
      message: 'Expected `timeout` to be a number of milliseconds, got NaN',
    });
  });

  it('refuses force without a timeout, and a force that is not a boolean', () => {
    const thread = started();
    assert.throws(() => thread.stop({ force: true }), {
      name: 'TypeError',
      message:
        '`force` needs a `timeout`: it terminates what has not stopped by then. ' +
        'Pass { timeout: ms, force: true }, or { timeout: 0, force: true } to terminate at once',
    });
    assert.throws(() => thread.stop({ timeout: 5, force: 'yes' as never }), {
      name: 'TypeError',
      message: 'Expected `force` to be a boolean, got `"yes"` (string)',
    });
    assert.throws(() => thread.stop(1_000 as never), {
      name: 'TypeError',
      message: 'Expected stop `options` to be an object { timeout?, force? }, got `1000` (number)',
    });
  });

  it('refuses the main thread stopping itself as the current thread, even before anything asked which that is', async () => {
    const run = await runScript('test/fixtures/scenarios/main-refuses-itself.mjs');
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split('\n'), [
      'cannot stop current thread: return from run(), or call throwIfStopped() after stopEvent().set()',
      'cannot join current thread',
    ]);
  });

  it('refuses a thread never started, the current thread and the main thread', async () => {
    assert.throws(() => new Thread().stop(), {
      name: 'RuntimeError',
      message: 'cannot stop thread before it is started',
    });
    assert.throws(() => mainThread().stop(), {
      name: 'RuntimeError',
      message: 'cannot stop current thread: return from run(), or call throwIfStopped() after stopEvent().set()',
    });
    assert.ok(new RuntimeError('x') instanceof Error);
    const thread = new Thread({
      target: () => {
        const messages: string[] = [];
        for (const target of [currentThread(), mainThread()]) {
          try {
            void target.stop();
          } catch (error) {
            messages.push((error as Error).message);
          }
        }
        return messages;
      },
    });
    thread.start();
    await joinOrFail(thread);
    assert.deepEqual(thread.result, [
      'cannot stop current thread: return from run(), or call throwIfStopped() after stopEvent().set()',
      'cannot stop the main thread: it is stopped by the process ending (see stopOnSignals())',
    ]);
  });
});
