// `npm test` prints a short report (scripts/test-reporter.mjs): a dot per
// test, every failure in full, stray output marked, and the counts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/repo-root.js';

const run = promisify(execFile);

describe('the test report', { timeout: 60_000 }, () => {
  it('shows each failure in full, marks stray output, and ends on the counts', async () => {
    const args = ['--test', '--test-reporter=./scripts/test-reporter.mjs', 'test/fixtures/report-sample.mjs'];
    // A runner of its own, not a child of this one (which node:test marks in the environment).
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const { stdout } = await run(process.execPath, args, { cwd: repoRoot, env, timeout: 50_000 }).then(
      () => assert.fail('the sample has a failing test: the run must exit non-zero'),
      (error: { code?: number; stdout: string }) => {
        assert.equal(error.code, 1);
        return error;
      },
    );
    const lines = stdout.trimEnd().split('\n');
    assert.ok(lines.length < 60, `a short report, got ${lines.length} lines:\n${stdout}`);
    assert.match(lines[0]!, /^[.X]+$/, 'a dot or an X per test first');
    assert.match(stdout, /✖ fails .*\n\s+AssertionError \[ERR_ASSERTION\]: arithmetic is broken\n/);
    assert.match(stdout, /at .*report-sample\.mjs:\d+:\d+/, 'the failure with its stack');
    assert.match(stdout, /\nSkipped:\n {2}is skipped \(not today\)\n/);
    assert.match(
      stdout,
      /\nPrinted by test files .*\n {2}│ test\/fixtures\/report-sample\.mjs: a stray line on stderr\n/,
    );
    assert.deepEqual(lines.slice(-1), ['tests: 1 passed, 1 failed, 1 skipped']);
    assert.match(lines.at(-2)!, /^3 tests in 1 suites, \d+\.\d s$/);
  });

  it('says how a file whose process failed ended, when its tests passed', async () => {
    const args = ['--test', '--test-reporter=./scripts/test-reporter.mjs', 'test/fixtures/report-exit.mjs'];
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const { stdout } = await run(process.execPath, args, { cwd: repoRoot, env, timeout: 50_000 }).then(
      () => assert.fail('the file failed: the run must exit non-zero'),
      (error: { code?: number; stdout: string }) => error,
    );
    assert.match(
      stdout,
      /\nTest files whose process failed:\n {2}test\/fixtures\/report-exit\.mjs: its process ended with exit code 3\n/,
    );
  });

  it('says what the runner said of a file, such as an error thrown after its test ended', async () => {
    const args = ['--test', '--test-reporter=./scripts/test-reporter.mjs', 'test/fixtures/report-late-error.mjs'];
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const { stdout } = await run(process.execPath, args, { cwd: repoRoot, env, timeout: 50_000 }).then(
      () => assert.fail('the file failed: the run must exit non-zero'),
      (error: { code?: number; stdout: string }) => error,
    );
    assert.match(stdout, /its process ended with exit code 1\n/);
    assert.match(
      stdout,
      /\nThe test runner said:\n {2}.*"ends before what it scheduled".*"Error: thrown after the test ended"/,
    );
  });
});
