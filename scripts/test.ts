// `npm test` and `npm run test:slow`, once `dist/` is built (package.json
// builds it first): the checks that do not depend on each other side by side,
// and the test files two at a time, longest first (scripts/test-files.ts) —
// those of test/typescript/ under tsx, then the rest compiled, on plain node
// (scripts/compile-tests.ts) — reported short (scripts/test-reporter.mjs).
//
//   node --import tsx/esm scripts/test.ts          type-check and lint beside the quick tests
//   node --import tsx/esm scripts/test.ts --slow   the API reference and the package checks, then the slow tests
//
// A check that fails prints all it printed, after the quick tests or before
// the slow ones (which it stops), and fails the run.
import { spawn } from 'node:child_process';
import { pipeline } from 'node:stream/promises';
import { run } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileTests, sourcePathOf } from './compile-tests.js';
import { quickFiles, runsUnderTsx, slowFiles } from './test-files.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const slow = process.argv.includes('--slow');

/** Run `command`, its output held back and printed whole once it ends (so that two at once do not interleave). */
function runCommand(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', (error) => resolve({ code: null, output: `${output}${error.message}\n` }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

const checks = slow ? ['docs', 'check:package'] : ['typecheck', 'lint'];
const checking = Promise.all(checks.map((name) => runCommand(npm, ['run', name, '--silent'])));

/** Print the checks' output; whether they all passed. */
async function checksPassed(): Promise<boolean> {
  let passed = true;
  for (const [i, { code, output }] of (await checking).entries()) {
    process.stdout.write(output);
    if (code !== 0) {
      console.error(`npm run ${checks[i]} failed (exit code ${code})`);
      passed = false;
    }
  }
  return passed;
}

// The slow tests pack the package, API reference included, that the slow
// checks build: those come first. The quick checks (type-check, lint) run
// beside the quick tests, filling the moments the tests leave a core idle.
if (slow && !(await checksPassed())) process.exit(1);

// node:test's own runner, not `node --test FILES`: that one sorts the files by
// name (Node 20), and the longest must go first. Each file runs in a child
// process of its own, with this process's execArgv: Node 20's run() takes no
// other, so each group of files gets its flags by setting this process's
// before it starts — test/typescript/ under tsx (ES modules only: tsx's
// CommonJS hooks would cost every file's process ~0.2 s of CPU for nothing),
// the compiled files with source maps on their main thread (a failure points
// at the .ts line; scripts/test-source-maps.mjs).
// The reporter is plain JavaScript (node loads a --test-reporter before tsx applies): untyped here.
const { default: report } = (await import(new URL('./test-reporter.mjs', import.meta.url).href)) as {
  default: (source: AsyncIterable<unknown>) => AsyncGenerator<string, void>;
};
const files = slow ? slowFiles() : quickFiles();
const underTsx = files.filter(runsUnderTsx);
const compiled = await compileTests(files.filter((file) => !runsUnderTsx(file)));
const groups: Array<[files: string[], execArgv: string[]]> = [
  [underTsx, ['--import', 'tsx/esm']],
  [compiled, ['--import', new URL('./test-source-maps.mjs', import.meta.url).href]],
];
let failures = 0;

/** The groups' events, one group after the other, naming each compiled file by its source. */
async function* events(): AsyncGenerator<unknown> {
  for (const [files, execArgv] of groups) {
    if (files.length === 0) continue;
    process.execArgv.splice(0, process.execArgv.length, ...execArgv);
    const tests = run({ files, concurrency: 2 }).on('test:fail', (data) => {
      // A failing `todo` test is a known issue written down, not a failure (as for `node --test`).
      if (data.todo === undefined || data.todo === false) failures++;
    });
    for await (const event of tests) {
      const data = (event as { data?: { file?: string; name?: string } }).data;
      if (data?.file !== undefined) {
        if (data.name === data.file) data.name = sourcePathOf(data.file);
        data.file = sourcePathOf(data.file);
      }
      yield event;
    }
  }
}
await pipeline(events, report, process.stdout);
const passed = slow || (await checksPassed());
process.exitCode = failures === 0 && passed ? 0 : 1;
