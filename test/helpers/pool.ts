// Reading a pool's internals, for tests only.
import type { ThreadPoolExecutor } from 'skein';

/** What the pool's internal statistics say (see `kPoolStats` in src/executor/thread-pool-executor.ts). */
export interface PoolStats {
  /** Workers started and not yet exited. */
  workers: number;
  maxWorkers: number;
  /** Tasks the pool holds: queued, or on a worker and not reported yet. */
  tasks: number;
  /** Tasks not yet handed to a worker. */
  queued: number;
}

const kPoolStats = Symbol.for('skein.internal.poolStats');

/** The internal statistics of `pool` — an accessor marked internal, for tests only. */
export function poolStats(pool: ThreadPoolExecutor): PoolStats {
  return (pool as unknown as Record<symbol, () => PoolStats>)[kPoolStats]!();
}
