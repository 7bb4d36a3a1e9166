// Short versions of the property-based checks of `npm run stress`, on a
// fixed seed (the full run draws a fresh one and prints it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { checkEventSchedules } from './scenarios/event-schedules.js';
import { checkFutureTransitions } from './scenarios/future-transitions.js';

checkLeaksAfterEach();

describe('stress: properties (short)', () => {
  it('Event: random set/clear/wait/waitAsync schedules on 2–4 threads lose no wake-up and miss no set', async () => {
    const report = await checkEventSchedules(40, 6);
    assert.equal(report.schedules, 40);
  });

  it('Future: random call sequences never reach an invalid state', async () => {
    const report = await checkFutureTransitions(500, 6);
    assert.equal(report.sequences, 500);
  });
});
