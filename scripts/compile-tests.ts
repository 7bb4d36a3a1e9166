// The test files compiled to JavaScript ahead of the run, so that their
// processes run on plain node: under tsx, each test file's process pays
// tsx's start (~0.4 s of CPU), and each skein worker of a program under tsx
// gets tsx ready too, most of a worker's boot again on Node 20
// (src/worker/typescript.ts) — a third of `npm test`'s CPU, measured.
//
// Each TypeScript module the tests load (the test files, their helpers, the
// scripts and sources they import) becomes one JavaScript module under
// .tmp/tests/, at the same path as its source, compiled as tsx compiles it
// (esbuild, for this Node, names kept — an inline target is sent by its
// source — with source maps: a failure points at the .ts line). Not bundled:
// a bundle renames what two of its modules both import, and a renamed
// import in an inline target is a name the thread does not know. What it
// meant where it was written, it means compiled:
// - `import.meta.url` is the .ts file's own URL (fixtures found by
//   `new URL(…, import.meta.url)` stay where they are);
// - an import of a JavaScript file (skein's `dist/`, a fixture) loads that
//   file where it is, as the same module the package and threads load;
// - a relative `import()` fails the compile: it would look for the file
//   beside the compiled module. Tests that need one, or that load `.ts`
//   files at run time, live in test/typescript/ and run under tsx
//   (scripts/test-files.ts).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Where the compiled tests go. */
export const compiledTestsDir = join(root, '.tmp', 'tests');

/** The compiled file for `file` (a path relative to the repository root). */
export function compiledPathOf(file: string): string {
  return join(compiledTestsDir, file.replace(/\.ts$/, '.js'));
}

/** The source file that `compiled` was compiled from (absolute), or `compiled` itself. */
export function sourcePathOf(compiled: string): string {
  const inside = relative(compiledTestsDir, compiled);
  return inside.startsWith('..') ? compiled : join(root, inside.replace(/\.js$/, '.ts'));
}

/** The name each module's own URL goes by (declared on its first line, where `import.meta.url` was). */
const kOwnUrl = '__compiledFromUrl';

/**
 * Keeps the modules apart and their meaning as written (see above); adds
 * each TypeScript module imported to `found`.
 */
function asWritten(found: Set<string>): Plugin {
  return {
    name: 'as-written',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        if (args.kind === 'dynamic-import') {
          return {
            errors: [
              {
                text: `a relative import() cannot be compiled (it would look beside the compiled file): put this test in test/typescript/, which runs under tsx, uncompiled`,
              },
            ],
          };
        }
        const resolved = join(args.resolveDir, args.path);
        const typeScript = resolved.replace(/\.js$/, '.ts');
        if (resolved.endsWith('.js') && existsSync(typeScript)) {
          // Compiled too, to the same relative place: the import stays as written.
          found.add(relative(root, typeScript));
          return { path: args.path, external: true };
        }
        return { path: pathToFileURL(resolved).href, external: true };
      });
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        // On the first line, before the source's own: its lines keep their numbers.
        const ownUrl = `const ${kOwnUrl} = ${JSON.stringify(pathToFileURL(args.path).href)};`;
        return { contents: `${ownUrl}${await readFile(args.path, 'utf8')}`, loader: 'ts' };
      });
    },
  };
}

/**
 * Compile `files` (paths relative to the repository root) and the
 * TypeScript modules they import into {@link compiledTestsDir}; resolves
 * the compiled paths of `files`.
 */
export async function compileTests(files: string[]): Promise<string[]> {
  const compiled = new Set<string>();
  let pending = new Set(files);
  while (pending.size > 0) {
    const found = new Set<string>();
    await build({
      absWorkingDir: root,
      entryPoints: [...pending],
      outdir: compiledTestsDir,
      outbase: '.',
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      // As tsx compiles: for the Node that runs it, names kept.
      target: `node${process.versions.node}`,
      keepNames: true,
      define: { 'import.meta.url': kOwnUrl },
      sourcemap: 'inline',
      // The errors are in what build() throws.
      logLevel: 'silent',
      plugins: [asWritten(found)],
    });
    for (const file of pending) compiled.add(file);
    pending = new Set([...found].filter((file) => !compiled.has(file)));
  }
  return files.map(compiledPathOf);
}
