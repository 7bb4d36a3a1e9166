// stdout closed under threads and pool tasks that print: run the
// closed-stdout-stop fixture and report how it ended.
import { spawn } from 'node:child_process';
import { within } from '../../helpers/bounded.js';

/** How the child ended and what it reported on stderr. */
export interface ClosedStdoutRun {
  code: number | null;
  stderr: string;
}

/** Run the fixture, close its stdout at the first line, then tell it so on stdin. */
export async function runClosedStdout(): Promise<ClosedStdoutRun> {
  const child = spawn(process.execPath, ['test/fixtures/scenarios/closed-stdout-stop.mjs'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.once('data', () => {
    child.stdout.destroy();
    child.stdin.end('closed\n');
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    return { code: await within(exited, 60_000, 'finish after stdout closed'), stderr };
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\nstderr:\n${stderr}`);
  }
}
