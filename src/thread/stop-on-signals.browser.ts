/**
 * src/thread/stop-on-signals.ts for browsers, where there are no process
 * signals: {@link stopOnSignals} is refused.
 */
import { checkSupported } from '../platform.js';
import type { StopOnSignalsOptions } from './stop-on-signals.js';

export type { StopOnSignalsOptions };

/**
 * @throws NotSupportedError always: a page receives no process signals. Stop
 *   threads from a `pagehide` listener instead (`thread.stop()` for each).
 */
export function stopOnSignals(_options?: StopOnSignalsOptions): () => void {
  checkSupported('stopOnSignals');
  return () => {};
}
