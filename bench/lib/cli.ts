import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How much the suite measures: the full suite, or a quick pass with fewer and smaller runs. */
export type Mode = 'full' | 'quick';

/** What `npm run bench` was asked to do. */
export interface Options {
  readonly mode: Mode;
  /** Folder that receives results.md and results.svg. */
  readonly out: string;
  /** The sections to run (by name), or undefined for all. */
  readonly only?: readonly string[];
}

/** The folder of the committed results: `bench/`. */
export const benchDir = fileURLToPath(new URL('..', import.meta.url));

export const usage = `Usage: npm run bench [-- [--quick] [--out DIR]]

Measures skein against raw worker_threads, piscina, tinypool and workerpool,
and writes DIR/results.md and DIR/results.svg.

Options:
  --quick      fewer and smaller runs (under 30 s); the figures are rougher
  --out DIR    where to write the results (default: bench/, the committed ones)
  --only LIST  run only these sections, comma-separated: is-set, wire, stop-notice,
               start, memory, pools, cancel, queue (the others are marked not measured)
  -h, --help   print this help
`;

/** Thrown for a command line the suite does not understand; the message says what was wrong. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Read the command line (`process.argv.slice(2)`).
 * @returns the options, or `'help'` when help was asked for.
 * @throws UsageError for an unknown option or a missing `--out` folder.
 */
export function parseOptions(argv: readonly string[]): Options | 'help' {
  let mode: Mode = 'full';
  let out = benchDir;
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg;
    switch (flag) {
      case '--quick':
        mode = 'quick';
        break;
      case '--out': {
        const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined || value === '' || value.startsWith('--')) {
          throw new UsageError('`--out` needs a folder, e.g. `--out /tmp/bench`');
        }
        out = resolve(value);
        break;
      }
      case '--only': {
        const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined || value === '' || value.startsWith('--')) {
          throw new UsageError('`--only` needs section names, e.g. `--only queue,wire`');
        }
        only = value.split(',').map((name) => name.trim());
        break;
      }
      case '-h':
      case '--help':
        return 'help';
      default:
        throw new UsageError(`unknown option \`${arg}\``);
    }
  }
  return only === undefined ? { mode, out } : { mode, out, only };
}
