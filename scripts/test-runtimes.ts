// `npm run test:runtimes`: the test suite on Node 22, Node 24, Bun and Deno.
//
// Each runtime is an npm package, installed on first use into a cache
// directory (not a devDependency: each is 90–190 MB and built for one
// platform). The built package (dist/) must be current: run `npm run build`
// (or `npm test`) first.
//
//   npm run test:runtimes                 all four
//   npm run test:runtimes -- bun deno     some of them
//
// Environment: SKEIN_RUNTIMES_CACHE (default: $XDG_CACHE_HOME or ~/.cache,
// then skein-runtimes/).
//
// Every runtime runs the whole suite (test/*/*.test.ts). A test that fails for
// a reason listed in `tolerated` below is reported but does not fail the run;
// any other failure, a crash, or a run with no test does.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Runtime {
  name: string;
  /** The npm package that ships it, pinned so that every run tests the same binary. */
  spec: string;
  /** The executable inside the install directory. */
  bin: string;
  /** The command that runs `files`, writing a JUnit report to `junit`. */
  command(bin: string, files: string[], junit: string): string[];
  /** Test titles (substrings) allowed to fail on this runtime, with the reason. */
  tolerated: Record<string, string>;
  /** Test directories not run on this runtime, with the reason. */
  skipped?: Record<string, string>;
}

/**
 * Suites about skein on Node.js itself, not about what a runtime can do: the
 * stress suite (its Event oracle compares process.hrtime across threads, which
 * Bun and Deno keep per worker, and its faults use resourceLimits, refused
 * there) and the benchmarks (a Node.js tool, with Node-only peers).
 */
const nodeOnlySuites = {
  'test/stress/':
    'the stress suite: its oracle needs one hrtime clock for every thread, and its faults use resourceLimits',
  'test/bench/': 'the benchmarks are a Node.js tool',
};

const nodePackage = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;

const nodeCommand = (bin: string, files: string[], junit: string): string[] => [
  bin,
  '--import',
  'tsx',
  '--test',
  '--test-reporter=dot',
  '--test-reporter-destination=stdout',
  '--test-reporter=junit',
  `--test-reporter-destination=${junit}`,
  ...files,
];

