// The test compiler (scripts/compile-tests.ts): a compiled test module means
// what its source meant — its own URL, its imports of JavaScript files as
// the same modules, strings as written — and a relative import() it cannot
// keep is refused, naming the way out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { compileTests, sourcePathOf } from '../../scripts/compile-tests.js';
import { repoRoot } from '../helpers/repo-root.js';

const fixtures = 'test/fixtures/compile';

describe('the test compiler', () => {
  it("keeps a module's own URL, its imports of JavaScript files, and its strings", async () => {
    const [compiled] = await compileTests([`${fixtures}/sample.ts`]);
    assert.equal(sourcePathOf(compiled!), `${repoRoot}${fixtures}/sample.ts`);
    const sample = (await import(pathToFileURL(compiled!).href)) as Record<string, unknown>;
    assert.equal(sample.ownUrl, pathToFileURL(`${repoRoot}${fixtures}/sample.ts`).href);
    assert.equal(sample.helperUrl, pathToFileURL(`${repoRoot}${fixtures}/helper.ts`).href, 'its import compiled too');
    assert.equal(sample.mention, 'pass new URL("./x.js", import.meta.url)');
    const plain = await import(pathToFileURL(`${repoRoot}test/fixtures/plain-target.mjs`).href);
    assert.equal(sample.plain, plain, 'the same module as where it is');
  });

  it('refuses a relative import(), saying where such a test goes', async () => {
    await assert.rejects(compileTests([`${fixtures}/relative-import.ts`]), /put this test in test\/typescript\//);
  });
});
