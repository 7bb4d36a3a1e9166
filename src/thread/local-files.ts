/**
 * Local files, where there are (Node, Bun, Deno): file paths of `file:`
 * URLs, skein's source maps beside its bundled chunks (see stack.ts), the
 * files inline targets were written in (see origin.ts), module targets
 * given as paths (see target.ts). The browser build uses src/thread/local-files.browser.ts,
 * where there are no local files.
 */
import * as nodeModule from 'node:module';
import { nodeFs, nodePath, nodeUrl } from '../builtins.js';

function fileURLToPath(url: string | URL): string {
  return nodeUrl().fileURLToPath(url);
}

/** The path of the directory `name` in the directory `rootUrl` (a `file:` URL ending in `/`), with a separator at its end; undefined if it is not local. */
export function localDirectory(rootUrl: string, name: string): string | undefined {
  try {
    return `${fileURLToPath(rootUrl)}${name}${nodePath().sep}`;
  } catch {
    return undefined;
  }
}

type SourceMapLike = {
  findEntry(line: number, column: number): { originalSource?: string; originalLine?: number; originalColumn?: number };
};

/** Parsed source maps by chunk path; null where there is none (or no SourceMap class on this runtime). */
const sourceMaps = new Map<string, { map: SourceMapLike; url: string } | null>();

function sourceMapOf(file: string): { map: SourceMapLike; url: string } | null {
  let known = sourceMaps.get(file);
  if (known !== undefined) return known;
  known = null;
  const SourceMap = (nodeModule as { SourceMap?: new (payload: unknown) => SourceMapLike }).SourceMap;
  if (SourceMap !== undefined) {
    try {
      const path = file.startsWith('file:') ? fileURLToPath(file) : file;
      const map = new SourceMap(JSON.parse(nodeFs().readFileSync(`${path}.map`, 'utf8')));
      known = { map, url: file.startsWith('file:') ? file : `file://${path}` };
    } catch {
      // No map beside the chunk (or an unreadable one): the frame stays as it is.
    }
  }
  sourceMaps.set(file, known);
  return known;
}

/** `location` (a frame in a `dist/` chunk) as its place in `src/`, or undefined. */
export function mapLocation(location: string): string | undefined {
  const match = /^(.*\.js):(\d+):(\d+)$/.exec(location);
  if (match === null) return undefined;
  const found = sourceMapOf(match[1]!);
  if (found === null) return undefined;
  const entry = found.map.findEntry(Number(match[2]) - 1, Number(match[3]) - 1);
  if (entry.originalSource === undefined || entry.originalLine === undefined) return undefined;
  const source = new URL(entry.originalSource, found.url);
  const where = source.protocol === 'file:' ? fileURLToPath(source) : source.href;
  return `${where}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
}

/** The text of the local file at `url` (a `file:` URL, or a path), or undefined if it cannot be read. */
export function readLocalText(url: string): string | undefined {
  try {
    return nodeFs().readFileSync(url.startsWith('file:') ? fileURLToPath(url) : url, 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether `module` is an absolute file path (`/a/b.js`, `C:\\a\\b.js`). */
export function isAbsolutePath(module: string): boolean {
  return nodePath().isAbsolute(module);
}

/** The `file:` URL of the absolute path `path`. */
export function fileUrlOf(path: string): string {
  return nodeUrl().pathToFileURL(path).href;
}

const typeScriptTwins: Record<string, string[]> = {
  '.js': ['.ts', '.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
  '.jsx': ['.tsx'],
};

/**
 * Check that the module of the `file:` URL `url` exists (under a TypeScript
 * loader, `./x.js` may name `./x.ts`).
 * @throws TypeError `${role}.module not found` if it does not.
 */
export function checkLocalModule(url: string, role: string): void {
  const path = fileURLToPath(url);
  if (nodeFs().existsSync(path)) return;
  const extension = /\.[cm]?jsx?$/.exec(path)?.[0];
  const base = extension === undefined ? path : path.slice(0, -extension.length);
  for (const twin of (extension && typeScriptTwins[extension]) || []) {
    if (nodeFs().existsSync(base + twin)) return;
  }
  throw new TypeError(`${role}.module not found: ${path} does not exist`);
}
