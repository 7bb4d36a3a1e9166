// examples/task-group.ts: ten downloads in a TaskGroup, one fails, the
// group stops the other nine and each runs its finally block.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runScript } from '../helpers/bounded.js';

it('stops the nine other downloads when one fails, each cleaning up, then throws the failure', async () => {
  const run = await runScript('examples/task-group.ts', { timeoutMs: 60_000 });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  const lines = run.stdout.trimEnd().split('\n');
  const ids = [...Array(10).keys()];
  // Every finally block ran (in any order) before the group was left.
  const failed = lines.indexOf('Group failed: Download 7 failed: connection reset');
  assert.ok(failed > 0, `the failure is reported:\n${run.stdout}`);
  assert.deepEqual(
    lines.slice(0, failed).sort(),
    ids.map((id) => `Download ${id} cleaning up`),
  );
  // The nine were stopped, not failed, in submission order.
  assert.deepEqual(lines.slice(failed + 1), [
    ...ids.filter((id) => id !== 7).map((id) => `Download ${id} stopped`),
    'All downloads ended',
  ]);
});
