// Flags of the process that a worker refuses must not stop threads from starting.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

describe('process flags', () => {
  it('starts threads when the process has a per-process flag a worker refuses', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--stack-trace-limit=20', '--import', 'tsx', 'test/fixtures/scenarios/per-process-flag.ts'],
      { cwd: repoRoot, timeout: 30_000, env: { ...process.env, NODE_OPTIONS: '' } },
    );
    assert.equal(stderr, '');
    assert.equal(stdout, '[42,"HI! from targets.ts",null,null]\n');
  });

  it("passes a .ts module target's source through the program's own loader, beside tsx", async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        './test/fixtures/scenarios/own-loader.mjs',
        'test/fixtures/scenarios/own-loader.ts',
      ],
      { cwd: repoRoot, timeout: 30_000, env: { ...process.env, NODE_OPTIONS: '' } },
    );
    assert.equal(stderr, '');
    assert.equal(stdout, '["as rewritten by the loader",null]\n');
  });
});
