// The module target of the TypeScript start figure (bench/sections/start.ts),
// as plain JavaScript: the twin of bench/typescript/stamp-module.ts, run by
// start-probe.mjs under plain node. Its first statement stamps the time.
import { stampNow } from './stamp-helper.mjs';

export function stamp(stamp, flag) {
  stampNow(stamp);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
