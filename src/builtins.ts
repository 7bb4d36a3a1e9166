/**
 * Node's built-in modules that code every skein worker loads uses only now
 * and then (an error's frames, a module target named by path, a line
 * printed), each loaded with `require` on first use instead of imported.
 * An ES module import of a built-in loads it into each worker as skein's
 * code loads, and makes a module of all its exports: for `node:url`,
 * `node:fs` and `node:path`, ~70 KB of objects made at every worker's boot
 * (a worker's heap, measured around skein's code loading). `require`, not
 * `import()`: their callers are synchronous. Node only (Bun and Deno too):
 * imported by src/thread/local-files.ts and src/worker/stdio.ts, whose
 * browser siblings need no built-in.
 */
import { createRequire } from 'node:module';

let require: NodeJS.Require | undefined;
let fs: typeof import('node:fs') | undefined;
let path: typeof import('node:path') | undefined;
let url: typeof import('node:url') | undefined;

function load<T>(name: string): T {
  require ??= createRequire(import.meta.url);
  return require(name) as T;
}

/** `node:fs`, loaded on first use. */
export function nodeFs(): typeof import('node:fs') {
  fs ??= load<typeof import('node:fs')>('node:fs');
  return fs;
}

/** `node:path`, loaded on first use. */
export function nodePath(): typeof import('node:path') {
  path ??= load<typeof import('node:path')>('node:path');
  return path;
}

/** `node:url`, loaded on first use. */
export function nodeUrl(): typeof import('node:url') {
  url ??= load<typeof import('node:url')>('node:url');
  return url;
}
