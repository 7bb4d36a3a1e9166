// The README's TypeScript examples compile against the package as published
// (dist/ through the package's own name), with the project's strict options.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { repoRoot, typecheck } from '../helpers/typecheck.js';

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
});
