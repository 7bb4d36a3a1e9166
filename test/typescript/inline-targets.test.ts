// Inline targets and what they can reach: a relative `import()` resolves
// against the file that made the thread or submitted the task, and a free
// name that is skein imported under another name is explained as such.
// Here, under tsx and uncompiled (scripts/test-files.ts), because it is about
// the target's source as written: its relative imports, its names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as skein from 'skein';
import { Event as SkeinEvent, Thread, ThreadPoolExecutor } from 'skein';
import { joinOrFail } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { withHook } from '../helpers/threads.js';

checkLeaksAfterEach();

/** Start a thread on `target`, join it, and return it (bounded). */
async function ran(target: () => unknown): Promise<Thread> {
  const thread = new Thread({ target });
  thread.start();
  await joinOrFail(thread);
  return thread;
}

describe('a relative import() in an inline target', () => {
  it('resolves against the file that made the thread', async () => {
    const thread = await ran(async () => {
      const { cpuCountPlus } = await import('../fixtures/plain-target.mjs');
      return typeof cpuCountPlus;
    });
    assert.equal(thread.exception, undefined);
    assert.equal(thread.result, 'function');
  });

  it('reaches a TypeScript module by its .js name, under tsx', async () => {
    const thread = await ran(async () => {
      const { shout } = await import('../fixtures/targets.js');
      return shout('hi');
    });
    assert.equal(thread.exception, undefined);
    assert.equal(thread.result, 'HI! from targets.ts');
  });

  it('resolves against the file that submitted the task', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const future = pool.submit(async (n: number) => {
      const { cpuCountPlus } = await import('../fixtures/plain-target.mjs');
      return cpuCountPlus(n) - cpuCountPlus(0);
    }, 2);
    assert.equal(await future.result(10_000), 2);
  });

  it('resolves against the file of a Thread subclass shipped as source', async () => {
    class Importer extends Thread {
      override async run(): Promise<string> {
        const { cpuCountPlus } = await import('../fixtures/plain-target.mjs');
        return typeof cpuCountPlus;
      }
    }
    const thread = new Importer();
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.exception, undefined);
    assert.equal(thread.result, 'function');
  });

  it('resolves against the same file in a thread started by such a target', async () => {
    const thread = await ran(async () => {
      const inner = new Thread({
        target: async () => {
          const { cpuCountPlus } = await import('../fixtures/plain-target.mjs');
          return typeof cpuCountPlus;
        },
      });
      inner.start();
      if (!(await inner.join(10_000))) throw new Error('failed to join the inner thread in 10 seconds');
      if (inner.exception !== undefined) throw inner.exception;
      return inner.result;
    });
    assert.equal(thread.exception, undefined);
    assert.equal(thread.result, 'function');
  });

  it('leaves other specifiers as they are', async () => {
    const thread = await ran(async () => {
      const { basename } = await import('node:path');
      return basename('/a/b.txt');
    });
    assert.equal(thread.exception, undefined);
    assert.equal(thread.result, 'b.txt');
  });
});

describe('skein imported under another name in an inline target', () => {
  it('is explained for a namespace import, naming the export to use', async () => {
    await withHook(async () => {
      const thread = await ran(() => new skein.Event().isSet());
      const error = thread.exception as ReferenceError;
      assert.ok(error instanceof ReferenceError);
      assert.match(error.message, /^`skein` is not defined in thread .*namespace import of skein/);
      assert.match(error.message, /write `Event`, not `skein\.Event`/);
      assert.doesNotMatch(error.message, /Pass skein in `args`/);
    });
  });

  it('is explained for an alias, saying exports are in scope by their own names', async () => {
    await withHook(async () => {
      const thread = await ran(() => new SkeinEvent().isSet());
      const error = thread.exception as ReferenceError;
      assert.ok(error instanceof ReferenceError);
      assert.match(error.message, /^`SkeinEvent` is not defined in thread /);
      assert.match(error.message, /imported under another name .*write its own name/);
      assert.match(error.message, /in scope in an inline target by their own names/);
    });
  });
});
