// `npm run build`: dist/ from src/.
//
// The JavaScript is bundled by esbuild into a few files — the package index,
// the worker entry, the tests' internal entry, and the chunks they share —
// instead of one file per source module. Every skein worker loads that code,
// and each ES module costs a worker memory of its own (~15 KB for even an
// empty one): as ~25 modules, skein's runtime cost each idle thread about
// 0.5 MiB more than as a few chunks. Whitespace and comments are left out
// for the same reason (~0.3 MiB a worker); names are kept, and source maps
// point at src/ (`node --enable-source-maps`). The three entries share their
// code, so a worker and the tests see the same classes as the package.
// Declarations (.d.ts) come from tsc, one per source module, with the docs.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BuildOptions, build, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
// The declarations, written by tsc while esbuild bundles (awaited at the end).
// `--noCheck`: emit only, in half the time — the same .d.ts files (compared
// when this was chosen); checking is `npm run typecheck`'s job, which
// `npm test` runs.
const declarations = promisify(execFile)(
  process.execPath,
  [fileURLToPath(import.meta.resolve('typescript/bin/tsc')), '-p', 'tsconfig.build.json', '--noCheck'],
  { cwd: root },
).catch((error: { stdout?: string; stderr?: string }) => {
  process.stdout.write(error.stdout ?? '');
  process.stderr.write(error.stderr ?? '');
  throw new Error('tsc could not write the declarations (its output is above)');
});
// What the Node build and the browser build (below) share.
const bundled = {
  absWorkingDir: root,
  bundle: true,
  splitting: true,
  format: 'esm',
  chunkNames: 'chunks/[name]-[hash]',
  minifyWhitespace: true,
  // Classes keep their names (esbuild renames a class that refers to itself).
  keepNames: true,
  legalComments: 'none',
  sourcemap: 'linked',
  logLevel: 'warning',
} satisfies BuildOptions;
/**
 * esbuild's `keepNames` helper, as it writes it: it names each function and
 * class (`__name(fn, "fn")`) by redefining its `name` property, and V8
 * turns every function so redefined into a slower object of its own (a
 * property dictionary, ~270 bytes): ~200 more objects in each worker, which
 * cost it ~0.06 MiB. Nearly all of them already bear that name; only a
 * class that refers to itself is renamed (`var Event = class _Event`). So
 * the helper is rewritten to leave a function that has its name alone.
 */
const kNameHelper = 'var __name=(target,value)=>__defProp(target,"name",{value,configurable:true});';
const kGuardedNameHelper =
  'var __name=(target,value)=>target.name===value?target:__defProp(target,"name",{value,configurable:true});';

/**
 * Rewrite the `keepNames` helper in the chunks under `dir` (see
 * {@link kNameHelper}). It must be found in exactly one chunk, which holds
 * nothing else — so no source map position after it moves.
 */
function guardNameHelper(dir: URL): void {
  const chunks = new URL('chunks/', dir);
  const holders = readdirSync(chunks).filter(
    (name) => name.endsWith('.js') && readFileSync(new URL(name, chunks), 'utf8').includes(kNameHelper),
  );
  const text = holders.length === 1 ? readFileSync(new URL(holders[0]!, chunks), 'utf8') : '';
  const rest = text.replace(kNameHelper, '').replace(/\n\/\/# sourceMappingURL=\S+\n?$/, '');
  if (holders.length !== 1 || !/^var __defProp=Object\.defineProperty;export\{__name\};$/.test(rest)) {
    throw new Error(
      `esbuild's __name helper was not found alone in one chunk of ${chunks.pathname} (found in ${holders.length}): update guardNameHelper in scripts/build.ts`,
    );
  }
  writeFileSync(new URL(holders[0]!, chunks), text.replace(kNameHelper, kGuardedNameHelper));
}

await build({
  ...bundled,
  // typescript-hooks.ts runs on tsx's hooks thread, loaded by URL (src/worker/typescript.ts).
  entryPoints: [
    'src/index.ts',
    'src/internal.ts',
    'src/worker/entry.ts',
    'src/worker/relay.ts',
    'src/worker/typescript-hooks.ts',
  ],
  outdir: 'dist',
  outbase: 'src',
  platform: 'node',
  target: 'node20',
  // The worker imports its users' modules by URL, with their own import
  // attributes (src/worker/load-target.ts): nothing there is for the bundle.
  logOverride: { 'unsupported-dynamic-import': 'silent' },
});
guardNameHelper(new URL('../dist/', import.meta.url));
// The modules a standby worker of a program under tsx imports ahead of need
// (src/worker/load-target.ts): TypeScript on purpose, beside the worker entry.
for (const name of ['warm-up.ts', 'warm-up-import.ts']) {
  copyFileSync(new URL(`../src/worker/${name}`, import.meta.url), new URL(`../dist/worker/${name}`, import.meta.url));
}

// The browser build (the package's `browser` export): the same source from
// src/browser.ts, where each module `X.ts` that has a sibling `X.browser.ts`
// is replaced by it (see src/platform.ts). esbuild's browser platform cannot
// resolve a `node:` module, so one that reaches a page's module graph fails
// this build, naming the module that imports it.
const browserSiblings: Plugin = {
  name: 'browser-siblings',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, ({ path, resolveDir, importer }) => {
      const sibling = fileURLToPath(new URL(path.replace(/\.js$/, '.browser.ts'), `file://${resolveDir}/`));
      // A sibling that imports its own Node module (the worker entry's) gets that module.
      if (sibling === importer) return undefined;
      return existsSync(sibling) ? { path: sibling } : undefined;
    });
  },
};
await build({
  ...bundled,
  // The worker entry's browser form loads the runtime once its start data has come (see it).
  entryPoints: [
    { in: 'src/browser.ts', out: 'index' },
    { in: 'src/worker/entry.browser.ts', out: 'worker/entry' },
  ],
  outdir: 'dist/browser',
  platform: 'browser',
  target: ['es2022'],
  plugins: [browserSiblings],
  logOverride: { 'unsupported-dynamic-import': 'silent' },
});
guardNameHelper(new URL('../dist/browser/', import.meta.url));
await declarations;
