// The tasks every pool runs, loaded by piscina's and tinypool's workers
// (default export and `spin`) and by workerpool-worker.mjs.

/** The trivial task of the throughput and round-trip figures. */
export default function inc(x) {
  return x + 1;
}

/**
 * A CPU-bound task that never checks for cancellation, as most real ones:
 * it says it is running (marks[0] = 1), spins, and its finally block records
 * that it ran (marks[1] = 1). It gives up after 10 s so that a cancel that
 * fails cannot hang the suite.
 */
export function spin(marks) {
  Atomics.store(marks, 0, 1);
  Atomics.notify(marks, 0);
  const end = Date.now() + 10_000;
  try {
    while (Date.now() < end);
  } finally {
    Atomics.store(marks, 1, 1);
  }
  return 'spun out';
}
