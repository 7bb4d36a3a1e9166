// The API reference (docs/api/, built by `npm run docs`, which `npm run test:slow`
// and `npm install` run, and packed with the package): TypeDoc's own
// validation fails the build on an undocumented export or a broken
// {@link}; here, every export has its page and no link between the pages
// is broken.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import * as skein from 'skein';
import { repoRoot } from '../helpers/repo-root.js';

const docs = join(repoRoot, 'docs/api');
const missing = 'docs/api/ is not built: run `npm run docs` (npm run test:slow and npm install do)';

describe('API reference', () => {
  it('is built with validation that fails on an undocumented export or a broken link', () => {
    const config = JSON.parse(readFileSync(join(repoRoot, 'typedoc.json'), 'utf8')) as {
      validation?: Record<string, boolean>;
      treatWarningsAsErrors?: boolean;
      out?: string;
    };
    assert.deepEqual(config.validation, { notExported: true, invalidLink: true, notDocumented: true });
    assert.equal(config.treatWarningsAsErrors, true);
    assert.equal(config.out, 'docs/api');
  });

  it('has a page for every export of skein', () => {
    assert.ok(existsSync(join(docs, 'index.html')), missing);
    const pages = new Set(
      (readdirSync(docs, { recursive: true }) as string[]).filter((file) => file.endsWith('.html')).map(String),
    );
    const folder = (value: unknown): string =>
      typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value))
        ? 'classes'
        : typeof value === 'function'
          ? 'functions'
          : 'variables';
    const without = Object.entries(skein)
      .map(([name, value]) => `${folder(value)}/${name}.html`)
      .filter((page) => !pages.has(page));
    assert.deepEqual(without, [], `exports with no page (stale docs? ${missing.slice(missing.indexOf('run'))})`);
  });

  it('links only to pages and assets that exist', () => {
    assert.ok(existsSync(join(docs, 'index.html')), missing);
    const broken: string[] = [];
    for (const file of readdirSync(docs, { recursive: true }) as string[]) {
      if (!file.endsWith('.html')) continue;
      const html = readFileSync(join(docs, file), 'utf8');
      for (const [, target] of html.matchAll(/\b(?:href|src)="([^"#?]+)[^"]*"/g)) {
        if (/^[a-z][a-z+.-]*:/i.test(target!)) continue; // http:, mailto: …
        if (!existsSync(join(docs, dirname(file), decodeURIComponent(target!)))) broken.push(`${file} → ${target}`);
      }
    }
    assert.deepEqual(broken, []);
  });
});
