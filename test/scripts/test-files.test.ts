// Which tests `npm test` runs, which `npm run test:slow` runs, and in what
// order (scripts/test-files.ts): every test file in exactly one of them, and
// CI running both.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { longestFirst, quickFiles, slowFiles } from '../../scripts/test-files.js';
import { repoRoot } from '../helpers/repo-root.js';

describe('the test files', () => {
  it('npm test runs the quick ones, longest first, each once', () => {
    const quick = quickFiles();
    assert.equal(new Set(quick).size, quick.length, 'no file twice');
    assert.ok(quick.length > 40, `the quick tests, found ${quick.length}`);
    for (const file of quick) assert.match(file, /^test\/[\w-]+\/[\w-]+\.test\.ts$/);
    for (const file of longestFirst) assert.ok(existsSync(`${repoRoot}${file}`), `${file} (longestFirst) exists`);
    const longest = longestFirst.filter((file) => file.endsWith('.test.ts'));
    assert.deepEqual(quick.slice(0, longest.length), longest, 'the longest files first');
  });

  it('npm run test:slow runs the slow ones, which npm test leaves out', () => {
    const slow = slowFiles();
    assert.ok(slow.length > 0);
    for (const file of slow) assert.match(file, /^test\/[\w-]+\/[\w-]+\.slow-test\.ts$/);
    assert.equal(new Set(slow).size, slow.length, 'no file twice');
    const longest = longestFirst.filter((file) => file.endsWith('.slow-test.ts'));
    assert.deepEqual(slow.slice(0, longest.length), longest, 'the longest files first');
    assert.ok(slow.includes('test/package/consumer.slow-test.ts'), 'the consumer project is a slow test');
  });

  it('are run by the scripts the README names, and CI runs them all', () => {
    const { scripts } = JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8')) as {
      scripts: Record<string, string>;
    };
    assert.match(scripts.test!, /^npm run build --silent && node --import tsx\/esm scripts\/test\.ts$/);
    assert.match(scripts['test:slow']!, /^npm run build --silent && node --import tsx\/esm scripts\/test\.ts --slow$/);
    assert.match(scripts['test:bench']!, /test\/bench\/quick\.bench\.ts$/);
    const ci = readFileSync(`${repoRoot}.ci/run`, 'utf8');
    for (const command of ['npm test', 'npm run test:slow', 'npm run test:bench', 'npm run test:browsers'])
      assert.match(ci, new RegExp(`^${command}$`, 'm'), `.ci/run runs ${command}`);
    // npm run test:runtimes runs every file, quick and slow, on the other runtimes.
    assert.match(
      readFileSync(`${repoRoot}scripts/test-runtimes.ts`, 'utf8'),
      /\[\.\.\.quickFiles\(\), \.\.\.slowFiles\(\)\]/,
    );
  });
});
