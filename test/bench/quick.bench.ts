// The benchmarks are not tests: this only checks that the quick suite runs
// and writes a well-formed results file. No figure is asserted. Not part of
// `npm test` (it is not a *.test.ts file, and takes ~20 s of it): run by
// `npm run test:bench`, which CI runs after `npm test`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FIGURES } from '../../bench/lib/figures.js';
import { TABLE_HEADER } from '../../bench/lib/report.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run the bench entry as `npm run bench` does after its build step
 * (`npm run test:bench` has just built dist/). Killed, and failing with what it printed, after `timeoutMs`.
 */
function runBench(args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const options = {
      cwd: repoRoot,
      env: { ...process.env, NODE_OPTIONS: '' },
      timeout: timeoutMs,
      killSignal: 'SIGKILL' as const,
    };
    execFile(process.execPath, ['bench/run.mjs', ...args], options, (error, stdout, stderr) => {
      if (error?.killed) {
        reject(
          new Error(
            `failed to run the bench ${args.join(' ')} in ${timeoutMs / 1000} seconds\nstdout:\n${stdout}\nstderr:\n${stderr}`,
          ),
        );
      } else {
        resolve({ code: typeof error?.code === 'number' ? error.code : error ? 1 : 0, stdout, stderr });
      }
    });
  });
}

const cells = (line: string): string[] =>
  line
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());

test('bench --quick --out DIR writes a results table with every figure, measured or marked skipped', {
  timeout: 150_000,
}, async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'skein-bench-'));
  t.after(() => rm(out, { recursive: true, force: true }));

  const run = await runBench(['--quick', '--out', out], 120_000);
  assert.equal(run.code, 0, `the quick bench exited with ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);

  const markdown = await readFile(join(out, 'results.md'), 'utf8');
  const lines = markdown.split('\n');
  assert.match(markdown, /^Machine: .+, \d+ cores, .+, Node v\d+\.\d+\.\d+, \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$/m);
  const header = lines.indexOf(TABLE_HEADER);
  assert.notEqual(header, -1, `no table header in results.md:\n${markdown}`);
  assert.match(lines[header + 1]!, /^\|( --- \|){6}$/);

  const rows = lines.slice(header + 2, lines.indexOf('', header));
  assert.deepEqual(
    rows.map((row) => cells(row)[0]),
    Object.values(FIGURES),
    'one row per figure, in order',
  );
  for (const row of rows) {
    const [figure, skein, reference, ratio, target, met] = cells(row);
    assert.equal(cells(row).length, 6, `six cells in ${row}`);
    const skipped = skein!.startsWith('skipped: ');
    if (skipped) {
      assert.equal(met, 'skipped', `a skipped figure says so in the Met column: ${row}`);
      continue;
    }
    assert.match(
      skein!,
      /^(-?\d[\d,.]* (µs|ms|ns|tasks\/s|items\/s|MiB\/s|MiB) \(-?\d[\d,.]*–-?\d[\d,.]*\)|\d+\/\d+ runs)$/,
      `skein cell of ${figure}`,
    );
    assert.ok(reference!.length > 0, `reference cell of ${figure}`);
    assert.match(ratio!, /^(—|\d[\d,.]*× \(\d[\d,.]*–\d[\d,.]*\))$/, `ratio cell of ${figure}`);
    assert.match(target!, /^(—|[≤≥] .+|every run)$/, `target cell of ${figure}`);
    assert.match(met!, /^(✓|✗|—)$/, `met cell of ${figure}`);
  }

  const svg = await readFile(join(out, 'results.svg'), 'utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>/);
  assert.match(svg, /<\/svg>\n$/);
});

test('bench with an unknown option prints usage and exits non-zero', { timeout: 60_000 }, async () => {
  const run = await runBench(['--no-such-option'], 30_000);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /unknown option `--no-such-option`/);
  assert.match(run.stderr, /Usage: npm run bench/);
});
