/**
 * @internal Not part of skein's API: the internals the tests look at. Built
 * as a third entry of the bundle beside the index and the worker entry, it
 * shares their code — the same standby workers, the same scope — and is not
 * exported by package.json.
 */
export { idleStandbyCount } from './thread/hub.js';
export { exportNames, scopeFor } from './worker/scope.js';
export { checkPoolReport } from './executor/report-check.js';
