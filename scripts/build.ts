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
import { copyFileSync, existsSync, rmSync } from 'node:fs';
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
await declarations;
