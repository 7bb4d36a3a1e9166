// Imported by stamp-module.mjs: a module target with an import of its own.
export function stampNow(stamp) {
  stamp[0] = process.hrtime.bigint();
}
