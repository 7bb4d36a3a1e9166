// Short versions of the pool fault scenarios of `npm run stress`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { runForcedStopRace } from './scenarios/forced-race.js';

checkLeaksAfterEach();

describe('stress: pool faults (short)', () => {
  it('never lets a forced stop that lands as its task ends hit the next task', async () => {
    const report = await runForcedStopRace(30, 6);
    assert.deepEqual(report.problems, []);
    assert.equal(report.siblingsDone, 60);
    assert.equal(report.forced + report.stopped, 30);
  });
});
