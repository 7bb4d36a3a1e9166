import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Event, Thread } from 'skein';
import { joinOrFail, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

describe('Event on one thread', () => {
  it('starts unset; set, isSet and clear behave as Python', () => {
    const event = new Event();
    assert.equal(event.isSet(), false);
    event.set();
    assert.equal(event.isSet(), true);
    event.set(); // setting twice does nothing more
    assert.equal(event.isSet(), true);
    event.clear();
    assert.equal(event.isSet(), false);
    event.clear();
    assert.equal(event.isSet(), false);
  });

  it('wait returns the flag: true when set, false on timeout', () => {
    const event = new Event();
    assert.equal(event.wait(0), false);
    assert.equal(event.wait(-5), false, 'a negative timeout acts as 0');
    assert.equal(event.wait(1), false);
    event.set();
    assert.equal(event.wait(), true);
    assert.equal(event.wait(0), true);
  });

  it('waitAsync resolves true when set later, false on timeout', async () => {
    const event = new Event();
    assert.equal(await event.waitAsync(0), false);
    assert.equal(await event.waitAsync(5), false);
    const waiting = event.waitAsync();
    queueMicrotask(() => event.set());
    assert.equal(await within(waiting, 5_000, 'see set() from waitAsync'), true);
  });

  it('rejects timeouts that are not numbers, and NaN', async () => {
    const event = new Event();
    assert.throws(() => event.wait('10' as never), {
      name: 'TypeError',
      message: 'Expected `timeoutMs` to be a number of milliseconds, got `"10"` (string)',
    });
    assert.throws(() => event.wait(Number.NaN), { name: 'RangeError', message: /got NaN/ });
    assert.throws(() => event.waitAsync({} as never), { name: 'TypeError', message: /got `an object` \(object\)/ });
    event.set();
    assert.throws(() => event.wait('1' as never), TypeError, 'checked even when the flag is set');
  });

  it('crosses any channel through buffer and fromBuffer', () => {
    const event = new Event();
    const twin = Event.fromBuffer(event.buffer, event.byteOffset);
    assert.equal(twin.isSet(), false);
    event.set();
    assert.equal(twin.isSet(), true);
    twin.clear();
    assert.equal(event.isSet(), false);
    assert.equal(event.byteOffset, 0);
    assert.equal(event.buffer.byteLength, Event.SIZE);
  });

  it('refuses a buffer that is not shared, too small, or not an Event', () => {
    assert.throws(() => Event.fromBuffer(new ArrayBuffer(8) as never), {
      name: 'TypeError',
      message:
        /Expected `buffer` to be a SharedArrayBuffer holding an Event, got `an ArrayBuffer`.*pass `event.buffer`/,
    });
    assert.throws(() => Event.fromBuffer(new SharedArrayBuffer(4)), {
      name: 'RangeError',
      message: 'the buffer is too small for an Event: it needs 8 bytes at offset 0, but the buffer has 4 bytes',
    });
    assert.throws(() => Event.fromBuffer(new Event().buffer, 2), { name: 'RangeError', message: /multiple of 4/ });
    assert.throws(() => Event.fromBuffer(new SharedArrayBuffer(8)), {
      name: 'TypeError',
      message: /invalid handle: the buffer does not hold a skein Event/,
    });
  });

  it('shows its state when inspected', async () => {
    const { inspect } = await import('node:util');
    const event = new Event();
    assert.equal(inspect(event), 'Event { set: false }');
    event.set();
    assert.equal(inspect(event), 'Event { set: true }');
  });
});

describe('Event across threads', () => {
  it('wakes a thread blocked in wait() when the main thread sets it', async () => {
    const go = new Event();
    const parked = new Event();
    const thread = new Thread({
      target: (go: Event, parked: Event) => {
        parked.set();
        return go.wait(30_000);
      },
      args: [go, parked],
    });
    thread.start();
    assert.equal(await within(parked.waitAsync(), 10_000, 'see the thread park'), true);
    go.set();
    await joinOrFail(thread);
    assert.equal(thread.result, true);
  });

  it('reports true to a waiter woken by set() even if clear() follows at once', async () => {
    // On one thread: waitAsync takes its snapshot when called.
    const local = new Event();
    const waiting = local.waitAsync(30_000);
    local.set();
    local.clear();
    assert.equal(await within(waiting, 10_000, 'see the local waiter wake'), true);

    // Across threads, a blocking wait().
    const event = new Event();
    const parked = new Event();
    const thread = new Thread({
      target: (event: Event, parked: Event) => {
        parked.set();
        return event.wait(30_000);
      },
      args: [event, parked],
    });
    thread.start();
    await within(parked.waitAsync(), 10_000, 'see the thread park');
    // `parked` is set just before the thread reads the word it waits on: a
    // set() and clear() in that gap would happen before its wait began. Go on
    // only once the thread is blocked in Atomics.wait on the Event's word
    // (slot 1 of its memory): notify wakes exactly one waiter when there is
    // one, and a waiter woken with the word unchanged just waits again.
    const word = new Int32Array(event.buffer, event.byteOffset, 2);
    const until = performance.now() + 10_000;
    while (Atomics.notify(word, 1, 1) === 0) {
      if (performance.now() > until) assert.fail('failed to see the thread block in wait() in 10.0 seconds');
      await new Promise(setImmediate);
    }
    event.set();
    event.clear();
    await joinOrFail(thread);
    assert.equal(thread.result, true);
  });

  it('lets the main thread await a set() made by a thread', async () => {
    const event = new Event();
    const thread = new Thread({ target: (event: Event) => event.set(), args: [event] });
    thread.start();
    assert.equal(await within(event.waitAsync(), 10_000, 'see the thread set the event'), true);
    await joinOrFail(thread);
  });

  it('arrives working from anywhere inside args, and keeps identity', async () => {
    const event = new Event();
    const nested = {
      list: [1, event] as [number, Event],
      map: new Map<string, Event>([['stop', event]]),
      set: new Set([event]),
      deep: { deeper: { event } },
    };
    const thread = new Thread({
      target: (nested: {
        list: [number, Event];
        map: Map<string, Event>;
        set: Set<Event>;
        deep: { deeper: { event: Event } };
      }) => {
        const a = nested.list[1];
        const b = nested.map.get('stop')!;
        const c = [...nested.set][0]!;
        const d = nested.deep.deeper.event;
        const same = a === b && b === c && c === d;
        const working = a instanceof Event && a.isSet();
        a.clear();
        return { same, working };
      },
      args: [nested],
    });
    event.set();
    thread.start();
    await joinOrFail(thread);
    assert.deepEqual(thread.result, { same: true, working: true });
    assert.equal(event.isSet(), false, 'the thread cleared the same memory');
  });

  it('comes back working in a result', async () => {
    const thread = new Thread({
      target: () => {
        const made = new Event();
        made.set();
        return { made };
      },
    });
    thread.start();
    await joinOrFail(thread);
    const { made } = thread.result as { made: Event };
    assert.ok(made instanceof Event);
    assert.equal(made.isSet(), true);
  });

  it('keeps cycles in args that hold an Event', async () => {
    const event = new Event();
    interface Node {
      event: Event;
      self: Node | undefined;
    }
    const node: Node = { event, self: undefined };
    node.self = node;
    const thread = new Thread({
      target: (node: Node) => node.self === node && node.self.event instanceof Event,
      args: [node],
    });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.result, true);
  });
});
