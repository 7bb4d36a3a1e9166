// examples/progress.ts: a pool task reports progress through a Queue; main draws a bar.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runScript } from '../helpers/bounded.js';

it('draws a bar from every progress report of a pool task, then prints its result', async () => {
  const run = await runScript('examples/progress.ts', { args: ['10'], timeoutMs: 60_000 });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  const lines = run.stdout.trimEnd().split('\n');
  // Into a pipe: a line per report, in order, then the result.
  assert.equal(lines.length, 11);
  const percents = lines.slice(0, 10).map((line) => Number(/\]\s+(\d+)%$/.exec(line)?.[1]));
  assert.deepEqual(percents, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  assert.equal(lines[9], `[${'#'.repeat(30)}] 100%`);
  assert.equal(lines[10], 'done: the sum of 1…10 is 55');
});
