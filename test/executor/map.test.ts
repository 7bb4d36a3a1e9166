// pool.map(fn, iterable, { timeout, buffersize }): Python 3.14's lazy map
// (at most `buffersize` calls ahead of the consumer), over sync and async
// iterables. Submissions are counted by the input's own pulls and by the
// pool's held tasks, never by time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Event, ThreadPoolExecutor, TimeoutError } from 'skein';
import { countReaches, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { poolStats } from '../helpers/pool.js';

checkLeaksAfterEach();

/** What an input reports about itself: items pulled, and whether it was closed (its finally ran). */
interface Tally {
  pulled: number;
  closed: boolean;
}

/**
 * 0, 1, 2, … counted in `tally` — endless for a lazy map; a map that pulls
 * past `limit` (an eager one) fails with an error instead of hanging.
 */
function* naturals(tally: Tally, limit = 10_000): Generator<number> {
  try {
    for (let n = 0; ; n++) {
      if (n === limit) throw new Error(`pulled ${limit} items: the map is not lazy`);
      tally.pulled++;
      yield n;
    }
  } finally {
    tally.closed = true;
  }
}

/** The same as an async generator: each item arrives on a later turn. */
async function* asyncNaturals(tally: Tally, limit = 10_000): AsyncGenerator<number> {
  try {
    for (let n = 0; ; n++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (n === limit) throw new Error(`pulled ${limit} items: the map is not lazy`);
      tally.pulled++;
      yield n;
    }
  } finally {
    tally.closed = true;
  }
}

/**
 * An async iterable the test feeds by hand, item by item (a stream of
 * lines): `push` makes an item available, `end` ends it.
 */
function feed<T>(): { iterable: AsyncIterable<T>; push(item: T): void; end(): void; pulls(): number } {
  const items: T[] = [];
  let ended = false;
  let waiting: (() => void) | undefined;
  let pulls = 0;
  const iterable: AsyncIterable<T> = {
    [Symbol.asyncIterator]: () => ({
      async next(): Promise<IteratorResult<T>> {
        pulls++;
        while (items.length === 0 && !ended) await new Promise<void>((resolve) => (waiting = resolve));
        if (items.length > 0) return { done: false, value: items.shift()! };
        return { done: true, value: undefined };
      },
    }),
  };
  return {
    iterable,
    push(item) {
      items.push(item);
      waiting?.();
    },
    end() {
      ended = true;
      waiting?.();
    },
    pulls: () => pulls,
  };
}

const double = (n: number): number => n * 2;

describe('map with buffersize', () => {
  it('submits the first buffersize calls at once, then one more per result asked for', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const tally: Tally = { pulled: 0, closed: false };
    const buffersize = 3;
    const results = pool.map(double, naturals(tally), { buffersize });
    assert.equal(tally.pulled, buffersize, 'the first buffersize items are pulled by the map() call');
    assert.equal(poolStats(pool).tasks, buffersize, 'and submitted');
    for (let asked = 1; asked <= 20; asked++) {
      const step = await within(results.next(), 10_000, `get result ${asked}`);
      assert.deepEqual(step, { done: false, value: (asked - 1) * 2 });
      // Python places one more call at each request, before waiting for its result.
      assert.equal(tally.pulled, buffersize + asked, `pulled after ${asked} result(s)`);
      assert.ok(poolStats(pool).tasks <= buffersize, `at most ${buffersize} tasks held after result ${asked}`);
    }
    await results.return();
    assert.equal(tally.closed, true, 'closing the map closes its input');
    assert.equal(tally.pulled, buffersize + 20, 'nothing pulled after the close');
  });

  it('runs an endless input in a for await loop, and a break cancels the calls not started', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const tally: Tally = { pulled: 0, closed: false };
    const gate = new Event();
    const parked = new Event();
    const ran = new Int32Array(new SharedArrayBuffer(4));
    // Item 1 parks its worker on the gate; every call counts itself in `ran`.
    const items = (function* () {
      for (const n of naturals(tally)) yield { n, gate, parked, ran };
    })();
    const seen: number[] = [];
    for await (const value of pool.map(
      ({ n, gate, parked, ran }: { n: number; gate: Event; parked: Event; ran: Int32Array }) => {
        Atomics.add(ran, 0, 1);
        if (n === 1) {
          parked.set();
          gate.wait(30_000);
        }
        return n;
      },
      items,
      { buffersize: 4 },
    )) {
      seen.push(value);
      if (value === 0) {
        // Call 1 is running (not cancellable), calls 2..5 queued behind it.
        await within(parked.waitAsync(), 10_000, 'see call 1 park its worker');
        break;
      }
    }
    assert.deepEqual(seen, [0]);
    assert.equal(tally.closed, true, 'the input was closed');
    assert.equal(tally.pulled, 5, 'buffersize 4 plus the one result asked for');
    gate.set();
    await within(pool.shutdown(), 10_000, 'shut the pool down');
    assert.equal(Atomics.load(ran, 0), 2, 'calls 0 and 1 ran; the queued ones were cancelled');
  });

  it('cancels everything when closed before the first result is asked for', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const tally: Tally = { pulled: 0, closed: false };
    const gate = new Event();
    const parked = new Event();
    const blocker = pool.submit(
      (gate: Event, parked: Event) => {
        parked.set();
        return gate.wait(30_000);
      },
      gate,
      parked,
    );
    await within(parked.waitAsync(), 10_000, 'see the blocker run');
    {
      await using _results = pool.map(double, naturals(tally), { buffersize: 2 });
      assert.equal(poolStats(pool).tasks, 3);
    }
    assert.equal(tally.closed, true);
    assert.equal(poolStats(pool).tasks, 1, 'the two calls were cancelled; the blocker is left');
    gate.set();
    assert.equal(await within(blocker.result(), 10_000, 'finish the blocker'), true);
  });

  it('throws a task error at its position, and an input error after the results before it', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const failing = (n: number): number => {
      if (n === 4) throw new RangeError('four');
      return n;
    };
    const tally: Tally = { pulled: 0, closed: false };
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const value of pool.map(failing, naturals(tally), { buffersize: 2 })) seen.push(value);
    }, new RangeError('four'));
    assert.deepEqual(seen, [0, 1, 2, 3]);
    assert.equal(tally.closed, true);

    // The input itself fails after three items: their results come first.
    function* three(): Generator<number> {
      yield* [0, 1, 2];
      throw new TypeError('the input broke');
    }
    seen.length = 0;
    await assert.rejects(async () => {
      for await (const value of pool.map(double, three(), { buffersize: 2 })) seen.push(value);
    }, new TypeError('the input broke'));
    assert.deepEqual(seen, [0, 2, 4]);
  });

  it('throws from map() itself when the first buffersize items fail, cancelling what was submitted', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    function* early(): Generator<number> {
      yield 1;
      throw new TypeError('broke early');
    }
    assert.throws(() => pool.map(double, early(), { buffersize: 5 }), new TypeError('broke early'));
    assert.equal(poolStats(pool).tasks, 0, 'the call submitted before the failure was cancelled');
  });

  it('throws the pool’s refusal at its position when the pool shuts down mid-map', async () => {
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const tally: Tally = { pulled: 0, closed: false };
    const results = pool.map(double, naturals(tally), { buffersize: 1 });
    assert.deepEqual(await within(results.next(), 10_000, 'get result 0'), { done: false, value: 0 });
    await within(pool.shutdown(), 10_000, 'shut the pool down');
    // Item 1 was submitted before the shutdown; item 2 is refused.
    assert.deepEqual(await within(results.next(), 10_000, 'get result 1'), { done: false, value: 2 });
    await assert.rejects(results.next(), {
      name: 'RuntimeError',
      message: 'cannot schedule new futures after shutdown',
    });
    assert.equal(tally.closed, true);
    assert.deepEqual(await results.next(), { done: true, value: undefined });
  });

  it('times out from the map() call, cancelling the calls not started', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const gate = new Event();
    const ran = new Int32Array(new SharedArrayBuffer(4));
    const results = pool.map(
      ([gate, ran]: [Event, Int32Array]) => {
        Atomics.add(ran, 0, 1);
        return gate.wait(30_000);
      },
      [
        [gate, ran],
        [gate, ran],
        [gate, ran],
      ] as [Event, Int32Array][],
      { timeout: 10, buffersize: 2 },
    );
    await assert.rejects(results.next(), {
      name: 'TimeoutError',
      message: /^map\(\) did not produce every result within 10 ms of the call; the calls not started are cancelled$/,
    });
    gate.set();
    await within(pool.shutdown(), 10_000, 'shut the pool down');
    // The first call may or may not have started in 10 ms; the ones queued behind it never run.
    assert.ok(Atomics.load(ran, 0) <= 1, `ran ${Atomics.load(ran, 0)} calls`);
    assert.deepEqual(await results.next(), { done: true, value: undefined });
  });
});

