// The runtimes `npm run test:runtimes` (scripts/test-runtimes.ts) runs the
// test suite on, each pinned to one npm package version, with what each may
// fail and why. Data only: test/scripts/runtimes.test.ts reads it too.
export interface Runtime {
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
 * there). The quick benchmark (test/bench/quick.bench.ts, a Node.js tool) is
 * not a *.test.ts file: `npm run test:bench` runs it, on Node 20, in CI.
 */
const nodeOnlySuites = {
  'test/stress/':
    'the stress suite: its oracle needs one hrtime clock for every thread, and its faults use resourceLimits',
  'test/scripts/': "the project's own tooling (the report npm test prints), which runs on Node.js",
};

const nodePackage = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;

// Two test files at a time, as `npm test` runs them (node:test runs one on
// a 2-core machine): most tests wait on threads and child processes, and
// three Node versions one file at a time took half of CI's 20 minutes. The
// tests hold under that load.
const nodeCommand = (bin: string, files: string[], junit: string): string[] => [
  bin,
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=2',
  '--test-reporter=dot',
  '--test-reporter-destination=stdout',
  '--test-reporter=junit',
  `--test-reporter-destination=${junit}`,
  ...files,
];

/** Node.js `version` from npm, running the suite with node:test as `npm test` does; nothing tolerated. */
const node = (version: string): Runtime => ({
  name: `node${version.split('.')[0]}`,
  spec: `${nodePackage}@${version}`,
  bin: `node_modules/${nodePackage}/bin/node`,
  command: nodeCommand,
  tolerated: {},
});

export const runtimes: Runtime[] = [
  node('22.23.3'),
  node('24.21.0'),
  node('26.12.1'),
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
      'reads back what structured clone makes of any cloneable value':
        "Bun's structuredClone drops an Error's `cause` (skein's wire format keeps it, as V8's structured clone " +
        "does on Node and Deno), and Bun's assert.deepStrictEqual fails on a Map whose keys are equal boxed " +
        'primitives (`new Map([[new Boolean(true), 1], [new Boolean(true), 2]])`) even against itself',
      'keeps errors as structured clone does':
        "Bun's structuredClone drops an Error's `cause`; skein's wire format keeps it, as V8's does (Node, Deno)",
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
      'names a free variable a task cannot have':
        "Bun's transpiler inlines the captured `const factor = 3` (as for threads)",
      "passes a .ts module target's source through the program's own loader":
        "the program's Node module hooks (`module.register`) do not apply on Bun: the target's source " +
        'arrives as written (Bun has loader plugins of its own instead)',
      'prints the same excepthook output for a thread on a standby worker and on a fresh one':
        'the fixture takes a fresh worker by giving the thread resourceLimits, which a Thread refuses on Bun ' +
        '(NotSupportedError)',
      "points an inline target's frames at the file, line and column it was written at":
        'JavaScriptCore makes proper tail calls in strict code, so the recursive `return explode(depth - 1)` ' +
        'leaves one frame where V8 keeps two, and Bun prints a frame as a path, not a file URL',
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
      // Test files two at a time (DENO_JOBS: the core count, 2 here), as for Node: CI time.
      '--parallel',
      '--no-check',
      '--sloppy-imports',
      `--junit-path=${junit}`,
      ...files,
    ],
    tolerated: {
      'stops on Ctrl-C: the jobs queue is shut down': 'the same as for the Ctrl-C example below (examples/pipeline.ts)',
      'reports a thread that runs out of memory under resourceLimits':
        'a Deno worker stopped at its resourceLimits after a top-level await never emits exit, so skein ' +
        'refuses resourceLimits on Deno with NotSupportedError (test/runtime/platform.test.ts)',
      'fails the task that runs out of memory':
        'the pool refuses resourceLimits on Deno (NotSupportedError), as Thread does',
      'nor for a thread with resourceLimits': 'a Thread refuses resourceLimits on Deno (NotSupportedError)',
      'does not fail a task for a timer an earlier, finished task left behind':
        "Deno calls process 'uncaughtException' listeners outside the async context of the callback that threw " +
        '(AsyncLocalStorage reads undefined there, though the timer itself sees its store), so an error thrown by ' +
        "a finished task's timer cannot be told from the running task's own: it fails the running task",
      'fails a pool task that runs out of memory': 'the pool refuses resourceLimits on Deno (NotSupportedError)',
      'refuses to run the worker entry for anyone but skein':
        "a Deno worker whose module throws at top level emits 'error' but never 'exit' (the refusal itself works)",
      'runs the Ctrl-C example':
        'every thread cleans up, but a child spawned from `deno test` is reported ended by the signal (code null) ' +
        'instead of its exit code',
      'prints the same excepthook output for a thread on a standby worker and on a fresh one':
        'the fixture takes a fresh worker by giving the thread resourceLimits, which a Thread refuses on Deno ' +
        '(NotSupportedError)',
      "passes a .ts module target's source through the program's own loader":
        "the program's Node module hooks (`module.register`) do not apply on Deno: the target's source " +
        'arrives as written',
    },
  },
];
