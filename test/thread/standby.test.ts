// Standby workers: threads start on a worker booted ahead of need.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Thread, currentThread, setStandbyThreads } from 'skein';
import { joinOrFail } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
// Internal: how many standby workers are idle now.
import { idleStandbyCount } from '../../dist/internal.js';

checkLeaksAfterEach();

/** A target that reports which kind of worker it runs on. */
const workerKind = async (): Promise<string> => {
  const { workerData } = await import('node:worker_threads');
  // A standby worker rehearses a start while it waits; a fresh one has its job at once.
  return (workerData as { skein: { rehearse: boolean } }).skein.rehearse ? 'standby' : 'thread';
};

/** The standby is started on a later turn of the event loop, off the caller's path: wait for it (bounded). */
async function standbyStarted(): Promise<void> {
  for (let turn = 0; idleStandbyCount() === 0; turn++) {
    if (turn > 10_000) assert.fail('failed to see a standby worker started in 10,000 turns of the event loop');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function kindOfWorker(options: ConstructorParameters<typeof Thread>[0] = {}): Promise<string> {
  const thread = new Thread({ target: workerKind, ...options });
  thread.start();
  await joinOrFail(thread);
  assert.equal(thread.exception, undefined);
  return thread.result as string;
}

describe('standby workers', () => {
  it('run threads on a worker started ahead of need, one worker per thread', async () => {
    setStandbyThreads(1);
    await standbyStarted();
    assert.equal(await kindOfWorker(), 'standby');
    assert.equal(await kindOfWorker(), 'standby', 'the standby taken was replaced');
  });

  it('are not used when turned off, nor for a thread with resourceLimits', async () => {
    setStandbyThreads(0);
    assert.equal(await kindOfWorker(), 'thread');
    setStandbyThreads(1);
    assert.equal(await kindOfWorker({ resourceLimits: { maxOldGenerationSizeMb: 64 } }), 'thread');
  });

  it('give each thread a worker that has run nothing before', async () => {
    setStandbyThreads(2);
    const leaveMark = new Thread({ target: () => ((globalThis as { mark?: number }).mark = 1) });
    leaveMark.start();
    await joinOrFail(leaveMark);
    const readMark = new Thread({ target: () => (globalThis as { mark?: number }).mark ?? 'clean' });
    readMark.start();
    await joinOrFail(readMark);
    assert.equal(readMark.result, 'clean');
    setStandbyThreads(1);
  });

  it('run a thread started by a thread on a standby worker too', async () => {
    setStandbyThreads(2);
    for (let turn = 0; idleStandbyCount() < 2; turn++) {
      if (turn > 10_000) assert.fail('failed to see two standby workers started in 10,000 turns of the event loop');
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The outer thread takes one standby worker; the hub gives the other to
    // the inner thread, which brings its own control block and port.
    const outer = new Thread({
      target: async () => {
        const inner = new Thread({
          name: 'inner',
          target: async () => {
            const { workerData } = await import('node:worker_threads');
            const kind = (workerData as { skein: { rehearse: boolean } }).skein.rehearse ? 'standby' : 'thread';
            return `${kind} ${currentThread().name}`;
          },
        });
        inner.start();
        if (!(await inner.join(10_000))) throw new Error('failed to join the inner thread in 10 seconds');
        return inner.result;
      },
    });
    outer.start();
    await joinOrFail(outer);
    assert.equal(outer.exception, undefined);
    assert.equal(outer.result, 'standby inner');
    setStandbyThreads(1);
  });

  it('keep the standby worker when a start fails on an argument that cannot be sent', async () => {
    setStandbyThreads(1);
    await standbyStarted();
    const thread = new Thread({ target: (f: () => number) => f(), args: [() => 1] });
    assert.throws(() => thread.start(), { name: 'TypeError', message: /argument 0 .* cannot be sent/ });
    assert.equal(idleStandbyCount(), 1, 'the standby worker is still idle');
    assert.equal(await kindOfWorker(), 'standby');
  });

  it('refuses a count that is not an integer ≥ 0', () => {
    assert.throws(() => setStandbyThreads(-1), {
      name: 'RangeError',
      message: 'Expected the standby thread count to be an integer ≥ 0, got `-1` (number)',
    });
    assert.throws(() => setStandbyThreads('2' as never), RangeError);
  });
});
