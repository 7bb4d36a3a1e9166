// The package's `browser` export (dist/browser/, built by scripts/build.ts
// from src/browser.ts): nothing in its module graph imports a `node:`
// module, and every module it swaps for a browser sibling has its exports
// checked against the Node one (test/types/platform.test-d.ts).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/repo-root.js';

const browserDist = join(repoRoot, 'dist/browser');

function filesUnder(dir: string, ending: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((file) => file.endsWith(ending))
    .map((file) => join(dir, file));
}

describe('the browser build', () => {
  it('is what the package exports under the `browser` condition', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      exports: { '.': { browser: { types: string; default: string } } };
    };
    assert.deepEqual(manifest.exports['.'].browser, {
      types: './dist/browser.d.ts',
      default: './dist/browser/index.js',
    });
    for (const file of Object.values(manifest.exports['.'].browser)) {
      assert.ok(readFileSync(join(repoRoot, file)).length > 0, `${file} is built`);
    }
  });

  it('imports no `node:` module anywhere in its module graph', () => {
    const files = filesUnder(browserDist, '.js');
    assert.ok(files.length > 0, 'dist/browser/ is built: run `npm run build`');
    for (const file of files) {
      const code = readFileSync(file, 'utf8');
      // (A specifier has no spaces, braces or parentheses: that rules out code that merely mentions `import(`.)
      const imports = [...code.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"'\s(){};,]+)["']/g)].map(
        (match) => match[1]!,
      );
      assert.ok(imports.length > 0 || !code.includes('import'), `imports of ${file} were read`);
      const outside = imports.filter((specifier) => !specifier.startsWith('./') && !specifier.startsWith('../'));
      assert.deepEqual(outside, [], `${relative(repoRoot, file)} imports only its own chunks`);
    }
  });

  it('is tested in real browsers by CI, which installs them', () => {
    const ci = readFileSync(join(repoRoot, '.ci/run'), 'utf8');
    assert.match(ci, /^DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium firefox-esr\b/m);
    assert.match(ci, /^npm run test:browsers$/m);
    assert.ok(ci.indexOf('apt-get update') < ci.indexOf('apt-get install'), 'apt-get update runs first');
  });

  it('has the exports of every browser sibling checked against its Node module', () => {
    const checked = readFileSync(join(repoRoot, 'test/types/platform.test-d.ts'), 'utf8');
    const siblings = filesUnder(join(repoRoot, 'src'), '.browser.ts').map((file) => relative(repoRoot, file));
    assert.ok(siblings.length >= 3, `browser siblings found: ${siblings.join(', ')}`);
    for (const sibling of siblings) {
      const path = `../../${sibling.replace(/\.ts$/, '.js')}`;
      assert.ok(checked.includes(`'${path}'`), `test/types/platform.test-d.ts checks ${sibling}`);
      assert.ok(
        checked.includes(`'${path.replace('.browser.js', '.js')}'`),
        `…against ${sibling.replace('.browser', '')}`,
      );
    }
  });
});
