// Bridges to the platform's cancellation, both ways, and deadlines.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Event, StopError, Thread, currentThread, stopEvent, stopSignal } from 'skein';
import { joinOrFail, runScript, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { markers, spinUntilStopped, withHook } from '../helpers/threads.js';

checkLeaksAfterEach();

describe('AbortSignal → Event', () => {
  it('Event.fromSignal sets the Event when the signal aborts', () => {
    const controller = new AbortController();
    const event = Event.fromSignal(controller.signal);
    assert.equal(event.isSet(), false);
    controller.abort();
    assert.equal(event.isSet(), true);
  });

  it('Event.fromSignal of an already-aborted signal is set at once, without error', () => {
    assert.equal(Event.fromSignal(AbortSignal.abort()).isSet(), true);
  });

  it('Event.fromSignal(AbortSignal.timeout(ms)) is a deadline', async () => {
    const event = Event.fromSignal(AbortSignal.timeout(1));
    assert.equal(await within(event.waitAsync(), 10_000, 'see the deadline set the Event'), true);
  });

  it('Event.fromSignal refuses what is not an AbortSignal', () => {
    assert.throws(() => Event.fromSignal(new AbortController() as never), {
      name: 'TypeError',
      message: 'Expected `signal` to be an AbortSignal, got `an AbortController` (object)',
    });
  });

  it('the signal option stops a busy thread when it aborts', async () => {
    const controller = new AbortController();
    const running = new Event();
    const marks = markers();
    const thread = spinUntilStopped(running, marks, { signal: controller.signal });
    thread.start();
    await within(running.waitAsync(), 10_000, 'see the thread run');
    controller.abort();
    await joinOrFail(thread);
    assert.equal(Atomics.load(marks, 1), 1, 'the finally block ran');
    assert.equal(thread.exception, undefined);
  });

  it('an already-aborted signal starts the thread with its stop requested', async () => {
    const thread = new Thread({ signal: AbortSignal.abort(), target: () => stopEvent().isSet() });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.result, true);
  });

  it('the signal option refuses what is not an AbortSignal', () => {
    assert.throws(() => new Thread({ signal: 'abort' as never }), {
      name: 'TypeError',
      message: 'Expected `signal` to be an AbortSignal, got `"abort"` (string)',
    });
  });
});

describe('Event → AbortSignal', () => {
  it('event.toSignal() aborts once the Event is set, by another thread', async () => {
    const event = new Event();
    const signal = event.toSignal();
    assert.equal(signal.aborted, false);
    const thread = new Thread({ target: (event: Event) => event.set(), args: [event] });
    thread.start();
    await within(once(signal, 'abort'), 10_000, 'see the signal abort');
    assert.equal((signal.reason as Error).name, 'AbortError');
    await joinOrFail(thread);
  });

  it('event.toSignal(reason) aborts with that reason; a set Event gives an aborted signal', () => {
    const event = new Event();
    event.set();
    const reason = new Error('client went away');
    const signal = event.toSignal(reason);
    assert.equal(signal.aborted, true);
    assert.equal(signal.reason, reason);
  });

  it('watching does not keep the process alive', async () => {
    const run = await runScript('test/fixtures/scenarios/signal-watch-exits.mjs');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'watching, aborted: false\n');
  });

  it('stopSignal() aborts a pending timer in the thread with a StopError as the cause', async () => {
    const waiting = new Event();
    const thread = new Thread({
      target: async (waiting: Event) => {
        const { setTimeout } = await import('node:timers/promises');
        const signal = stopSignal();
        const same = stopSignal() === signal;
        waiting.set();
        try {
          await setTimeout(600_000, undefined, { signal });
          return 'the timer was not aborted';
        } catch (error) {
          const { name, cause } = error as { name: string; cause?: { code?: string } };
          return { name, cause: cause?.code, reason: (signal.reason as { code?: string }).code, same };
        }
      },
      args: [waiting],
    });
    thread.start();
    await within(waiting.waitAsync(), 10_000, 'see the thread wait');
    assert.equal(await within(thread.stop(), 10_000, 'stop the thread'), 'stopped');
    assert.deepEqual(thread.result, {
      name: 'AbortError',
      cause: 'SKEIN_ERR_STOPPED',
      reason: 'SKEIN_ERR_STOPPED',
      same: true,
    });
  });

  it('stopEvent() and stopSignal() are the same before and after the thread asks for its own object', async () => {
    // A thread's worker reads its stop request without making its Thread
    // object; currentThread() makes it, from the same control block.
    const thread = new Thread({
      target: () => {
        const [event, signal] = [stopEvent(), stopSignal()];
        const name = currentThread().name;
        return { name, sameEvent: stopEvent() === event, sameSignal: stopSignal() === signal };
      },
      name: 'asks late',
    });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.exception, undefined);
    assert.deepEqual(thread.result, { name: 'asks late', sameEvent: true, sameSignal: true });
  });

  it('an operation left to fail on stopSignal() ends the thread as a clean stop', async () => {
    await withHook(async (calls) => {
      const waiting = new Event();
      const thread = new Thread({
        target: async (waiting: Event) => {
          const { setTimeout } = await import('node:timers/promises');
          waiting.set();
          await setTimeout(600_000, undefined, { signal: stopSignal() });
        },
        args: [waiting],
      });
      thread.start();
      await within(waiting.waitAsync(), 10_000, 'see the thread wait');
      assert.equal(await within(thread.stop(), 10_000, 'stop the thread'), 'stopped');
      assert.equal(thread.exception, undefined);
      assert.equal(calls.length, 0);
    });
    assert.equal(new StopError().code, 'SKEIN_ERR_STOPPED');
  });
});

describe('deadlines', () => {
  it('the timeout option sets the stop request after that long', async () => {
    const running = new Event();
    const marks = markers();
    const thread = spinUntilStopped(running, marks, { timeout: 50 });
    thread.start();
    await joinOrFail(thread);
    assert.equal(running.isSet(), true);
    assert.equal(Atomics.load(marks, 1), 1, 'the finally block ran');
    assert.equal(thread.exception, undefined);
  });

  it('holds the deadline of a thread whose starter has already ended', async () => {
    const running = new Event();
    const marks = markers();
    const starter = new Thread({
      target: (running: Event, marks: Int32Array) => {
        new Thread({
          timeout: 50,
          target: (running: Event, marks: Int32Array) => {
            const stop = stopEvent();
            running.set();
            while (!stop.isSet());
            Atomics.store(marks, 1, 1);
            Atomics.notify(marks, 1);
          },
          args: [running, marks],
        }).start();
      },
      args: [running, marks],
    });
    starter.start();
    await joinOrFail(starter);
    const stopped = Atomics.waitAsync(marks, 1, 0, 10_000).value;
    assert.notEqual(await within(Promise.resolve(stopped), 15_000, 'see the nested thread stop'), 'timed-out');
    assert.equal(Atomics.load(marks, 1), 1, 'the nested thread stopped at its deadline');
  });

  it('a timeout of 0 starts the thread with its stop requested', async () => {
    const thread = new Thread({ timeout: 0, target: () => stopEvent().isSet() });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.result, true);
  });

  it('refuses a timeout that is not a number, or NaN', () => {
    assert.throws(() => new Thread({ timeout: '5s' as never }), {
      name: 'TypeError',
      message: 'Expected `timeout` to be a number of milliseconds, got `"5s"` (string)',
    });
    assert.throws(() => new Thread({ timeout: NaN }), {
      name: 'RangeError',
      message: 'Expected `timeout` to be a number of milliseconds, got NaN',
    });
  });
});
