// What skein runs and what it exposes: only the caller's own target source
// is evaluated, the worker entry refuses to run for anyone but skein, and
// nothing listens on a port.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Thread, ThreadPoolExecutor, Timer } from 'skein';
import { joinOrFail, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

const srcDir = fileURLToPath(new URL('../../src/', import.meta.url));
const sources = (readdirSync(srcDir, { recursive: true }) as string[])
  .filter((file) => file.endsWith('.ts'))
  .map((file) => ({ file, text: readFileSync(join(srcDir, file), 'utf8') }));

describe('only the caller’s own target source is evaluated', () => {
  it('refuses source code given as a string, wherever a function is expected', async () => {
    const code = 'process.exit(1)';
    const expected = {
      name: 'TypeError',
      message: /to be a function or a module target \{ module, export\? \}, got `"process\.exit\(1\)"` \(string\)$/,
    };
    assert.throws(() => new Thread({ target: code as never }), expected);
    assert.throws(() => new Timer(1, code as never), expected);
    assert.throws(() => new ThreadPoolExecutor({ initializer: code as never }), expected);
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.throws(() => pool.submit(code as never), expected);
    assert.throws(() => pool.submit({ toString: () => code } as never), {
      name: 'TypeError',
      message: /got `an object`/,
    });
  });

  it('ships a function’s own source, whatever its toString says', async () => {
    const target = (): string => 'the real source';
    target.toString = () => "() => 'substituted source'";
    const thread = new Thread({ target });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.result, 'the real source');
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.equal(await within(pool.submit(target).result(), 10_000, 'run the task'), 'the real source');
  });

  it('compiles code in two places only: a syntax check of a target, and the target itself in its worker', () => {
    const compiling = sources
      .filter(({ text }) => /\bnew Function\(|\beval\(|node:vm/.test(text))
      .map(({ file }) => file);
    assert.deepEqual(compiling.sort(), ['thread/target.ts', 'worker/load-target.ts']);
  });

  it('refuses to run the worker entry for anyone but skein', async () => {
    const entry = new URL('../../dist/worker/entry.js', import.meta.url);
    for (const workerData of [undefined, { skein: { kind: 'mystery' } }, { other: 1 }]) {
      const worker = new Worker(entry, { workerData, stdout: true, stderr: true });
      // Listen for the exit now: it may follow the error within the same turn.
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      const error = await within(
        new Promise<unknown>((resolve) => worker.once('error', resolve)),
        10_000,
        'see the worker entry refuse to run',
      );
      assert.match(
        String(error),
        /the skein worker entry was started without a skein boot record; only skein starts it/,
      );
      await within(exited, 10_000, 'see the worker exit');
    }
  });
});

describe('nothing listens on a port', () => {
  it('imports no network or inspector module and calls no listen()', () => {
    const network = /from ['"]node:(?:net|http|https|http2|dgram|tls|inspector)['"]|\.listen\(/;
    assert.deepEqual(
      sources.filter(({ text }) => network.test(text)).map(({ file }) => file),
      [],
    );
  });

  it('holds no server or socket handle while threads and pool tasks run', async () => {
    const sockets = (resources: string[]): string[] => resources.filter((name) => /TCP|UDP|Server/.test(name)); // stdio pipes (PipeWrap) are not servers;
    const thread = new Thread({ target: () => process.getActiveResourcesInfo() });
    thread.start();
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const inTask = await within(pool.submit(() => process.getActiveResourcesInfo()).result(), 10_000, 'run the task');
    assert.deepEqual(sockets(process.getActiveResourcesInfo()), [], 'on the main thread');
    await joinOrFail(thread);
    assert.deepEqual(sockets(thread.result as string[]), [], 'in a thread');
    assert.deepEqual(sockets(inTask), [], 'in a pool task');
  });
});
