/**
 * Stack traces as a user should read them. skein's own frames are told
 * apart by where their code lives (its `dist/` and `src/` directories):
 * - the frames of skein's worker runtime under the user's code (`runJob`,
 *   `runThreadJob`, `runWorker`, `runTask`, …) say nothing about the error, and
 *   differ between a standby and a fresh worker: {@link trimRuntimeFrames}
 *   cuts them off an error about to cross threads;
 * - skein's frames that stay (an error raised inside skein) point into the
 *   bundled chunks of `dist/`: {@link mapOwnFrames} maps them through the
 *   source maps the build writes beside each chunk, to `src/` — lazily, on
 *   the receiving side, without `--enable-source-maps` (which would make
 *   every worker parse every map at boot).
 */
import { localDirectory, mapLocation } from './local-files.js';

/** The prefixes (URL and path forms) of skein's `dist/` directory, then all of skein's own (`dist/` and `src/`). */
interface Prefixes {
  readonly dist: readonly string[];
  readonly own: readonly string[];
}

/**
 * Made on first need, not as this module loads: a path form comes from
 * `node:url`, which a worker loads only then (see src/thread/local-files.ts).
 */
let prefixes: Prefixes | undefined;

function ownPrefixes(): Prefixes {
  if (prefixes === undefined) {
    const [dist, src] = prefixesOf(import.meta.url);
    prefixes = { dist, own: [...dist, ...src] };
  }
  return prefixes;
}

function prefixesOf(url: string): [string[], string[]] {
  const at = Math.max(url.lastIndexOf('/dist/'), url.lastIndexOf('/src/'));
  if (at === -1 || !url.startsWith('file:')) return [[], []];
  const root = url.slice(0, at + 1);
  const dist = [`${root}dist/`];
  const src = [`${root}src/`];
  // A local directory is also named by its path (on Node); elsewhere frames name it by URL only.
  const [distPath, srcPath] = [localDirectory(root, 'dist'), localDirectory(root, 'src')];
  if (distPath !== undefined) dist.push(distPath);
  if (srcPath !== undefined) src.push(srcPath);
  return [dist, src];
}

/** The location part of a stack frame line (`file:///a.js:1:2`, `node:fs:448:20`, `<anonymous>`), or undefined if `line` is not a frame. */
export function frameLocation(line: string): string | undefined {
  const match = /^\s+at (?:async )?(.*)$/.exec(line);
  if (match === null) return undefined;
  const rest = match[1]!;
  if (rest.endsWith(')')) {
    const open = rest.indexOf(' (');
    if (open !== -1) return rest.slice(open + 2, -1);
  }
  return rest;
}

/** Whether a frame location is in skein's own code (not code skein compiled for the user: `eval at …`). */
export function isOwnLocation(location: string): boolean {
  return ownPrefixes().own.some((prefix) => location.startsWith(prefix));
}

/** Whether a frame location is the runtime's: skein's own, Node's internals, or a native frame. */
function isRuntimeLocation(location: string): boolean {
  return (
    isOwnLocation(location) ||
    location.startsWith('node:') ||
    location === '<anonymous>' ||
    location === 'native' ||
    /^index \d+$/.test(location)
  );
}

/**
 * Cut the frames of skein's runtime (and Node's internals below it) off the
 * bottom of `stack`, keeping every frame from the user's code up. A stack
 * with no frame of the user's keeps its first frame: where it was thrown.
 */
export function trimRuntimeFrames(stack: string): string {
  const lines = stack.split('\n');
  let end = lines.length;
  for (; end > 0; end--) {
    const location = frameLocation(lines[end - 1]!);
    if (location === undefined || !isRuntimeLocation(location)) break;
  }
  if (end === lines.length) return stack;
  const first = lines.findIndex((line) => frameLocation(line) !== undefined);
  if (first === -1) return stack;
  return lines.slice(0, Math.max(end, first + 1)).join('\n');
}

/**
 * Rewrite the frames of `stack` that point into skein's bundled chunks to
 * their place in skein's `src/`, as `--enable-source-maps` would. Frames it
 * cannot map stay as they are; a stack without such frames costs a scan.
 * Never throws.
 */
export function mapOwnFrames(stack: string): string {
  if (!ownPrefixes().dist.some((prefix) => stack.includes(prefix))) return stack;
  try {
    return stack
      .split('\n')
      .map((line) => {
        const location = frameLocation(line);
        if (location === undefined || !isOwnLocation(location)) return line;
        const mapped = mapLocation(location);
        return mapped === undefined ? line : line.replace(location, mapped);
      })
      .join('\n');
  } catch {
    return stack;
  }
}
