// Short versions of the thread scenarios of `npm run stress`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { runChurn } from './scenarios/churn.js';
import { runBarrierRounds, runBoundedBuffer } from './scenarios/condbar.js';
import { runLocks } from './scenarios/locks.js';
import { runSharedEvent } from './scenarios/shared-event.js';

checkLeaksAfterEach();

describe('stress: threads (short)', () => {
  it('leaves nothing behind after 40 start → stop → join cycles and 4 pools', async () => {
    const report = await runChurn({ cycles: 40, lanes: 2, warmup: 10 });
    assert.deepEqual(report.problems, []);
    // Every sixth thread ignores its stop request and is forced.
    assert.deepEqual(report.outcomes, { stopped: 34, forced: 6, alive: 0 });
    assert.equal(report.liveWorkers, 0, 'no WORKER resource left (async_hooks)');
    assert.equal(report.liveThreads, 0, 'enumerate() lists only the main thread');
    assert.equal(report.liveStoppables, 0, 'no stoppable left registered');
  });

  it('keeps Lock, RLock and Semaphore exact while 4 threads and the main thread contend, with timeouts', async () => {
    const report = await runLocks(4, 400, 7);
    assert.deepEqual(report.problems, []);
    assert.ok(report.entered.lock > 0 && report.entered.rlock > 0 && report.entered.semaphore > 0, 'all three used');
    assert.ok(report.mostInside <= 2);
  });

  it('moves every item once through a bounded buffer of Condition + Lock, 2 producers + the main thread, 2 consumers', async () => {
    const report = await runBoundedBuffer(2, 2, 200, 4, 7);
    assert.deepEqual(report.problems, []);
    assert.equal(report.items, 600);
  });

  it('passes barrier rounds with 3 threads and the main thread, broken for all when a party is late', async () => {
    const report = await runBarrierRounds(3, 40, 5, 7);
    assert.deepEqual(report.problems, []);
    assert.ok(report.broken > 0 && report.passed > 0, `${report.passed} passed, ${report.broken} broken`);
  });

  it('ends all 50 threads waiting on one Event in every way when it is set', async () => {
    const report = await runSharedEvent(50);
    assert.deepEqual(report.problems, []);
    assert.equal(report.ended, 50);
    assert.deepEqual(Object.keys(report.byKind).sort(), [
      'hot loop',
      'sleep',
      'sleepSync',
      'subclass field',
      'timed waits',
      'wait',
      'waitAsync',
    ]);
  });
});
