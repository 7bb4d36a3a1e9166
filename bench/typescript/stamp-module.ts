// The module target of the TypeScript start figure (bench/sections/start.ts):
// a .ts module importing another .ts module, run by bench/plain/start-probe.mjs
// under `node --import tsx`. Its twin in plain JavaScript is
// bench/plain/stamp-module.mjs. Its first statement stamps the time.
import { stampNow } from './stamp-helper.js';

export function stamp(stamp: BigInt64Array, flag: Int32Array): void {
  stampNow(stamp);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
