/**
 * src/worker/stdio.ts for browsers: what a skein worker writes to its
 * console goes to the console of the thread that created it — the page's,
 * through each level of workers — as a message, posted at once (a worker
 * that then blocks in synchronous code does not hold it back), so that a
 * thread's lines come in the order it wrote them and the page sees them
 * (a page cannot read its workers' consoles). The page's side is in
 * src/thread/exec-argv.browser.ts.
 */

import type { ConsoleLine } from '../thread/exec-argv.browser.js';

/** The console methods forwarded. */
const kLevels: readonly ConsoleLine['level'][] = ['log', 'info', 'warn', 'error', 'debug', 'trace'];

/** Make this worker's console write to its creator's console, in order. */
export function installSynchronousStdio(): void {
  const post = (globalThis as unknown as { postMessage(message: unknown): void }).postMessage;
  const console = globalThis.console as unknown as Record<string, (...args: unknown[]) => void>;
  for (const level of kLevels) {
    console[level] = (...args: unknown[]): void => {
      try {
        post({ type: 'skein:console', level, args } satisfies ConsoleLine);
      } catch {
        // Something in it cannot be cloned (a function, say): sent as text.
        post({ type: 'skein:console', level, args: args.map((arg) => String(arg)) } satisfies ConsoleLine);
      }
    };
  }
}
