// skein's shared-memory primitives in real browsers (Chromium and Firefox
// ESR): a page and the module Web Workers it makes share them, a page
// without cross-origin isolation gets an error naming the headers, and the
// page's main thread is refused every blocking form. `npm run test:browsers`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { browserKinds, launchFor, type Refusal, runPage, type Served, serve } from './harness.js';

let isolated: Served;
let plain: Served;
before(async () => {
  isolated = await serve();
  plain = await serve({ isolated: false });
});
after(async () => {
  await isolated?.close();
  await plain?.close();
});

for (const kind of browserKinds) {
  describe(`skein primitives in ${kind.name}`, () => {
    const browser = launchFor(kind);

    it('says which headers to send when the page is not cross-origin isolated', async () => {
      const { result } = await runPage<Record<string, unknown>>(browser(), `${plain.origin}/run/isolation`);
      assert.equal(result.crossOriginIsolated, false);
      assert.equal(result.sharedArrayBuffer, 'undefined');
      for (const what of ['event', 'lock', 'queue']) {
        const refusal = result[what] as Refusal;
        assert.equal(refusal.name, 'NotSupportedError', `${what}: ${JSON.stringify(refusal)}`);
        assert.equal(refusal.code, 'SKEIN_ERR_NOT_SUPPORTED');
        assert.match(refusal.message, /not cross-origin isolated/);
        assert.match(refusal.message, /Cross-Origin-Opener-Policy: same-origin/);
        assert.match(refusal.message, /Cross-Origin-Embedder-Policy: require-corp`.*credentialless/);
      }
    });

    it("refuses every blocking form on the page's main thread, naming its Async form", async () => {
      const { result } = await runPage<{ refused: Record<string, Refusal>; tries: Record<string, unknown> }>(
        browser(),
        `${isolated.origin}/run/blocking`,
      );
      const asyncForm: Record<string, RegExp> = {
        'event.wait()': /use `await event\.waitAsync\(\)`/,
        'event.wait() of a set Event': /use `await event\.waitAsync\(\)`/,
        'lock.acquire()': /use `await lock\.acquireAsync\(\)`/,
        'rlock.acquire()': /use `await rlock\.acquireAsync\(\)`/,
        'semaphore.acquire()': /use `await semaphore\.acquireAsync\(\)`/,
        'condition.wait()': /use `await condition\.waitAsync\(\)`/,
        'condition.waitFor()': /use `await condition\.waitForAsync\(\)`/,
        'barrier.wait()': /use `await barrier\.waitAsync\(\)`/,
        'queue.get()': /use `await queue\.getAsync\(\)`/,
        'queue.put()': /use `await queue\.putAsync\(item\)`/,
        'queue.join()': /use `await queue\.joinAsync\(\)`/,
        'simpleQueue.get()': /use `await queue\.getAsync\(\)`/,
        'sleepSync()': /use `await sleep\(ms\)`/,
      };
      assert.deepEqual(Object.keys(result.refused).sort(), Object.keys(asyncForm).sort());
      for (const [call, refusal] of Object.entries(result.refused)) {
        assert.equal(refusal.name, 'NotSupportedError', `${call}: ${JSON.stringify(refusal)}`);
        assert.match(refusal.message, /cannot block the page's main thread/, call);
        assert.match(refusal.message, asyncForm[call]!, call);
      }
      assert.deepEqual(result.tries, {
        'lock.acquire(0)': true,
        'lock.acquire(0) again': false,
        'event.wait(0)': false,
        'queue.get(0)': 'a',
        'queue.get(0) of an empty queue': {
          name: 'QueueEmpty',
          code: 'SKEIN_ERR_QUEUE_EMPTY',
          message: (result.tries['queue.get(0) of an empty queue'] as Refusal).message,
        },
        'sleepSync(0)': 'returned',
      });
    });

    it('shares Event, Lock, RLock, Semaphore, Condition and Barrier between the page and module workers', async () => {
      const { result } = await runPage<Record<string, unknown>>(browser(), `${isolated.origin}/run/primitives`);
      assert.deepEqual(result, {
        event: { noticed: true },
        lock: { counter: 6_000, expected: 6_000 },
        rlock: { reentered: true, whileHeld: false, afterwards: true },
        semaphore: [true, true],
        condition: [true, true],
        barrier: [0, 1, 2],
      });
    });

    it("bridges the platform's AbortSignal and Event both ways between the page and a worker; errors cross intact", async () => {
      const { result } = await runPage<Record<string, unknown>>(browser(), `${isolated.origin}/run/signals`);
      assert.deepEqual(result, {
        fromSignal: { noticed: true },
        toSignal: { aborted: false, reason: 'page cancelled' },
        errors: {
          seen: { isRangeError: true, cause: { limit: 10 } },
          back: { isRangeError: true, message: 'out of range', code: 'E_RANGE', cause: { limit: 10 }, event: true },
        },
      });
    });

    it('runs a Queue pipeline from the page through two workers and back', async () => {
      const { result } = await runPage<Record<string, unknown>>(browser(), `${isolated.origin}/run/pipeline`);
      const { perWorker, refused, ...rest } = result as { perWorker: number[]; refused: Refusal } & Record<
        string,
        unknown
      >;
      assert.equal(
        perWorker.reduce((sum, n) => sum + n, 0),
        100,
        `per worker: ${perWorker}`,
      );
      assert.deepEqual(rest, {
        results: 100,
        wrong: 0,
        echo: { date: 0, bytes: [1, 2, 3], map: [['k', [1, 'two']]] },
      });
      assert.equal(refused.name, 'NotSupportedError', JSON.stringify(refused));
      assert.match(refused.message, /relay.*does not run in browsers yet/);
      assert.equal((refused as unknown as { left: number }).left, 0);
    });
  });
}
