// shareModules: a thread that imported modules leaves its worker, modules
// and all, to the next thread that shares modules — and to no other.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Thread, setStandbyThreads } from 'skein';
import { joinOrFail } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
// Internal: workers given back so far, and idle ones now.
import { idleStandbyCount, releasedWorkerCount } from '../../dist/internal.js';

checkLeaksAfterEach();

const counter = (name: 'next' | 'nextLeavingGlobal' | 'nextLeavingWrite') => ({
  module: new URL('../fixtures/module-state.mjs', import.meta.url),
  export: name,
});

/** Run a thread to its end and return its result. */
async function run(options: ConstructorParameters<typeof Thread>[0]): Promise<unknown> {
  const thread = new Thread(options);
  thread.start();
  await joinOrFail(thread);
  assert.equal(thread.exception, undefined);
  return thread.result;
}

/** Run a counting thread that shares modules; its worker is given back by the time join() returns. */
async function countShared(): Promise<unknown> {
  const before = releasedWorkerCount();
  const count = await run({ target: counter('next'), shareModules: true });
  assert.equal(releasedWorkerCount(), before + 1, 'the worker was given back');
  return count;
}

// Not on Bun: it does not show a worker's pending timers, so skein never gives a Bun worker another thread.
const onBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';

describe('threads that share modules', { skip: onBun }, () => {
  it('run back to back on one worker, finding the module as the last one left it', async () => {
    setStandbyThreads(1);
    assert.deepEqual([await countShared(), await countShared(), await countShared()], [1, 2, 3]);
    setStandbyThreads(0); // lets the worker holding the module go
    assert.equal(idleStandbyCount(), 0);
    setStandbyThreads(1);
    assert.equal(await countShared(), 1, 'a fresh worker, a fresh module');
    setStandbyThreads(0);
  });

  it('never give their worker to a thread that does not share modules', async () => {
    setStandbyThreads(1);
    assert.equal(await countShared(), 1);
    // The same module, not shared: a worker of its own, whose module starts afresh.
    assert.equal(await run({ target: counter('next') }), 1);
    assert.equal(
      await run({ target: () => (globalThis as { leftByModuleTarget?: boolean }).leftByModuleTarget ?? 'clean' }),
      'clean',
    );
    // The worker holding the module waited for a thread that shares it.
    assert.equal(await countShared(), 2);
    setStandbyThreads(0);
  });

  it('still take their worker with them when they leave a global behind', async () => {
    setStandbyThreads(1);
    assert.equal(await countShared(), 1);
    assert.equal(await run({ target: counter('nextLeavingGlobal'), shareModules: true }), 2);
    assert.equal(await run({ target: counter('next'), shareModules: true }), 1, 'the next one ran on a fresh worker');
    setStandbyThreads(0);
  });

  it('wait for a file write the last one left to end, then serve the next', async () => {
    setStandbyThreads(1);
    const directory = await mkdtemp(join(tmpdir(), 'skein-share-'));
    try {
      const path = join(directory, 'left.txt');
      const before = releasedWorkerCount();
      assert.equal(await run({ target: counter('nextLeavingWrite'), args: [path], shareModules: true }), 1);
      assert.equal(releasedWorkerCount(), before + 1, 'the worker was given back');
      // Given back once the write had ended: the file is whole.
      assert.equal(await readFile(path, 'utf8'), 'written after the thread returned');
      assert.equal(await countShared(), 2);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
    setStandbyThreads(0);
  });

  it('share modules when a thread starts them, too', async () => {
    setStandbyThreads(1);
    const outer = new Thread({
      target: async (target: { module: string; export: string }) => {
        // Each inner thread's worker reaches the hub a little after its end
        // (this thread hears of the end first): start more until one finds
        // an earlier one's module (bounded).
        const counts: unknown[] = [];
        for (let i = 0; i < 50 && counts.at(-1) !== 2; i++) {
          const inner = new Thread({ target, shareModules: true });
          inner.start();
          if (!(await inner.join(30_000))) throw new Error('failed to join an inner thread in 30 seconds');
          counts.push(inner.result);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return counts;
      },
      args: [{ ...counter('next'), module: counter('next').module.href }],
    });
    outer.start();
    await joinOrFail(outer);
    assert.equal(outer.exception, undefined);
    const counts = outer.result as number[];
    // Each one afresh, until one ran on an earlier one's worker.
    assert.deepEqual(counts, [...counts.slice(0, -1).map(() => 1), 2]);
    setStandbyThreads(0);
  });

  it('refuse a shareModules that is not a boolean', () => {
    assert.throws(() => new Thread({ target: () => 1, shareModules: 'yes' as never }), {
      name: 'TypeError',
      message: 'Expected `shareModules` to be a boolean, got `"yes"` (string)',
    });
  });
});
