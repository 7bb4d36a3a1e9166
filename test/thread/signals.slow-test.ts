// stopOnSignals(): on SIGINT/SIGTERM, ask every thread to stop, grace, force, exit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RuntimeError, Thread, stopOnSignals } from 'skein';
import { joinOrFail, startScript } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { runSignalScenario } from '../stress/scenarios/signals.js';

checkLeaksAfterEach();

// Not under `deno test`: a child it spawns is reported ended by the signal
// (code null) instead of by its exit code, as for the Ctrl-C example (see
// scripts/runtimes.ts). (It was skipped first because the fixture was a .ts
// file then; `deno run -A --sloppy-imports` of it stopped all 8 and exited 0.)
const onDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';

describe('stopOnSignals()', () => {
  it('stops 8 running threads holding files on SIGTERM, and on SIGINT: every finally runs, exit 0', {
    skip: onDeno,
  }, async () => {
    // Two children side by side: they mostly wait.
    const runs = await Promise.all([runSignalScenario('SIGTERM', 'polite'), runSignalScenario('SIGINT', 'polite')]);
    for (const { code, finallies, leftovers, stdout, stderr } of runs) {
      assert.equal(code, 0, `exit code ${code}\n${stdout}\n${stderr}`);
      assert.deepEqual(finallies, [1, 2, 3, 4, 5, 6, 7, 8]);
      assert.deepEqual(leftovers, [], 'every thread released its file');
    }
  });

  it('forces the threads at once on a second signal, and exits with exitCode', { skip: onDeno }, async () => {
    const { code, finallies, leftovers, stdout, stderr } = await runSignalScenario('SIGTERM', 'deaf');
    assert.equal(code, 3, `exit code ${code}\n${stdout}\n${stderr}`);
    assert.deepEqual(finallies, [], 'terminated threads run no finally');
    assert.equal(leftovers.length, 8, 'their files are still there');
  });

  it('runs the Ctrl-C example: SIGINT stops its threads cleanly', async () => {
    const run = startScript('examples/ctrl-c.ts', { timeoutMs: 60_000 });
    await run.waitForOutput(/Press Ctrl-C to stop/, 30_000, 'see the example start');
    run.child.kill('SIGINT');
    const { code, stdout, stderr } = await run.finished;
    assert.equal(code, 0, `exit code ${code}\n${stdout}\n${stderr}`);
    assert.equal(stderr, '');
    const cleaned = stdout.split('\n').filter((line) => / cleaned up after \d+ rounds$/.test(line));
    assert.deepEqual(cleaned.map((line) => line.split(':')[0]).sort(), [
      'cruncher-1',
      'cruncher-2',
      'cruncher-3',
      'cruncher-4',
    ]);
  });
});

describe('stopOnSignals() bad input', () => {
  it('refuses a timeout that is not a number, or NaN', () => {
    assert.throws(() => stopOnSignals({ timeout: '5s' as never }), {
      name: 'TypeError',
      message: 'Expected `timeout` to be a number of milliseconds, got `"5s"` (string)',
    });
    assert.throws(() => stopOnSignals({ timeout: NaN }), {
      name: 'RangeError',
      message: 'Expected `timeout` to be a number of milliseconds, got NaN',
    });
  });

  it('refuses signals that are not catchable signal names, and an exitCode that is not an integer', () => {
    assert.throws(() => stopOnSignals({ signals: 'SIGINT' as never }), {
      name: 'TypeError',
      message:
        'Expected `signals` to be a non-empty array of catchable signal names such as "SIGINT", got `"SIGINT"` (string)',
    });
    assert.throws(() => stopOnSignals({ signals: ['SIGTERM', 'SIGKILL'] }), {
      name: 'TypeError',
      message: /got `an array` \(object\) \(SIGKILL and SIGSTOP cannot be caught\)$/,
    });
    assert.throws(() => stopOnSignals({ exitCode: 1.5 }), {
      name: 'TypeError',
      message: 'Expected `exitCode` to be an integer, got `1.5` (number)',
    });
  });

  it('refuses a second installation until the first is removed', () => {
    // Some runtimes listen to SIGUSR2 themselves (Node 24's test runner): count ours only.
    const before = process.listenerCount('SIGUSR2');
    const remove = stopOnSignals({ signals: ['SIGUSR2'] });
    try {
      assert.throws(() => stopOnSignals({ signals: ['SIGUSR2'] }), {
        name: 'RuntimeError',
        message: 'stopOnSignals() is already installed: call the function it returned to remove it first',
      });
    } finally {
      remove();
    }
    assert.equal(process.listenerCount('SIGUSR2'), before);
    stopOnSignals({ signals: ['SIGUSR2'] })();
  });

  it('refuses to run in a worker, where no signal arrives', async () => {
    const thread = new Thread({
      target: () => {
        try {
          stopOnSignals();
          return 'installed';
        } catch (error) {
          return [(error as Error).name, (error as Error).message];
        }
      },
    });
    thread.start();
    await joinOrFail(thread);
    assert.deepEqual(thread.result, [
      'RuntimeError',
      'stopOnSignals() works only on the main thread: a worker does not receive process signals',
    ]);
    assert.ok(new RuntimeError('x') instanceof Error);
  });
});