const runtimes: Runtime[] = [
  {
    name: 'node22',
    spec: `${nodePackage}@22.23.3`,
    bin: `node_modules/${nodePackage}/bin/node`,
    command: nodeCommand,
    tolerated: {},
  },
  {
    name: 'node24',
    spec: `${nodePackage}@24.21.0`,
    bin: `node_modules/${nodePackage}/bin/node`,
    command: nodeCommand,
    tolerated: {},
  },
  {
    name: 'bun',
    spec: 'bun@1.4.5',
    skipped: nodeOnlySuites,
    bin: 'node_modules/.bin/bun',
    // Bun runs node:test suites through its own runner, `bun test`.
    command: (bin, files, junit) => [
      bin,
      'test',
      '--timeout',
      '30000',
      '--reporter=junit',
      `--reporter-outfile=${junit}`,
      ...files.map((f) => `./${f}`),
    ],
    tolerated: {
      'reports a thread that runs out of memory under resourceLimits':
        'Bun ignores resourceLimits, so skein refuses them with NotSupportedError (test/runtime/platform.test.ts)',
      'an uncaught error in a callback it scheduled':
        'under `bun test` an error thrown from a timer inside a worker ends the worker without reaching its ' +
        "process 'uncaughtException' handler, so the thread ends with no exception (plain `bun` delivers it)",
      'names a free variable an inline target cannot have':
        "Bun's transpiler inlines the captured `const limit = 10` into the target's source, so the target " +
        'has no free variable left and runs (returns 20) instead of failing',
      'fails the task that runs out of memory':
        'the pool refuses resourceLimits on Bun (NotSupportedError), as Thread does',
      'nor for a thread with resourceLimits': 'a Thread refuses resourceLimits on Bun (NotSupportedError)',
      'fails a pool task that runs out of memory': 'the pool refuses resourceLimits on Bun (NotSupportedError)',
      'fails the task whose async work throws from a callback':
        'under `bun test` an error thrown from a timer inside a worker never reaches its uncaughtException handler (as for threads)',
      'does not fail a task for a timer an earlier, finished task left behind':
        'under `bun test` the stray timer error ends the pool worker without reaching its uncaughtException handler, ' +
        'so the task running then fails with ThreadExitError (as above)',
      'names a free variable a task cannot have':
        "Bun's transpiler inlines the captured `const factor = 3` (as for threads)",
      'bench --quick':
        'the benchmark suite is a Node.js tool: its memory probe and the peer pools (workerpool) do not run under Bun',
      'reads back what structured clone makes of any cloneable value':
        "Bun's structuredClone drops an Error's `cause` (skein's wire format keeps it, as V8's structured clone " +
        "does on Node and Deno), and Bun's assert.deepStrictEqual fails on a Map whose keys are equal boxed " +
        'primitives (`new Map([[new Boolean(true), 1], [new Boolean(true), 2]])`) even against itself',
      'keeps errors as structured clone does':
        "Bun's structuredClone drops an Error's `cause`; skein's wire format keeps it, as V8's does (Node, Deno)",
    },
  },
  {
    name: 'deno',
    spec: 'deno@2.9.6',
    skipped: nodeOnlySuites,
    bin: 'node_modules/.bin/deno',
    // --no-check: Deno would type-check dist/*.js without its .d.ts; tsc checks types in `npm test`.
    // --sloppy-imports: the tests import `./x.js` for `./x.ts`, as TypeScript's NodeNext resolution wants.
    command: (bin, files, junit) => [
      bin,
      'test',
      '-A',
      '--no-check',
      '--sloppy-imports',
      `--junit-path=${junit}`,
      ...files,
    ],
    tolerated: {
      'reports a thread that runs out of memory under resourceLimits':
        'a Deno worker stopped at its resourceLimits after a top-level await never emits exit, so skein ' +
        'refuses resourceLimits on Deno with NotSupportedError (test/runtime/platform.test.ts)',
      'fails the task that runs out of memory':
        'the pool refuses resourceLimits on Deno (NotSupportedError), as Thread does',
      'nor for a thread with resourceLimits': 'a Thread refuses resourceLimits on Deno (NotSupportedError)',
      'fails a pool task that runs out of memory': 'the pool refuses resourceLimits on Deno (NotSupportedError)',
      'refuses to run the worker entry for anyone but skein':
        "a Deno worker whose module throws at top level emits 'error' but never 'exit' (the refusal itself works)",
      'stops 8 running threads':
        'the fixture imports ./stop-targets.js for a .ts file, which a child spawned from `deno test` cannot ' +
        'resolve (no --sloppy-imports); `deno run -A --sloppy-imports` of the same fixture stops all 8 and exits 0',
      'forces the threads at once on a second signal': 'the same fixture as above',
      'runs the Ctrl-C example':
        'every thread cleans up, but a child spawned from `deno test` is reported ended by the signal (code null) ' +
        'instead of its exit code',
      'stops on Ctrl-C: the jobs queue is shut down': 'the same as for the Ctrl-C example above (examples/pipeline.ts)',
      'carries a 64 MiB item':
        "Deno's node:worker_threads MessagePort copies a big buffer at ~300 ms a MiB, even when it is transferred " +
        '(8 MiB: 2.5 s here, against 0.15 s copied and 0 transferred on Node), so a 64 MiB item takes well over a ' +
        "minute through skein's relay: it arrives, after the test's bound",
      'bench --quick': 'the benchmark suite is a Node.js tool (its timing helpers and peer pools assume Node)',
    },
  },
];

const root = fileURLToPath(new URL('..', import.meta.url));
const cacheRoot =
  process.env.SKEIN_RUNTIMES_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'skein-runtimes');
const kRunTimeoutMs = 10 * 60_000;

/** Bytes under `path`, counting a hard-linked file once (as `du` does). */
function duSize(path: string, seen = new Set<number>()): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += duSize(full, seen);
    else if (entry.isFile()) {
      const stat = statSync(full);
      if (seen.has(stat.ino)) continue;
      seen.add(stat.ino);
      total += stat.size;
    }
  }
  return total;
}

/** Install `runtime` into its cache directory unless it is there already. */
function install(runtime: Runtime): { dir: string; seconds: number | undefined; megabytes: number } {
  const dir = join(cacheRoot, runtime.spec);
  const stamp = join(dir, '.installed');
  let seconds: number | undefined;
  if (!existsSync(stamp)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
    const started = performance.now();
    const result = spawnSync(
      'npm',
      ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', runtime.spec],
      { cwd: dir, stdio: 'inherit' },
    );
    if (result.status !== 0) throw new Error(`npm install ${runtime.spec} failed (exit ${result.status})`);
    seconds = (performance.now() - started) / 1000;
    writeFileSync(stamp, `${new Date().toISOString()}\n`);
  }
  return { dir, seconds, megabytes: duSize(join(dir, 'node_modules')) / 2 ** 20 };
}

