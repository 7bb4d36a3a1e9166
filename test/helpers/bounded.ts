// Bounded waits: every wait in the tests ends, and says what it waited for.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Thread } from 'skein';
import { repoRoot } from './repo-root.js';

/** Reject with `failed to WHAT in N seconds` if `promise` takes longer than `timeoutMs`. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`failed to ${what} in ${(timeoutMs / 1000).toFixed(1)} seconds`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Join `thread`, failing the test if it has not ended within `timeoutMs`. */
export async function joinOrFail(thread: Thread, timeoutMs = 10_000): Promise<void> {
  if (!(await thread.join(timeoutMs))) {
    throw new Error(`failed to join the thread ${thread.name} in ${(timeoutMs / 1000).toFixed(1)} seconds`);
  }
}

/** What a child process printed and how it ended. */
export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A child process running a script, as {@link startScript} gives it. */
export interface RunningScript {
  readonly child: ChildProcess;
  /** Resolve once the child's stdout so far matches `pattern`; reject with `failed to WHAT in N seconds` after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs: number, what: string): Promise<void>;
  /** Resolves once the child has exited; rejects (and kills it) after the run's `timeoutMs`. */
  readonly finished: Promise<ChildRun>;
}

/** How {@link startScript} and {@link runScript} run a file. */
export interface ScriptOptions {
  /** The script's own arguments. */
  args?: string[];
  /** Kill the child and fail after this long. Default: 30 s. */
  timeoutMs?: number;
  /** Variables added to the environment. */
  env?: NodeJS.ProcessEnv;
  /** Flags for node itself, such as `--max-old-space-size=512`. */
  nodeFlags?: string[];
}

/**
 * Start a TypeScript file in a child `node --import tsx` process (a `.mjs`
 * file in plain `node`) from the repository root, for tests that talk to it
 * (signals) while it runs.
 */
export function startScript(file: string, options: ScriptOptions = {}): RunningScript {
  const { args = [], timeoutMs = 30_000, env, nodeFlags = [] } = options;
  // A .mjs file runs on plain node; anything else under tsx.
  const loader = file.endsWith('.mjs') ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...nodeFlags, ...loader, file, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const watcher of watchers) watcher();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const finished = new Promise<ChildRun>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `failed to run ${file} in ${(timeoutMs / 1000).toFixed(1)} seconds\nstdout:\n${stdout}\nstderr:\n${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  const waitForOutput = (pattern: RegExp, timeoutMs: number, what: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        watchers.delete(watcher);
        const seconds = (timeoutMs / 1000).toFixed(1);
        reject(new Error(`failed to ${what} in ${seconds} seconds\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      }, timeoutMs);
      const watcher = (): void => {
        if (!pattern.test(stdout)) return;
        watchers.delete(watcher);
        clearTimeout(timer);
        resolve();
      };
      watchers.add(watcher);
      watcher();
    });
  return { child, waitForOutput, finished };
}

/**
 * Run a TypeScript file in a child `node --import tsx` process from the
 * repository root, killing it (and failing) after `timeoutMs`.
 */
export function runScript(file: string, options: ScriptOptions = {}): Promise<ChildRun> {
  return startScript(file, options).finished;
}

/**
 * Resolve once `i32[index]` (a count that threads raise with Atomics.add and
 * notify) reaches `n`; fail the test after `timeoutMs`, saying how far it got.
 */
export async function countReaches(
  i32: Int32Array,
  index: number,
  n: number,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (let seen = Atomics.load(i32, index); seen < n; seen = Atomics.load(i32, index)) {
    if (performance.now() > deadline) {
      throw new Error(`failed to see ${what}: only ${seen} of ${n} in ${(timeoutMs / 1000).toFixed(1)} seconds`);
    }
    const waiting = Atomics.waitAsync(i32, index, seen, 1_000);
    if (waiting.async) await waiting.value;
  }
}
