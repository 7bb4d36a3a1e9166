// Imported by stamp-module.ts: a module target with a .ts import of its own.
export function stampNow(stamp: BigInt64Array): void {
  stamp[0] = process.hrtime.bigint();
}
