// Short versions of the pool fault scenarios of `npm run stress`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { runFaultInjection } from './scenarios/faults.js';
import { runForcedStopRace } from './scenarios/forced-race.js';

checkLeaksAfterEach();

describe('stress: pool faults (short)', () => {
  it('settles 400 tasks of which 5% crash their worker, every other result right, the pool at full strength', async () => {
    const report = await runFaultInjection({ tasks: 400, faultRate: 0.05, maxWorkers: 2, seed: 6, timeoutMs: 60_000 });
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.faults, { exit: 5, throw: 5, oom: 5, loop: 5 });
    assert.equal(report.settled, 400);
    assert.equal(report.correct, 380);
    assert.equal(report.forced, 5);
    assert.equal(report.workersAtEnd, 2);
  });

  it('never lets a forced stop that lands as its task ends hit the next task', async () => {
    const report = await runForcedStopRace(30, 6);
    assert.deepEqual(report.problems, []);
    assert.equal(report.siblingsDone, 60);
    assert.equal(report.forced + report.stopped, 30);
  });
});
