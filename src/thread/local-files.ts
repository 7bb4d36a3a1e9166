/**
 * skein's own files, read where they are local (Node, Bun, Deno): file
 * paths of `file:` URLs, and the source maps beside the bundled chunks
 * (see stack.ts). The browser build uses src/thread/local-files.browser.ts,
 * where there are no local files.
 */
import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The path of the directory `name` in the directory `rootUrl` (a `file:` URL ending in `/`), with a separator at its end; undefined if it is not local. */
export function localDirectory(rootUrl: string, name: string): string | undefined {
  try {
    return `${fileURLToPath(rootUrl)}${name}${sep}`;
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
      const map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')));
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
