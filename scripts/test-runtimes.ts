// `npm run test:runtimes`: the test suite on Node 22, Node 24, Node 26, Bun and Deno.
//
// Each runtime is an npm package, installed on first use into a cache
// directory (not a devDependency: each is 90–190 MB and built for one
// platform). The built package (dist/) must be current: run `npm run build`
// (or `npm test`) first.
//
//   npm run test:runtimes                 all five
//   npm run test:runtimes -- bun deno     some of them
//
// Environment: SKEIN_RUNTIMES_CACHE (default: $XDG_CACHE_HOME or ~/.cache,
// then skein-runtimes/).
//
// Every runtime runs the whole suite: the quick tests and the slow ones
// (scripts/test-files.ts). A test that fails for
// a reason listed in its `tolerated` (scripts/runtimes.ts) is reported but does not fail the run;
// any other failure, a crash, or a run with no test does.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Runtime, runtimes } from './runtimes.js';
import { quickFiles, slowFiles } from './test-files.js';

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

const files = [...quickFiles(), ...slowFiles()];

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
