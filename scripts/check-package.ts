// `npm run check:package`: lint the package exactly as it would be published.
// Packs dist/ once (without rebuilding: `npm run test:slow` has just built it), then
// runs publint and @arethetypeswrong/cli on the tarball: one line when both
// are content, all they print when not.
//
// attw's `cjs-resolves-to-esm` is ignored on purpose: skein is ESM-only, and
// CommonJS users load it with `import()` or, on Node 20.19+/22.12+,
// `require()` (see the README FAQ and test/package/consumer.slow-test.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string): string => join(root, 'node_modules/.bin', name);
const dir = mkdtempSync(join(tmpdir(), 'skein-pack-'));
try {
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: root,
    encoding: 'utf8',
  });
  const [{ filename }] = JSON.parse(packed) as [{ filename: string }];
  const tarball = join(dir, filename);
  // Quiet when all is well (one line for `npm run test:slow`); everything they print when not.
  const check = (file: string, args: string[]): void => {
    try {
      execFileSync(file, args, { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      process.stdout.write(stdout);
      process.stderr.write(stderr);
      throw error;
    }
  };
  check(bin('publint'), ['run', tarball, '--strict']);
  check(bin('attw'), [tarball, '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'table-flipped']);
  console.log(`package: publint and attw find no problem in ${filename}`);
} catch (error) {
  // The tools have printed what is wrong; fail without a Node stack on top.
  process.exitCode = (error as { status?: number }).status ?? 1;
  if ((error as { status?: number }).status === undefined) console.error(error);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
