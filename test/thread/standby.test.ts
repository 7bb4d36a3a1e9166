// Standby workers: threads start on a worker booted ahead of need.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Event, Thread, currentThread, setStandbyThreads } from 'skein';
import { joinOrFail } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
// Internal: how many standby workers are idle now.
import { idleStandbyCount, releasedWorkerCount } from '../../dist/internal.js';

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
    // The replacement boots off the caller's path (or, on Node, the thread's worker comes back): wait for it.
    await standbyStarted();
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

describe('workers given back after a clean thread', () => {
  /** Run `target` as a thread and return its result: the worker's clock origin identifies the worker. */
  async function run<R>(target: () => R, options: ConstructorParameters<typeof Thread>[0] = {}): Promise<R> {
    const thread = new Thread({ target, ...options });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.exception, undefined);
    return thread.result as R;
  }
  /** How many threads the worker running it has served (skein's per-thread state, read without touching it). */
  const served = (): number => (globalThis as Record<symbol, { served: number }>)[Symbol.for('skein.realm')]!.served;

  // Not on Bun: it does not show a worker's pending timers, so skein never gives a Bun worker another thread.
  const onBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';
  it('serve the next thread when the last one left the worker as it found it', { skip: onBun }, async () => {
    setStandbyThreads(1);
    await standbyStarted();
    const released = releasedWorkerCount();
    const first = await run(served);
    // The worker is given back a little after join() returns: wait for it (bounded).
    for (const deadline = Date.now() + 60_000; releasedWorkerCount() === released; ) {
      if (Date.now() > deadline) assert.fail('failed to see the worker given back in 60 s');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // Given back: the worker is on standby, first in line.
    assert.equal(await run(served), first + 1, 'the second thread ran on the first one’s worker');
    assert.equal(await run(() => currentThread().name, { name: 'third' }), 'third');
  });

  it('serve the next thread after one that used a global Node loads on first use', { skip: onBun }, async () => {
    setStandbyThreads(1);
    await standbyStarted();
    // CompressionStream is a getter on the global object until first read, then a plain value.
    const first = await run(() => {
      new CompressionStream('gzip');
      return (globalThis as Record<symbol, { served: number }>)[Symbol.for('skein.realm')]!.served;
    });
    assert.equal(await run(served), first + 1, 'the second thread ran on the first one’s worker');
  });

  it('are not given back when standby is off: the worker exits with its thread', async () => {
    setStandbyThreads(0);
    const released = releasedWorkerCount();
    // join() resolves once the hub has seen the worker exit, or be given back.
    assert.equal(await run(served), 1);
    assert.equal(releasedWorkerCount(), released, 'no worker was given back');
  });

  const leftBehind: [string, () => number | Promise<number>][] = [
    [
      'a global',
      () => {
        (globalThis as Record<string, unknown>).leftBehind = 1;
        return (globalThis as Record<symbol, { served: number }>)[Symbol.for('skein.realm')]!.served;
      },
    ],
    [
      'a patched built-in',
      () => {
        Array.prototype.at = function at() {
          return 'patched';
        };
        return (globalThis as Record<symbol, { served: number }>)[Symbol.for('skein.realm')]!.served;
      },
    ],
    [
      'a replaced global of those Node loads on first use',
      () => {
        (globalThis as Record<string, unknown>).CompressionStream = class CompressionStream {};
        return (globalThis as Record<symbol, { served: number }>)[Symbol.for('skein.realm')]!.served;
      },
    ],
    [
      'a pending timer',
      () => {
        setTimeout(() => {}, 60_000);
        return (globalThis as Record<symbol, { served: number }>)[Symbol.for('skein.realm')]!.served;
      },
    ],
    [
      'a process listener',
      () => {
        process.on('warning', () => {});
        return (globalThis as Record<symbol, { served: number }>)[Symbol.for('skein.realm')]!.served;
      },
    ],
    [
      'an import',
      async () => {
        await import('node:os');
        return (globalThis as Record<symbol, { served: number }>)[Symbol.for('skein.realm')]!.served;
      },
    ],
  ];

  for (const [what, target] of leftBehind) {
    it(`never serve another thread after one that left ${what}`, async () => {
      setStandbyThreads(1);
      await standbyStarted();
      const dirty = await run(target);
      assert.ok(dirty >= 1);
      const next = await run(() => ({
        served: (globalThis as Record<symbol, { served: number }>)[Symbol.for('skein.realm')]!.served,
        clean: (globalThis as Record<string, unknown>).leftBehind === undefined && [1].at(0) === 1,
      }));
      assert.deepEqual(next, { served: 1, clean: true }, 'the next thread ran on a fresh worker');
    });
  }

  it('ignore a release that a running thread forges', async () => {
    setStandbyThreads(1);
    await standbyStarted();
    const gate = new Event();
    const forger = new Thread({
      target: async (gate: Event) => {
        const { parentPort, MessageChannel } = await import('node:worker_threads');
        const { port1 } = new MessageChannel();
        const control = new SharedArrayBuffer(64);
        new Int32Array(control)[0] = 0x54485244; // a control block's tag
        const wake = new SharedArrayBuffer(4);
        parentPort!.postMessage({ type: 'skein:release', control, port: port1, wake }, [port1]);
        return gate.wait(30_000);
      },
      args: [gate],
    });
    forger.start();
    try {
      // Had the hub believed it, this thread's job would go where only the forger can read it.
      assert.equal(await run(() => 'ran', { name: 'victim' }), 'ran');
    } finally {
      gate.set();
    }
    await joinOrFail(forger);
    assert.equal(forger.result, true);
  });

  // Last in the file: once a process has used a module target, every standby
  // worker of a program under tsx gets tsx ready before its first job
  // (src/worker/typescript.ts), ~4 times the CPU of a plain worker's boot on
  // Node 20, and the threads of every test after this one would pay that.
  it('never serve another thread after a module target (a module keeps its state)', async () => {
    setStandbyThreads(1);
    await standbyStarted();
    const dirty = await run<number>(undefined as never, {
      target: { module: new URL('../fixtures/plain-target.mjs', import.meta.url), export: 'served' },
    });
    assert.ok(dirty >= 1);
    assert.equal(await run(served), 1, 'the next thread ran on a fresh worker');
  });
});
