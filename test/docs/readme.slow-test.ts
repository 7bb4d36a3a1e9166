// The README's TypeScript examples compile against the package as published
// (dist/ through the package's own name), with the project's strict options.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/repo-root.js';
import { typecheck } from '../helpers/typecheck.js';

const readme = readFileSync(`${repoRoot}README.md`, 'utf8');

/** Every ```ts block, with the README line its code starts on (1-based). */
function tsBlocks(markdown: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const pattern = /^```ts\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(pattern)) {
    blocks.push({ line: markdown.slice(0, match.index).split('\n').length + 1, code: match[1]! });
  }
  return blocks;
}

describe('README', { timeout: 60_000 }, () => {
  it('has TypeScript examples, and every one type-checks', () => {
    const blocks = tsBlocks(readme);
    assert.ok(blocks.length >= 5, `expected the README's examples, found ${blocks.length} ts blocks`);
    // Each block is its own module in the repository root, so 'skein' resolves.
    const sources = new Map(blocks.map((b) => [`${repoRoot}README.line-${b.line}.ts`, `${b.code}export {};\n`]));
    // The module the examples' module targets name, as its comment in the README declares it.
    sources.set(
      `${repoRoot}jobs.ts`,
      'export async function resize(path: string, width: number): Promise<Uint8Array> {\n' +
        '  return new TextEncoder().encode(path.repeat(width));\n}\n',
    );
    // An example may leave a value unused; everything else stays strict.
    const errors = typecheck(sources, { noUnusedLocals: false, noUnusedParameters: false });
    const report = errors.map((e) => {
      if (!e.file.includes('README.line-')) return `${e.file}: TS${e.code} ${e.message}`;
      const start = Number(/line-(\d+)/.exec(e.file)![1]);
      return `README.md:${start + e.line}: TS${e.code} ${e.message}`;
    });
    assert.deepEqual(report, []);
  });

  it('links only to files and headings that exist', () => {
    // Outside code blocks and inline code, where `[a](b)` is not a link.
    const prose = readme.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');
    const links = [...prose.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
    assert.ok(links.includes('docs/api/index.html'), 'the README links the API reference');
    // GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens.
    const anchors = new Set(
      [...readme.matchAll(/^#+ (.+)$/gm)].map((match) =>
        match[1]!
          .toLowerCase()
          .replace(/[^\p{L}\p{N}\s_-]/gu, '')
          .replace(/\s/g, '-'),
      ),
    );
    const broken = links.filter((link) => {
      if (/^[a-z][a-z+.-]*:/i.test(link)) return false; // https:, mailto: …
      const [path, anchor] = link.split('#') as [string, string | undefined];
      if (path === '') return !anchors.has(anchor ?? '');
      // docs/api/ is built by `npm run docs` (npm install and npm run test:slow run it).
      return !existsSync(join(repoRoot, decodeURIComponent(path)));
    });
    assert.deepEqual(broken, [], 'README links that resolve to nothing (docs/api/: run `npm run docs`)');
  });
});
