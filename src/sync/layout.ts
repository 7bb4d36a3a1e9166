/**
 * Type tags written into the first Int32 of every shared-memory primitive, so
 * that a buffer belonging to another type (or to nothing) is refused as an
 * invalid handle instead of being misread.
 */

/** "EVNT": an {@link Event}. */
export const kEventId = 0x45564e54;
/** "THRD": a thread's control block. */
export const kControlBlockId = 0x54485244;
/** "SKGL": the process-wide counters shared by every thread. */
export const kGlobalsId = 0x534b474c;
/** "LOCK": a {@link Lock}. */
export const kLockId = 0x4c4f434b;
/** "SEMA": a {@link Semaphore} (or BoundedSemaphore). */
export const kSemaphoreId = 0x53454d41;
/** "RLCK": an {@link RLock}. */
export const kRLockId = 0x524c434b;
/** "QUEU": a {@link Queue}, {@link LifoQueue} or {@link PriorityQueue}. */
export const kQueueId = 0x51554555;
/** "SMPQ": a {@link SimpleQueue}. */
export const kSimpleQueueId = 0x534d5051;
/** "POOL": a ThreadPoolExecutor's task queue. */
export const kPoolQueueId = 0x504f4f4c;
/** "RSLT": the queue a pool's worker reports its tasks' outcomes through. */
export const kPoolResultsId = 0x52534c54;
/** "COND": a {@link Condition}. */
export const kConditionId = 0x434f4e44;
/** "BARR": a {@link Barrier}. */
export const kBarrierId = 0x42415252;
