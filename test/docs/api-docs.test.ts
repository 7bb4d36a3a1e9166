// Every export is documented: TypeDoc's validation (typedoc.json:
// notDocumented, invalidLink, treatWarningsAsErrors) passes without writing
// the site. `npm run docs` writes it to docs/api/.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/typecheck.js';

const run = promisify(execFile);

describe('API reference', { timeout: 120_000 }, () => {
  it('documents every export, with no broken link', async () => {
    const typedoc = `${repoRoot}node_modules/typedoc/bin/typedoc`;
    const result = await run(process.execPath, [typedoc, '--emit', 'none'], { cwd: repoRoot, timeout: 100_000 }).catch(
      (error: { stdout?: string; stderr?: string }) => assert.fail(`typedoc failed:\n${error.stdout}${error.stderr}`),
    );
    assert.doesNotMatch(result.stdout + result.stderr, /\[(warning|error)\]/);
  });
});
