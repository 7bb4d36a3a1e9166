// examples/pool-stop.ts: the tutorial's "stop tasks in a ThreadPoolExecutor".
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runScript } from '../helpers/bounded.js';

it('stops every task of a pool through one shared Event, each cleaning up', async () => {
  const run = await runScript('examples/pool-stop.ts', { timeoutMs: 60_000 });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  const lines = run.stdout.trimEnd().split('\n');
  assert.equal(lines[0], 'Main stopping all tasks');
  // The four workers clean up side by side, in any order.
  assert.deepEqual(lines.slice(1, 5).sort(), [0, 1, 2, 3].map((id) => `Task ${id} cleaning up`));
  assert.deepEqual(lines.slice(5), [
    'Task 0 stopped',
    'Task 1 stopped',
    'Task 2 stopped',
    'Task 3 stopped',
    'All tasks stopped; the pool shuts down as the block ends',
  ]);
});