interface Case {
  name: string;
  failed: boolean;
}

const decodeXml = (s: string): string =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The test cases of a JUnit report (as Node, Bun and Deno write it) and whether each failed. */
function readJunit(path: string): Case[] {
  if (!existsSync(path)) return [];
  const xml = readFileSync(path, 'utf8');
  const cases: Case[] = [];
  const pattern = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const match of xml.matchAll(pattern)) {
    const name = decodeXml(/\bname="([^"]*)"/.exec(match[1] ?? '')?.[1] ?? '');
    const body = match[3] ?? '';
    // A `todo` test (a known issue, written down as a test) is reported skipped, failing or not.
    cases.push({ name, failed: /<(failure|error)\b/.test(body) && !/<skipped\b/.test(body) });
  }
  return cases;
}

function run(argv: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const [file, ...args] = argv as [string, ...string[]];
    const child = spawn(file, args, {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const timer = setTimeout(() => {
      console.error(`\n${file}: still running after ${kRunTimeoutMs / 60_000} minutes, killing it`);
      child.kill('SIGKILL');
    }, kRunTimeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !runtimes.some((r) => r.name === name));
if (unknown.length > 0) {
  console.error(`unknown runtime ${unknown.join(', ')}; choose from ${runtimes.map((r) => r.name).join(', ')}`);
  process.exit(2);
}
if (!existsSync(join(root, 'dist/index.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}

const files = readdirSync(join(root, 'test'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((entry) =>
    readdirSync(join(root, 'test', entry.name))
      .filter((file) => file.endsWith('.test.ts'))
      .map((file) => `test/${entry.name}/${file}`),
  )
  .sort();

const rows: string[] = [];
let failedRuns = 0;
const reportDir = join(root, '.tmp', 'runtimes');
mkdirSync(reportDir, { recursive: true });

for (const runtime of runtimes.filter((r) => wanted.length === 0 || wanted.includes(r.name))) {
  console.log(`\n=== ${runtime.name} (${runtime.spec}) ===`);
  const installed = install(runtime);
  const bin = join(installed.dir, runtime.bin);
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' })
    .stdout.trim()
    .split(/\s*\(|\n/)[0];
  const junit = join(reportDir, `${runtime.name}.xml`);
  rmSync(junit, { force: true });
  const started = performance.now();
  const skipped = Object.keys(runtime.skipped ?? {});
  for (const [dir, why] of Object.entries(runtime.skipped ?? {})) console.log(`not run here: ${dir} (${why})`);
  const code = await run(
    runtime.command(
      bin,
      files.filter((file) => !skipped.some((dir) => file.startsWith(dir))),
      junit,
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const cases = readJunit(junit);
  // Deno also reports each describe() as a case, failed when a test in it
  // failed ("Suite" beside "Suite > test"): count only the tests themselves.
  const failed = cases.filter((c) => c.failed && !cases.some((d) => d !== c && d.name.startsWith(`${c.name} > `)));
  const tolerated = failed.filter((c) => Object.keys(runtime.tolerated).some((t) => c.name.includes(t)));
  const unexpected = failed.filter((c) => !tolerated.includes(c));
  const ok = cases.length > 0 && unexpected.length === 0 && (code === 0 || failed.length > 0);
  if (!ok) failedRuns++;
  console.log(
    `\n${runtime.name}: ${cases.length - failed.length} passed, ${failed.length} failed (${tolerated.length} tolerated) in ${seconds.toFixed(1)} s`,
  );
  for (const c of tolerated) {
    const reason = Object.entries(runtime.tolerated).find(([t]) => c.name.includes(t))?.[1];
    console.log(`  tolerated: ${c.name}\n    why: ${reason}`);
  }
  for (const c of unexpected) console.log(`  FAILED: ${c.name}`);
  if (cases.length === 0) console.log(`  FAILED: no test report (exit code ${code})`);
  rows.push(
    `| ${runtime.name} | ${version} | ${installed.seconds === undefined ? 'cached' : `${installed.seconds.toFixed(1)} s`} | ` +
      `${installed.megabytes.toFixed(0)} MB | ${cases.length - failed.length}/${cases.length} | ${tolerated.length} | ` +
      `${seconds.toFixed(1)} s | ${ok ? 'ok' : 'FAILED'} |`,
  );
}

console.log('\n| runtime | version | install | size | passed | tolerated | suite | result |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
process.exitCode = failedRuns === 0 ? 0 : 1;