describe('map over an async iterable', () => {
  it('submits each item as it arrives, before any result is asked for', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const ran = new Int32Array(new SharedArrayBuffer(4));
    const lines = feed<[string, Int32Array]>();
    const results = pool.map(([line, ran]: [string, Int32Array]) => {
      Atomics.add(ran, 0, 1);
      Atomics.notify(ran, 0);
      return line.toUpperCase();
    }, lines.iterable);
    lines.push(['a', ran]);
    await countReaches(ran, 0, 1, 'the first line processed');
    lines.push(['b', ran]);
    lines.push(['c', ran]);
    await countReaches(ran, 0, 3, 'three lines processed');
    lines.end();
    const collected: string[] = [];
    for await (const value of results) collected.push(value);
    assert.deepEqual(collected, ['A', 'B', 'C']);
  });

  it('with buffersize, pulls at most buffersize ahead of the results asked for', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const tally: Tally = { pulled: 0, closed: false };
    const buffersize = 3;
    const results = pool.map(double, asyncNaturals(tally), { buffersize });
    for (let asked = 1; asked <= 15; asked++) {
      const step = await within(results.next(), 10_000, `get result ${asked}`);
      assert.deepEqual(step, { done: false, value: (asked - 1) * 2 });
      assert.ok(tally.pulled <= buffersize + asked, `pulled ${tally.pulled} after ${asked} result(s)`);
      assert.ok(tally.pulled >= asked);
    }
    await results.return();
    // A pull in flight at the close finishes first; then the input is closed.
    for (let turn = 0; !tally.closed; turn++) {
      if (turn > 100_000) assert.fail('failed to see the input closed in 100,000 turns of the event loop');
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.ok(tally.pulled <= buffersize + 15);
  });

  it('holds back the pulls while the consumer does not ask', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const lines = feed<number>();
    const results = pool.map(double, lines.iterable, { buffersize: 2 });
    for (const n of [1, 2, 3, 4, 5]) lines.push(n);
    assert.deepEqual(await within(results.next(), 10_000, 'get the first result'), { done: false, value: 2 });
    // Two at the call and one at the request: three items taken, whatever the timing.
    await within(pool.submit(() => 0).result(), 10_000, 'run a task after the map calls');
    assert.equal(lines.pulls(), 3, 'the input was asked for three items only');
    lines.end();
    const rest: number[] = [];
    for await (const value of results) rest.push(value);
    assert.deepEqual(rest, [4, 6, 8, 10]);
  });

  it('throws an input error after the results before it', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    async function* broken(): AsyncGenerator<number> {
      yield 1;
      yield 2;
      throw new Error('the stream broke');
    }
    for (const options of [{}, { buffersize: 1 }]) {
      const seen: number[] = [];
      await assert.rejects(async () => {
        for await (const value of pool.map(double, broken(), options)) seen.push(value);
      }, new Error('the stream broke'));
      assert.deepEqual(seen, [2, 4], `with ${JSON.stringify(options)}`);
    }
  });

  it('times out while waiting for an item that does not come', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const lines = feed<number>();
    const results = pool.map(double, lines.iterable, { timeout: 10 });
    await assert.rejects(results.next(), TimeoutError);
    lines.end();
  });
});

describe('map bad input', () => {
  it('refuses a buffersize that is not an integer ≥ 1, echoing it', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => pool.map(double, [1], { buffersize: bad }), {
        name: 'RangeError',
        message: `Expected \`buffersize\` to be an integer ≥ 1, got \`${bad}\` (number)`,
      });
    }
    assert.throws(() => pool.map(double, [1], { buffersize: '4' as never }), {
      name: 'TypeError',
      message: 'Expected `buffersize` to be an integer ≥ 1, got `"4"` (string)',
    });
    assert.throws(() => pool.map(double, [1], null as never), {
      name: 'TypeError',
      message: 'Expected `options` to be an object { timeout?, buffersize? }, got `null` (null)',
    });
    assert.equal(poolStats(pool).tasks, 0, 'nothing was submitted');
  });
});
