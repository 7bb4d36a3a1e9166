// Preloaded (`--import`) into the process of each compiled test file
// (scripts/test.ts): source maps on the main thread, so that a failure and
// skein's own frames point at the .ts sources, as under tsx. Not in
// workers, which inherit the flags: `--enable-source-maps` would cost each
// worker's boot ~20 ms more CPU (measured, fresh workers on Node 20), and
// tsx did not map frames in skein's workers either.
import { isMainThread } from 'node:worker_threads';

if (isMainThread) process.setSourceMapsEnabled(true);
