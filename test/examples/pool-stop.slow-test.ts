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
  assert.equal(lines.at(-1), 'All tasks stopped; the pool shuts down as the block ends');
  // The four workers clean up side by side, in any order, each before its
  // result is printed; the results come in submission order.
  assert.deepEqual(
    lines.filter((line) => line.endsWith('stopped')),
    [0, 1, 2, 3].map((id) => `Task ${id} stopped`),
  );
  for (const id of [0, 1, 2, 3]) {
    const cleaned = lines.indexOf(`Task ${id} cleaning up`);
    assert.ok(cleaned > 0 && cleaned < lines.indexOf(`Task ${id} stopped`), `task ${id} cleans up before its result`);
  }
  assert.equal(lines.length, 10);
});
