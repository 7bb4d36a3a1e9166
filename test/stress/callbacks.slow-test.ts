// Short version of the done-callback scenario of `npm run stress`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { runDoneCallbacks } from './scenarios/done-callbacks.js';

checkLeaksAfterEach();

describe('stress: done callbacks (short)', () => {
  it('submit to, and shut down, their own pool from every place a future settles, without deadlock', async () => {
    const report = await runDoneCallbacks(1, 50);
    assert.deepEqual(report.problems, []);
    // 50 chained, 50 fanned out, 1 after a crash.
    assert.equal(report.submittedFromCallbacks, 101);
    assert.equal(report.completedFromCallbacks, 101);
    assert.equal(report.shutdownsFromCallbacks, 3);
    // 20 queued tasks' callbacks, after each of the two shutdowns from a callback.
    assert.equal(report.refusedAfterShutdown, 40);
  });
});
