// Module targets in a program run under tsx (`node --import tsx`), as a
// TypeScript project runs them: a `.ts` module with its `.ts` imports, by its
// `.ts` or its `.js` name, in a thread and in a pool; its errors pointing at
// its own lines. Here, not beside the other Thread and pool tests, because
// this folder runs uncompiled, under tsx (scripts/test-files.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Event, Thread, ThreadPoolExecutor, moduleTargets } from 'skein';
import { joinOrFail, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { withHook } from '../helpers/threads.js';

checkLeaksAfterEach();

describe('Thread module targets', () => {
  const fixtures = new URL('../fixtures/', import.meta.url);

  it('runs a TypeScript module target with its imports (under tsx)', async () => {
    const thread = new Thread({ target: { module: new URL('targets.ts', fixtures), export: 'shout' }, args: ['hi'] });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.exception, undefined);
    assert.equal(thread.result, 'HI! from targets.ts');
    assert.equal(thread.name.endsWith('(shout)'), true);
  });

  it("points a TypeScript module target's error at its own line in the .ts file", async () => {
    const file = new URL('targets.ts', fixtures);
    const line = readFileSync(file, 'utf8').split('\n').indexOf("  throw new Error('failed in targets.ts');") + 1;
    assert.ok(line > 0);
    await withHook(async () => {
      const thread = new Thread({ target: { module: file, export: 'fail' } });
      thread.start();
      await joinOrFail(thread);
      const stack = String((thread.exception as Error).stack);
      assert.match(stack, /failed in targets\.ts/);
      assert.ok(stack.includes(`targets.ts:${line}:`), stack);
    });
  });

  it('runs the .ts module as it is when the thread starts, not as an earlier thread saw it', async () => {
    // In a folder of its own, under a package that makes .ts files ES modules.
    const dir = mkdtempSync(join(tmpdir(), 'skein-ts-target-'));
    try {
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
      writeFileSync(join(dir, 'helper.ts'), 'export const word: string = "first";\n');
      const target = { module: pathToFileURL(join(dir, 'target.ts')), export: 'say' };
      writeFileSync(
        join(dir, 'target.ts'),
        'import { word } from "./helper.js";\nexport const say = (): string => word;\n',
      );
      const results: unknown[] = [];
      for (const word of ['first', 'second']) {
        writeFileSync(join(dir, 'helper.ts'), `export const word: string = ${JSON.stringify(word)};\n`);
        const thread = new Thread({ target });
        thread.start();
        await joinOrFail(thread);
        assert.equal(thread.exception, undefined);
        results.push(thread.result);
      }
      assert.deepEqual(results, ['first', 'second']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs typed module targets from moduleTargets(), in a thread and in a pool', async () => {
    const jobs = moduleTargets<typeof import('../fixtures/targets.js')>(new URL('targets.ts', fixtures));
    assert.deepEqual(jobs('shout'), { module: new URL('targets.ts', fixtures), export: 'shout' });
    const thread = new Thread({ target: jobs('shout'), args: ['typed'] });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.exception, undefined);
    assert.equal(thread.result, 'TYPED! from targets.ts');
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const ready = new Event();
    assert.equal(await within(pool.submit(jobs('slowDouble'), 21, ready).result(), 10_000, 'run slowDouble'), 42);
  });

  it('refuses a bad module or export name in moduleTargets()', () => {
    assert.throws(() => moduleTargets('./jobs.js'), {
      name: 'TypeError',
      message: /^target\.module "\.\/jobs\.js" is a relative path.*new URL\("\.\/jobs\.js", import\.meta\.url\)/,
    });
    assert.throws(() => moduleTargets(new URL('no-such-file.js', fixtures)), {
      name: 'TypeError',
      message: /^target\.module not found: .*no-such-file\.js does not exist$/,
    });
    const jobs = moduleTargets(new URL('targets.ts', fixtures));
    assert.throws(() => jobs(''), {
      name: 'TypeError',
      message: 'Expected `exportName` to be the name of an export, got `""` (string)',
    });
    assert.throws(() => jobs(7 as never), {
      name: 'TypeError',
      message: 'Expected `exportName` to be the name of an export, got `7` (number)',
    });
  });

  it('runs a JavaScript module target given as an absolute path', async () => {
    const { fileURLToPath } = await import('node:url');
    const { cpus } = await import('node:os');
    const thread = new Thread({
      target: { module: fileURLToPath(new URL('plain-target.mjs', fixtures)), export: 'cpuCountPlus' },
      args: [1],
    });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.result, cpus().length + 1);
  });

  it('runs the default export when no export is named', async () => {
    const thread = new Thread({ name: 'by-default', target: { module: new URL('targets.js', fixtures) } });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.result, 'by-default');
  });

  it('reports a missing export, listing the ones there are', async () => {
    await withHook(async () => {
      const thread = new Thread({ target: { module: new URL('targets.ts', fixtures), export: 'nope' } });
      thread.start();
      await joinOrFail(thread);
      assert.match(
        String((thread.exception as Error).message),
        /has no function export `nope` \(its function exports: .*shout/,
      );
    });
  });

  it('runs a subclass exported from a module, with its imports', async () => {
    const { ShoutingThread } = await import('../fixtures/targets.js');
    const thread = new ShoutingThread('hello');
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.exception, undefined);
    assert.equal(thread.result, 'HELLO! from targets.ts');
  });
});

describe('ThreadPoolExecutor module targets', () => {
  it('runs async tasks and module targets', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    const asyncFuture = pool.submit(async (n: number) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return n + 1;
    }, 1);
    const moduleFuture = pool.submit<string>(
      { module: new URL('../fixtures/targets.ts', import.meta.url), export: 'shout' },
      'pool',
    );
    assert.equal(await asyncFuture, 2);
    assert.equal(await moduleFuture, 'POOL! from targets.ts');
  });
});
