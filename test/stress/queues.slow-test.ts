// The short version of the queues scenario of `npm run stress`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { runQueues } from './scenarios/queues.js';

checkLeaksAfterEach();

describe('stress: queues (short)', () => {
  it('moves items of every size and kind through a bounded queue, and shuts queues down under blocked threads', async () => {
    const report = await runQueues({ producers: 3, consumers: 3, perProducer: 200, rounds: 4, seed: 12 });
    assert.deepEqual(report.problems, []);
    assert.equal(report.items, 600);
    assert.ok(report.relayed > 0, 'some items went through the relay');
    assert.equal(report.shutdownRounds, 4);
  });
});
