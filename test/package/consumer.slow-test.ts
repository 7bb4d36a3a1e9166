// The package as a user gets it: `npm pack` the built package, install the
// tarball into a throwaway project (offline: skein has no dependencies), and
// run small programs against it with plain `node` — no tsx, no source tree.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let project: string;
let packedFiles: string[];

/** Run a file of the consumer project with this test's own node. */
async function node(file: string): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [file], { cwd: project, timeout: 30_000 });
}

// The thread prints, computes with its args, and is stopped through an Event;
// a module target from the consumer's own project runs with its imports.
const program = (importSkein: string): string => `
${importSkein}
const stop = new Event();
const thread = new Thread({
  target: (stop, n) => {
    console.log('thread running');
    while (!stop.wait(10_000)) {}
    return n * 2;
  },
  args: [stop, 21],
});
thread.start();
stop.set();
await thread.join();
const job = new Thread({ target: { module: new URL('./job.mjs', import.meta.url), export: 'shout' }, args: ['hi'] });
job.start();
await job.join();
console.log(JSON.stringify([thread.result, job.result, thread.exception ?? null]));
`;

const expected = 'thread running\n[42,"HI!",null]\n';

describe('the packed package in a consumer project', { timeout: 120_000 }, () => {
  before(async () => {
    project = await mkdtemp(join(tmpdir(), 'skein-consumer-'));
    // dist/ is built by `npm run test:slow` (as by `npm test`) before the tests run; pack it as is.
    const { stdout } = await run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', project, repoRoot], {
      timeout: 60_000,
    });
    const [{ filename, files }] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
    packedFiles = files.map((file) => file.path);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    await run(npm, ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', `./${filename}`], {
      cwd: project,
      timeout: 60_000,
    });
    await writeFile(
      join(project, 'job.mjs'),
      `import { currentThread } from 'skein';\nexport const shout = (s) => s.toUpperCase() + (currentThread().name ? '!' : '?');\n`,
    );
  });

  after(async () => {
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('packs only the allow-listed files, and installs no dependency', async () => {
    const outside = packedFiles.filter(
      (path) =>
        !/^(?:dist\/.+\.(?:js|d\.ts)(?:\.map)?|dist\/worker\/warm-up(?:-import)?\.ts|src\/.+\.ts|docs\/api\/.+|package\.json|README\.md|LICENSE)$/.test(
          path,
        ),
    );
    assert.deepEqual(outside, [], 'files outside the allow-list');
    assert.ok(packedFiles.includes('dist/index.d.ts') && packedFiles.includes('dist/worker/entry.js'));
    // The API reference ships with the package, where the README links it.
    assert.ok(packedFiles.includes('docs/api/index.html'), 'docs/api/ is not packed (run `npm run docs`)');
    const readme = await readFile(join(project, 'node_modules/skein/README.md'), 'utf8');
    assert.match(readme, /\]\(docs\/api\/index\.html\)/);
    // The tests' entry into skein's internals (src/internal.ts) is not part of the package.
    assert.deepEqual(
      packedFiles.filter((path) => /(^|\/)internal\./.test(path)),
      [],
    );
    const manifest = JSON.parse(await readFile(join(project, 'node_modules/skein/package.json'), 'utf8')) as {
      dependencies?: object;
    };
    assert.equal(manifest.dependencies, undefined, 'skein has no runtime dependencies');
    const { stdout } = await run(npm, ['ls', '--all', '--parseable'], { cwd: project });
    assert.equal(stdout.trim().split('\n').length, 2, `only the project and skein are installed:\n${stdout}`);
  });

  it('ships no @internal member in its types', async () => {
    // tsconfig.build.json strips them (stripInternal); what is left is the API.
    const dist = join(project, 'node_modules/skein/dist');
    const declarations = ((await readdir(dist, { recursive: true })) as string[]).filter((f) => f.endsWith('.d.ts'));
    assert.ok(declarations.includes('index.d.ts'), `no index.d.ts among ${declarations.join(', ')}`);
    const leaks: string[] = [];
    for (const file of declarations) {
      const text = await readFile(join(dist, file), 'utf8');
      for (const [i, line] of text.split('\n').entries())
        if (line.includes('@internal')) leaks.push(`${file}:${i + 1}: ${line.trim()}`);
    }
    assert.deepEqual(leaks, [], 'declarations tagged @internal in the packed .d.ts');
    // The members the tag marked are gone too, not only the tag.
    const future = await readFile(join(dist, 'executor/future.d.ts'), 'utf8');
    const thread = await readFile(join(dist, 'thread/thread.d.ts'), 'utf8');
    for (const member of ['stopper', 'settleStopped', 'onDone', 'exceptionNow', 'readonly id']) {
      assert.doesNotMatch(future, new RegExp(`^\\s+${member}\\b`, 'm'), `Future.${member} is in future.d.ts`);
    }
    assert.doesNotMatch(thread, /stopEventOf|kRequestStop/, 'thread.d.ts has internal members');
  });

  it('runs from ESM (import)', async () => {
    await writeFile(join(project, 'esm.mjs'), program(`import { Event, Thread } from 'skein';`));
    const { stdout, stderr } = await node('esm.mjs');
    assert.equal(stdout, expected);
    assert.equal(stderr, '');
  });

  it('runs from CommonJS through dynamic import()', async () => {
    const body = program(`const { Event, Thread } = await import('skein');`).replaceAll(
      'import.meta.url',
      "require('node:url').pathToFileURL(__filename)",
    );
    await writeFile(join(project, 'cjs.cjs'), `(async () => {\n${body}\n})();\n`);
    const { stdout, stderr } = await node('cjs.cjs');
    assert.equal(stdout, expected);
    assert.equal(stderr, '');
  });

  it('runs from CommonJS through require() where the runtime supports require(esm)', async (t) => {
    // Node 20.19+, 22.12+ and 24 load ES modules with require(); older ones
    // throw ERR_REQUIRE_ESM. It only works while no module of skein's main
    // entry uses top-level await, which this test guards.
    const script = `const skein = require('skein');\nconsole.log(typeof skein.Thread, typeof skein.Event);\n`;
    await writeFile(join(project, 'require.cjs'), script);
    if (!(process.features as { require_module?: boolean }).require_module) {
      await assert.rejects(node('require.cjs'), /ERR_REQUIRE_ESM/);
      t.diagnostic(`require(esm) is not available on Node ${process.version}: use import()`);
      return;
    }
    const { stdout } = await node('require.cjs');
    assert.equal(stdout, 'function function\n');
  });

  it('type-checks a TypeScript consumer against the installed types', async () => {
    // The consumer's own @types/node, as a real project would have.
    await symlink(join(repoRoot, 'node_modules/@types'), join(project, 'node_modules/@types'), 'dir');
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: ['node'] },
        files: ['consumer.mts'],
      }),
    );
    await writeFile(
      join(project, 'consumer.mts'),
      `import { Event, Thread } from 'skein';
const thread = new Thread({ target: (e: Event, n: number) => (e.isSet() ? n : -n), args: [new Event(), 1] });
const result: number | undefined = thread.result;
// @ts-expect-error - the types reach the consumer: a string is not a number
new Thread({ target: (e: Event, n: number) => n, args: [new Event(), 'x'] });
// @ts-expect-error - skein's internals are not in its types
thread.stopEventOf;
export { result };
`,
    );
    const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
    const { stdout } = await run(process.execPath, [tsc, '-p', project], { cwd: project, timeout: 60_000 }).catch(
      (error: { stdout?: string }) => assert.fail(`tsc failed:\n${error.stdout}`),
    );
    assert.equal(stdout, '');
  });
});
