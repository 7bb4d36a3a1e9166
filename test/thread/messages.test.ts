// encodeMessage/decodeMessage: skein primitives across a channel skein does
// not run (a raw worker_threads Worker here; a page's own Web Worker in
// test/browser/), arriving working on the same memory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { decodeMessage, Event, encodeMessage, isSkeinMessage, Lock, Queue, Semaphore, Thread } from 'skein';
import { within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

describe('encodeMessage / decodeMessage', () => {
  it('carries primitives at any depth to a raw Worker, working on the same memory', async () => {
    const stop = new Event();
    const started = new Event();
    const lock = new Lock();
    const queue = new Queue<number>();
    const nested = { deep: [{ started }], map: new Map([['lock', lock]]) };
    const worker = new Worker(
      `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.skein).then(async ({ decodeMessage }) => {
        parentPort.once('message', async (data) => {
          const { stop, nested, queue } = await decodeMessage(data);
          const lock = nested.map.get('lock');
          const locked = lock.acquire(0);
          nested.deep[0].started.set();
          while (!stop.wait(20_000)) {}
          queue.put(7);
          parentPort.postMessage({ locked });
        });
      });
      `,
      { eval: true, workerData: { skein: import.meta.resolve('skein') } },
    );
    try {
      const answer = new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      worker.postMessage(encodeMessage({ stop, nested, queue }));
      assert.ok(await started.waitAsync(20_000), 'failed to see the worker start in 20 seconds');
      assert.equal(lock.locked(), true, 'the worker took the same Lock');
      stop.set();
      assert.deepEqual(await within(answer, 20_000, 'hear from the raw worker'), { locked: true });
      assert.equal(await queue.getAsync(20_000), 7);
    } finally {
      await worker.terminate();
    }
  });

  it('decodes in the same thread too, keeping shared references and errors', async () => {
    const event = new Event();
    const error = new RangeError('out', { cause: 1 });
    const message = structuredClone(encodeMessage({ a: event, b: event, error, plain: [1, 'x'] }));
    assert.ok(isSkeinMessage(message));
    const value = await decodeMessage<{ a: Event; b: Event; error: Error; plain: unknown[] }>(message);
    assert.ok(value.a instanceof Event);
    assert.equal(value.a, value.b, 'one Event for one memory');
    event.set();
    assert.equal(value.a.isSet(), true);
    assert.ok(value.error instanceof RangeError);
    assert.equal(value.error.cause, 1);
    assert.deepEqual(value.plain, [1, 'x']);
    assert.equal((await decodeMessage(encodeMessage(42))) as number, 42);
  });

  it('names what cannot be sent, and where; refuses to decode what it did not encode', () => {
    assert.throws(
      () => encodeMessage({ jobs: [new Semaphore(), () => 1] }),
      (error: Error) =>
        error instanceof TypeError &&
        /the value cannot be sent to another thread: it holds a function/.test(error.message) &&
        /at `value\.jobs\[1\]`/.test(error.message),
    );
    assert.throws(() => encodeMessage(new Thread()), /it is a Thread/);
    assert.equal(isSkeinMessage({ value: 1 }), false);
    assert.throws(
      () => decodeMessage({ value: 1 }),
      (error: Error) =>
        error instanceof TypeError && /Expected `data` to be a message made by encodeMessage\(\)/.test(error.message),
    );
  });
});
