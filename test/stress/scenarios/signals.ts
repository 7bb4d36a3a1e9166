// A child process running 8 threads that each hold an open file, under
// stopOnSignals: one signal stops them all cleanly (every finally runs and
// removes its file, exit 0 — which stopOnSignals gives only if nothing had
// to be terminated, so within the grace period); a second one forces the
// exit at once, leaving the files of threads that never ran their finally.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScript } from '../../helpers/bounded.js';

/** How the run of {@link runSignalScenario} ended. */
export interface SignalRun {
  code: number | null;
  /** Indexes of the threads whose finally ran (printed `finally N`), sorted. */
  finallies: number[];
  /** Files the threads still held when the process had exited. */
  leftovers: string[];
  stdout: string;
  stderr: string;
}

/**
 * Start the 8-thread child, wait until every thread runs, send `signal`;
 * for `deaf` threads (which never check their stop request, under a grace of
 * ten minutes) send it again once the first is handled.
 */
export async function runSignalScenario(signal: 'SIGTERM' | 'SIGINT', mode: 'polite' | 'deaf'): Promise<SignalRun> {
  const dir = mkdtempSync(join(tmpdir(), 'skein-signals-'));
  try {
    const run = startScript('test/fixtures/scenarios/stop-on-signals.mjs', { args: [mode, dir], timeoutMs: 60_000 });
    await run.waitForOutput(/^ready$/m, 30_000, 'see the 8 threads run');
    run.child.kill(signal);
    if (mode === 'deaf') {
      // The fixture's own listener runs after stopOnSignals' handler.
      await run.waitForOutput(new RegExp(`^main: ${signal}$`, 'm'), 10_000, 'see the first signal handled');
      run.child.kill(signal); // only this can end the run in time
    }
    const { code, stdout, stderr } = await run.finished;
    const finallies = stdout
      .split('\n')
      .filter((line) => line.startsWith('finally '))
      .map((line) => Number(line.slice('finally '.length)))
      .sort((a, b) => a - b);
    return { code, finallies, leftovers: readdirSync(dir).sort(), stdout, stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
