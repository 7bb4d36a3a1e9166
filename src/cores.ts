/**
 * How many threads the machine runs at once, on Node (and Bun and Deno).
 * Apart from src/host.ts, which every worker loads: only the code that
 * sizes a pool or the standby workers asks, and importing `node:os` loads
 * Node's os module into each worker that imports it. The browser build
 * uses src/cores.browser.ts instead (see src/platform.ts).
 */
export { availableParallelism } from 'node:os';
