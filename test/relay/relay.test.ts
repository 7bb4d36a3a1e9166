// The relay (src/relay/relay.ts, src/worker/relay.ts): it starts only when
// a queue is made, reaches threads nested in threads, and hands every value
// deposited to exactly one thread, whichever asks first, however the
// deposit and the withdrawal race.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Queue, Thread } from 'skein';
import { joinOrFail, runScript } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

describe('the relay', () => {
  it('is not started by threads without queues; a queue made in a thread starts it for nested threads too', async () => {
    const run = await runScript('test/fixtures/scenarios/relay-lifecycle.mjs', { timeoutMs: 60_000 });
    assert.equal(run.stderr, '');
    assert.equal(run.code, 0);
    assert.equal(
      run.stdout,
      'relay workers after a thread without a queue: 0\n' +
        "the nested thread's Event arrived: true; set: true\n" +
        'relay workers after a thread made a queue: 1\n',
    );
  });

  it('hands each relayed item to exactly one of several consumer threads, each producer in order', async () => {
    // Shared memory cannot live in a queue's bytes: every item here goes through the relay.
    const queue = new Queue<{ producer: number; n: number; memory: Int32Array } | null>();
    const produce = (queue: Queue<{ producer: number; n: number; memory: Int32Array } | null>, producer: number) => {
      for (let n = 0; n < 300; n++) {
        const memory = new Int32Array(new SharedArrayBuffer(4));
        memory[0] = producer * 1_000 + n;
        queue.put({ producer, n, memory });
      }
    };
    const consume = (queue: Queue<{ producer: number; n: number; memory: Int32Array } | null>): string[] => {
      const got: string[] = [];
      const last = [-1, -1];
      for (let item = queue.get(); item !== null; item = queue.get()) {
        if (item.n <= last[item.producer]!)
          throw new Error(`producer ${item.producer}: ${item.n} after ${last[item.producer]}`);
        last[item.producer] = item.n;
        if (Atomics.load(item.memory, 0) !== item.producer * 1_000 + item.n) throw new Error('wrong memory');
        got.push(`${item.producer}/${item.n}`);
      }
      return got;
    };
    const consumers = [0, 1].map(() => new Thread({ target: consume, args: [queue] }));
    const producers = [0, 1].map((p) => new Thread({ target: produce, args: [queue, p] }));
    for (const thread of [...consumers, ...producers]) thread.start();
    for (const thread of producers) await joinOrFail(thread, 60_000);
    for (const _ of consumers) await queue.putAsync(null);
    for (const thread of consumers) await joinOrFail(thread, 60_000);
    for (const thread of [...consumers, ...producers])
      assert.equal(thread.exception, undefined, String(thread.exception));
    const all = consumers.flatMap((thread) => thread.result as string[]);
    assert.equal(all.length, 600, 'none lost');
    assert.equal(new Set(all).size, 600, 'none duplicated');
  });
});
