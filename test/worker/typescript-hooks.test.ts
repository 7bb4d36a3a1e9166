// The module hooks a worker chains under tsx's where they run on a thread
// of their own (src/worker/typescript-hooks.ts): called here directly, with
// the hooks below them played by the test. They must answer exactly as
// tsx and Node's default hooks would — only without asynchronous fs calls —
// and leave everything else to the hooks below.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { LoadFnOutput, LoadHookContext, ResolveFnOutput, ResolveHookContext } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
// Internal: loaded by URL on tsx's hooks thread, never imported by skein's code.
import { initialize, load, resolve } from '../../dist/worker/typescript-hooks.js';

let root = '';
const url = (...parts: string[]): string => pathToFileURL(join(root, ...parts)).href;

before(() => {
  // root/package.json says module; cjs/ says commonjs; untyped/ has one without a type;
  // node_modules/dep/ has none (the walk must stop at node_modules); broken/ is not JSON.
  root = mkdtempSync(join(tmpdir(), 'skein-ts-hooks-'));
  const files: Record<string, string> = {
    'package.json': '{"type":"module"}',
    'deep/er/x.ts': '',
    'cjs/package.json': '{"type":"commonjs"}',
    'untyped/package.json': '{"name":"untyped"}',
    'node_modules/dep/x.ts': '',
    'broken/package.json': '{ not json',
    'module.ts': 'export const answer: number = 42;\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
});

after(() => rmSync(root, { recursive: true, force: true }));

/** The hooks below: resolve to `specifier` itself with `format`, recording the calls. */
function below(format?: ResolveFnOutput['format']) {
  const calls: string[] = [];
  const nextResolve = async (specifier: string): Promise<ResolveFnOutput> => {
    calls.push(specifier);
    return { url: specifier, format };
  };
  return { calls, nextResolve };
}

const resolveContext = {
  conditions: ['node', 'import'],
  importAttributes: {},
  parentURL: undefined,
} as unknown as ResolveHookContext;

async function formatOf(specifier: string, given?: ResolveFnOutput['format']): Promise<unknown> {
  const { calls, nextResolve } = below(given);
  const resolved = await resolve(specifier, resolveContext, nextResolve);
  assert.deepEqual(calls, [specifier], 'the hooks below resolve it, once');
  assert.equal(resolved.url, specifier);
  return resolved.format;
}

describe('hooks under tsx: resolve', () => {
  it("gives a .ts file its package's type, from the nearest package.json", async () => {
    assert.equal(await formatOf(url('deep', 'er', 'x.ts')), 'module');
    assert.equal(await formatOf(url('cjs', 'x.ts')), 'commonjs');
    assert.equal(await formatOf(url('cjs', 'x.tsx')), 'commonjs');
  });

  it('takes a package.json without a type as commonjs, and does not look past node_modules', async () => {
    assert.equal(await formatOf(url('untyped', 'x.ts')), 'commonjs');
    assert.equal(await formatOf(url('node_modules', 'dep', 'x.ts')), 'commonjs');
  });

  it('gives .mts module and .cts commonjs, whatever the package says', async () => {
    assert.equal(await formatOf(url('cjs', 'x.mts')), 'module');
    assert.equal(await formatOf(url('x.cts')), 'commonjs');
  });

  it('leaves alone a format given below, other files and other schemes', async () => {
    assert.equal(await formatOf(url('cjs', 'x.ts'), 'module'), 'module');
    assert.equal(await formatOf(url('x.js')), undefined);
    assert.equal(await formatOf('node:fs', 'builtin'), 'builtin');
    assert.equal(await formatOf('data:text/javascript,export{}'), undefined);
  });

  it('leaves a package.json that is not JSON for tsx to report', async () => {
    assert.equal(await formatOf(url('broken', 'x.ts')), undefined);
  });
});

describe('hooks under tsx: load', () => {
  const context = (format: LoadHookContext['format'], importAttributes = {}): LoadHookContext =>
    ({ conditions: ['node', 'import'], format, importAttributes }) as LoadHookContext;
  const passedOn = { format: 'passed on', source: 'from below' } as unknown as LoadFnOutput;

  /** Load through the hook; undefined if it left the load to the hooks below. */
  async function loaded(at: string, ctx: LoadHookContext): Promise<LoadFnOutput | undefined> {
    const result = await load(at, ctx, async () => passedOn);
    return result === passedOn ? undefined : result;
  }

  it("reads an ES module file's bytes as they are now", async () => {
    initialize({ readSources: true });
    const at = url('module.ts');
    const first = await loaded(at, context('module'));
    assert.equal(first?.format, 'module');
    assert.equal(first?.shortCircuit, true);
    assert.deepEqual(Buffer.from(first!.source as Uint8Array), readFileSync(join(root, 'module.ts')));
    writeFileSync(join(root, 'module.ts'), 'export const answer: number = 43;\n');
    const second = await loaded(`${at}?again`, context('module'));
    assert.equal(Buffer.from(second!.source as Uint8Array).toString(), 'export const answer: number = 43;\n');
  });

  it('leaves the read to the hooks below when others may be there', async () => {
    initialize({ readSources: false });
    assert.equal(await loaded(url('module.ts'), context('module')), undefined);
    initialize(undefined);
    assert.equal(await loaded(url('module.ts'), context('module')), undefined);
  });

  it('leaves everything else to the hooks below', async () => {
    initialize({ readSources: true });
    assert.equal(await loaded(url('module.ts'), context('commonjs')), undefined);
    assert.equal(await loaded(url('module.ts'), context(undefined)), undefined);
    assert.equal(await loaded(url('module.ts'), context('module', { type: 'json' })), undefined);
    assert.equal(await loaded(url('no-such-file.ts'), context('module')), undefined, 'its error is theirs to give');
    assert.equal(await loaded('data:text/javascript,export{}', context('module')), undefined);
  });
});
