// The Node worker entry (dist/worker/entry.js, from src/worker/entry.ts)
// must not await at its top level: V8 can abort the whole process when a
// worker ends while a module's top-level await is pending (see the entry).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { transformSync } from 'esbuild';
import { repoRoot } from '../helpers/repo-root.js';

/** Whether `code` awaits at its top level: esbuild refuses that in a CommonJS output. */
function awaitsAtTopLevel(code: string): boolean {
  try {
    transformSync(code, { format: 'cjs', loader: 'js', logLevel: 'silent' });
    return false;
  } catch (error) {
    if (/top-level await/i.test(String(error))) return true;
    throw error;
  }
}

describe('the worker entry', () => {
  it('tells a module that awaits at its top level from one that does not', () => {
    assert.equal(awaitsAtTopLevel('await Promise.resolve(1);'), true);
    assert.equal(awaitsAtTopLevel('void (async () => { await 1; })();'), false);
  });

  it('does not await at its top level', () => {
    const code = readFileSync(join(repoRoot, 'dist/worker/entry.js'), 'utf8');
    assert.equal(awaitsAtTopLevel(code), false, 'dist/worker/entry.js awaits at its top level');
  });
});
