// Behaviour of whole programs, each run in a child process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { runScript, within } from '../helpers/bounded.js';
import { runClosedStdout } from '../stress/scenarios/closed-stdout.js';

describe('process exit', () => {
  it('waits for a non-daemon thread before exiting', async () => {
    const run = await runScript('test/fixtures/scenarios/non-daemon-outlives-main.mjs');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'main done\nthread finished after main\n');
  });

  it('does not wait for a daemon thread, and ends it at exit', async () => {
    const run = await runScript('test/fixtures/scenarios/daemon-ended-at-exit.mjs', { timeoutMs: 20_000 });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'main done; daemon alive: true\n');
  });
});

describe('node flags', () => {
  // Node refuses V8 and process-wide flags in a worker's execArgv, although
  // they already apply to the whole process.
  const flags = ['--max-old-space-size=512', '--expose-gc', '--stack-size=900'];
  for (const file of ['test/fixtures/scenarios/node-flags.ts', 'test/fixtures/scenarios/node-flags.mjs']) {
    it(`runs threads and pool tasks in a program started with ${flags.join(' ')} (${file.endsWith('.mjs') ? 'node' : 'tsx'})`, async () => {
      const run = await runScript(file, { nodeFlags: flags });
      assert.equal(run.stderr, '');
      assert.equal(run.code, 0);
      assert.equal(run.stdout, 'thread ran; task ran\n');
    });
  }
});

describe('thread output', () => {
  it('appears when written, in order with other threads, even before the thread blocks', async () => {
    const run = await runScript('test/fixtures/scenarios/output-order.mjs');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'A: thread, before blocking\nB: main\nC: thread, after main\n');
    assert.equal(run.stderr, 'A2: thread stderr\n');
  });

  it('loses no line and splits none when a slow reader fills the pipe', async () => {
    const lines = 2000;
    const child = spawn(process.execPath, ['test/fixtures/scenarios/many-lines.mjs', String(lines)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // Read slowly: pause after every chunk so the pipe stays full and the
    // writers meet a full pipe again and again.
    const chunks: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      chunks.push(chunk);
      child.stdout.pause();
      setImmediate(() => child.stdout.resume());
    });
    const code = await within(new Promise((resolve) => child.on('close', resolve)), 60_000, 'read every line');
    assert.equal(code, 0, stderr);
    assert.equal(stderr, 'done ok\n');
    const received = chunks.join('').split('\n').filter(Boolean);
    assert.equal(received.length, 2 * lines);
    for (const tag of ['a', 'b']) {
      const numbers = received.filter((line) => line.startsWith(`${tag} `)).map((line) => Number(line.split(' ')[1]));
      assert.deepEqual(numbers, [...Array(lines).keys()], `thread ${tag}'s lines, whole and in order`);
    }
    for (const line of received) assert.match(line, /^[ab] \d+ x{200}$/);
  });

  it('survives a reader that closes stdout while threads print', async () => {
    const child = spawn(process.execPath, ['test/fixtures/scenarios/closed-stdout.mjs'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await within(
      new Promise((resolve) => child.on('close', resolve)),
      60_000,
      'finish after stdout closed',
    );
    assert.equal(code, 0, stderr);
    assert.match(stderr, /^results 20000,20000$/m);
  });

  it('survives closing stdout under printing threads and pool tasks, which still stop when asked', async () => {
    const { code, stderr } = await runClosedStdout();
    assert.equal(code, 0, stderr);
    assert.equal(
      stderr,
      'wrote true,true,true,true\n' +
        'outcomes stopped,stopped,stopped,stopped\n' +
        `results ${Array(4).fill('printed into the closed pipe').join(',')}\n` +
        `short ${(199 * 200) / 2}\n`,
    );
  });
});
