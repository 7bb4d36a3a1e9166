// A fresh clone installs cleanly: no scratch file is committed, and npm (11+,
// which skips a dependency's install script unless package.json's
// `allowScripts` covers it, and warns about each one it skipped) has nothing
// to warn about.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/repo-root.js';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface Manifest {
  allowScripts?: Record<string, boolean>;
}
interface Lockfile {
  packages: Record<string, { version?: string; hasInstallScript?: boolean }>;
}

describe('a clean clone and install', { timeout: 60_000 }, () => {
  it('commits no file that .gitignore calls scratch', async () => {
    // Tracked files that the ignore rules match: scratch (.tmp*, .tmp/) committed by mistake.
    const { stdout } = await run('git', ['ls-files', '--cached', '--ignored', '--exclude-standard'], {
      cwd: repoRoot,
      timeout: 30_000,
    });
    assert.deepEqual(stdout.split('\n').filter(Boolean), [], 'scratch files are committed');
  });

  it('covers every dependency install script in allowScripts', () => {
    const manifest = JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8')) as Manifest;
    const lock = JSON.parse(readFileSync(`${repoRoot}package-lock.json`, 'utf8')) as Lockfile;
    const allowed = manifest.allowScripts ?? {};
    const uncovered = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.hasInstallScript)
      .map(
        ([path, entry]) => `${path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)}@${entry.version}`,
      )
      .filter((spec) => {
        const name = spec.slice(0, spec.lastIndexOf('@'));
        // A name-only entry covers every version; `name@version` that version.
        return !(name in allowed) && !(spec in allowed);
      });
    assert.deepEqual(uncovered, [], 'packages whose install script package.json `allowScripts` does not cover');
  });

  it('leaves npm nothing to warn about', async (t) => {
    const listed = await run(npm, ['install-scripts', 'ls'], { cwd: repoRoot, timeout: 30_000 }).catch(
      (error: { stdout?: string; stderr?: string }) => error,
    );
    if (/Unknown command/i.test(`${listed.stdout}${listed.stderr}`)) {
      // npm before install-script approvals runs every install script, silently.
      t.skip('this npm has no install-script approvals');
      return;
    }
    assert.match(listed.stdout ?? '', /No packages with unreviewed install scripts/, listed.stderr);
  });
});
