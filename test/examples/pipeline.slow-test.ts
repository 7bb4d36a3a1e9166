// examples/pipeline.ts: producer thread → pool of workers → main, through queues.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runScript, startScript } from '../helpers/bounded.js';

describe('examples/pipeline.ts', () => {
  it('moves every job through the workers to the main thread once, and ends cleanly', async () => {
    const run = await runScript('examples/pipeline.ts', { args: ['20', '10'], timeoutMs: 60_000 });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'pipeline: 1 producer thread → 4 workers → main');
    assert.ok(lines.includes('producer: put all 20 jobs'), run.stdout);
    const results = lines.filter((line) => line.startsWith('job '));
    assert.deepEqual(
      results.map((line) => Number(/^job (\d+) →/.exec(line)![1])).sort((a, b) => a - b),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    for (const line of results) {
      const [, job, square] = /^job (\d+) → (\d+)$/.exec(line)!;
      assert.equal(Number(square), Number(job) ** 2);
    }
    const summary = /^main: 20 results \(workers did (\d+) \+ (\d+) \+ (\d+) \+ (\d+)\)$/.exec(lines.at(-1)!);
    assert.ok(summary, lines.at(-1));
    assert.equal(
      summary.slice(1).reduce((sum, n) => sum + Number(n), 0),
      20,
    );
  });

  it('stops on Ctrl-C: the jobs queue is shut down under the blocked producer and workers, and it exits 0', async () => {
    const script = startScript('examples/pipeline.ts', { args: ['1000000', '20'], timeoutMs: 60_000 });
    await script.waitForOutput(/(job \d+ → \d+\n.*){8}/s, 30_000, 'see eight results');
    script.child.kill('SIGINT');
    const run = await script.finished;
    assert.equal(run.code, 0, run.stderr);
    const stopped = /^producer: stopped after (\d+) jobs$/m.exec(run.stdout);
    assert.ok(stopped, run.stdout);
    const results = run.stdout.split('\n').filter((line) => line.startsWith('job '));
    assert.ok(results.length <= Number(stopped[1]), 'no more results than jobs put');
    assert.equal(new Set(results).size, results.length, 'each job once');
  });
});
