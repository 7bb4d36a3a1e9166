// Counts the workers alive in this process from Node's own resource
// accounting (async_hooks WORKER resources: created with each Worker,
// destroyed once it has exited), and fails the test that leaves one behind.
import { createHook } from 'node:async_hooks';
import { afterEach } from 'node:test';
// Internal: idle standby workers and the relay worker are skein's, kept on purpose, not leaks.
import { idleStandbyCount, relayWorkerCount } from '../../dist/internal.js';

const live = new Set<number>();
let changed: (() => void) | undefined;

createHook({
  init(asyncId, type) {
    if (type === 'WORKER') live.add(asyncId);
  },
  destroy(asyncId) {
    if (live.delete(asyncId)) changed?.();
  },
}).enable();

/** The number of workers created in this process that have not yet been destroyed, idle standby workers and the relay aside. */
export function liveWorkerCount(): number {
  // Runtimes without async_hooks WORKER resources (Bun) count none at all.
  return Math.max(0, live.size - idleStandbyCount() - relayWorkerCount());
}

/**
 * Wait until no worker is alive, at most `timeoutMs`; rejects naming how many
 * are left. Destruction follows a worker's exit by a turn of the event loop,
 * so a thread joined a moment ago is given that turn.
 */
export async function expectNoLiveWorkers(timeoutMs = 5_000): Promise<void> {
  if (liveWorkerCount() === 0) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      changed = undefined;
      reject(new Error(`leak: ${liveWorkerCount()} worker(s) still alive ${timeoutMs / 1000} s after the test ended`));
    }, timeoutMs);
    changed = () => {
      if (liveWorkerCount() > 0) return;
      clearTimeout(timer);
      changed = undefined;
      resolve();
    };
  });
}

/** Register the leak check after every test of the calling file. */
export function checkLeaksAfterEach(): void {
  afterEach(() => expectNoLiveWorkers());
}
