/**
 * Every shared-memory primitive's module but the queues', each of which
 * makes its kind revivable as it loads (see registerReviver in
 * transfer.ts). Imported for that by the code that decodes values without
 * awaiting prepareDecode() first: a thread's outcome (thread.ts) and a
 * queue's items (src/relay/items.ts, with the queues). A worker whose thread
 * does neither loads a primitive only when one arrives in its arguments.
 */
import '../sync/barrier.js';
import '../sync/condition.js';
import '../sync/lock.js';
import '../sync/rlock.js';
import '../sync/semaphore.js';
