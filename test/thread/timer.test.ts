// Timer: Python's threading.Timer, a Thread that calls its function unless cancelled.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Event, Thread, Timer } from 'skein';
import { joinOrFail } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

/** The function of the timers below: records its call in `calls[0]`. */
function ring(calls: Int32Array, label: string): string {
  Atomics.add(calls, 0, 1);
  return `rang ${label}`;
}

const counter = (): Int32Array => new Int32Array(new SharedArrayBuffer(4));

describe('Timer', () => {
  it('calls its function after the interval, as a joinable Thread', async () => {
    const calls = counter();
    const timer = new Timer(5, ring, [calls, 'once']);
    assert.ok(timer instanceof Thread);
    assert.equal(timer.interval, 5);
    assert.match(timer.name, /^Thread-\d+ \(ring\)$/);
    timer.start();
    await joinOrFail(timer);
    assert.equal(Atomics.load(calls, 0), 1);
    assert.equal(timer.result, 'rang once');
    assert.equal(timer.exception, undefined);
  });

  it('does not call its function when cancelled while waiting', async () => {
    const calls = counter();
    const timer = new Timer(600_000, ring, [calls, 'never']);
    timer.start();
    timer.cancel();
    await joinOrFail(timer); // a timer that ignored cancel() would wait ten minutes
    assert.equal(Atomics.load(calls, 0), 0);
    assert.equal(timer.result, undefined);
  });

  it('does not call its function when cancelled before start()', async () => {
    const calls = counter();
    const timer = new Timer(0, ring, [calls, 'never']);
    timer.cancel();
    timer.start();
    await joinOrFail(timer);
    assert.equal(Atomics.load(calls, 0), 0);
  });

  it('passes Events in its args, working', async () => {
    const fired = new Event();
    const timer = new Timer(0, (fired: Event) => fired.set(), [fired]);
    timer.start();
    await joinOrFail(timer);
    assert.equal(fired.isSet(), true);
  });

  it('runs a subclass written inline, on top of Timer imported in the thread', async () => {
    class Announcing extends Timer<string, []> {
      override run(): string {
        return `announced: ${String(super.run())}`;
      }
    }
    const timer = new Announcing(0, () => 'the call');
    timer.start();
    await joinOrFail(timer);
    assert.equal(timer.exception, undefined);
    assert.equal(timer.result, 'announced: the call');
  });

  it('refuses an interval that is not a number, or NaN, and a function that is none', () => {
    assert.throws(() => new Timer('5' as never, () => {}), {
      name: 'TypeError',
      message: 'Expected `intervalMs` to be a number of milliseconds, got `"5"` (string)',
    });
    assert.throws(() => new Timer(NaN, () => {}), {
      name: 'RangeError',
      message: 'Expected `intervalMs` to be a number of milliseconds, got NaN',
    });
    assert.throws(() => new Timer(5, 'ring' as never), {
      name: 'TypeError',
      message: 'Expected `fn` to be a function or a module target { module, export? }, got `"ring"` (string)',
    });
  });
});
