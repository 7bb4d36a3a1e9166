/**
 * Where a function shipped to a thread as source was written. The thread
 * compiles the source again, and V8 would name its frames `eval at compile
 * (…/dist/worker/entry.js…) <anonymous>:4:165`: with the origin found here,
 * the thread compiles it as that file, from that line and column (see
 * `compile` in src/worker/load-target.ts), and an error's stack points into
 * the user's code.
 *
 * Found from the call site: the first stack frame outside skein when the
 * Thread is made (or the task submitted) names the user's file. The
 * function's source is looked for in that file — exactly, where the file
 * is what runs (JavaScript); by its name, or at the call site itself, where
 * a compiler rewrote it (TypeScript under tsx), which places its first line.
 */
import { readLocalText } from './local-files.js';
import { frameLocation, isOwnLocation } from './stack.js';

/** Where a function's source starts: its file (as stack frames name it), line (1-based) and column (0-based). */
export interface SourceOrigin {
  url: string;
  line: number;
  column: number;
}

/** A captured stack (formatted only when read) per function handed to skein before it is described. */
const callSites = new WeakMap<Function, Error>();

/** The files read, by URL; null for one that could not be read. Bounded: cleared past 64. */
const files = new Map<string, string | null>();

function captureStack(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 32;
  try {
    return new Error('call site');
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * Remember where `fn` is being handed to skein, for {@link locateSource}
 * to use later (a Thread's target is described at `start()`, which may be
 * far from where it was written). Cheap: the stack is formatted only if
 * the function is described.
 */
export function noteCallSite(fn: unknown): void {
  if (typeof fn === 'function' && !callSites.has(fn)) callSites.set(fn, captureStack());
}

/** The first frame outside skein and Node: the user's call. */
function userFrame(stack: string): { url: string; line: number; column: number } | undefined {
  for (const line of stack.split('\n')) {
    const location = frameLocation(line);
    if (location === undefined || isOwnLocation(location) || location.startsWith('node:')) continue;
    // Deno prints a frame of code compiled as a file (see load-target.ts) `file, <anonymous>:line:column`.
    const match = /^(.*?)(?:, <anonymous>)?:(\d+):(\d+)$/.exec(location);
    if (match === null || match[1]!.startsWith('eval at ')) continue;
    return { url: match[1]!, line: Number(match[2]), column: Number(match[3]) - 1 };
  }
  return undefined;
}

function readSource(url: string): string | undefined {
  if (!files.has(url)) {
    if (files.size >= 64) files.clear();
    files.set(url, readLocalText(url) ?? null);
  }
  return files.get(url) ?? undefined;
}

/** Line (1-based) and column (0-based) of offset `at` in `text`. */
function positionOf(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: at - lineStart };
}

/** Of the offsets where `pattern` matches `text`, the one nearest to `line`. */
function nearest(text: string, pattern: RegExp, line: number): number | undefined {
  let best: number | undefined;
  let bestDistance = Infinity;
  for (const match of text.matchAll(pattern)) {
    const distance = Math.abs(positionOf(text, match.index).line - line);
    if (distance < bestDistance) {
      best = match.index;
      bestDistance = distance;
    }
  }
  return best;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Where the function or class named `name`, whose source text is `source`,
 * was written — or undefined when the call site names no readable file, or
 * the class is not in it. Never throws.
 * @param handed - what was handed to skein (the target, the subclass), whose noted call site is used if any.
 * @param kind - `function` for a target, `class` for a class of a Thread subclass's chain.
 */
export function locateSource(
  source: string,
  name: string,
  handed: Function,
  kind: 'function' | 'class' = 'function',
): SourceOrigin | undefined {
  try {
    const site = userFrame((callSites.get(handed) ?? captureStack()).stack ?? '');
    if (site === undefined) return undefined;
    const text = readSource(site.url);
    if (text === undefined) return undefined;
    // The file is what runs: the source is in it, as is.
    let at = nearest(text, new RegExp(escapeRegExp(source), 'g'), site.line);
    if (at === undefined && /^[A-Za-z_$][\w$]*$/.test(name)) {
      // A compiler rewrote it: find its declaration by name.
      const word = escapeRegExp(name);
      const declaration =
        kind === 'class'
          ? new RegExp(`\\bclass\\s+${word}\\b`, 'g')
          : new RegExp(`\\b(?:function\\s*\\*?\\s*${word}\\s*[(<]|(?:const|let|var)\\s+${word}\\s*[:=])`, 'g');
      at = nearest(text, declaration, site.line);
    }
    if (at !== undefined) return { url: site.url, ...positionOf(text, at) };
    // A function not found is most likely written at the call (an inline
    // arrow): its first line is there. A class never is.
    return kind === 'function' ? site : undefined;
  } catch {
    return undefined;
  }
}
