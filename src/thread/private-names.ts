/**
 * The private instance members a class's source declares. A Thread
 * subclass runs in its thread on a copy of the object made from its public
 * fields, without its constructor: its `#private` fields and methods do not
 * exist there, and V8 would fail the thread with a bare "Cannot read private
 * member #count from an object whose class did not declare it". So start()
 * refuses such a class, naming the member.
 *
 * A light scanner, not a parser: it skips comments, strings, template
 * literals and regular expressions, then takes each `#name` that is not
 * reached through a dot (`this.#name` uses a member; `#name = 0`,
 * `#name() {}`, `get #name()` declare one) and is not `static`.
 */

const identifierStart = /[A-Za-z_$\u0080-\uffff]/;
const identifierPart = /[\w$\u0080-\uffff]/;
/** Words after which a `/` starts a regular expression rather than a division. */
const regexAfterWord = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);
/** Modifiers that may stand between `static` and a member's name. */
const modifiers = new Set(['async', 'get', 'set', 'accessor']);

/** The names (with `#`) of the private instance members `source` declares, each once, in order. */
export function privateInstanceMembers(source: string): string[] {
  const declared: string[] = [];
  const staticNames = new Set<string>();
  /** The significant tokens before the current position, most recent last (a short window). */
  const recent: string[] = [];
  const push = (token: string): void => {
    recent.push(token);
    if (recent.length > 4) recent.shift();
  };
  /** Closing braces that end a template literal's `${…}` rather than a block. */
  const templateDepths: number[] = [];
  let braces = 0;
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      i = source.indexOf('\n', i);
      if (i === -1) break;
      continue;
    }
    if (c === '/' && next === '*') {
      i = source.indexOf('*/', i + 2);
      if (i === -1) break;
      i += 2;
      continue;
    }
    if (c === '"' || c === "'") {
      i = skipString(source, i, c);
      push('literal');
      continue;
    }
    const closesInterpolation = c === '}' && templateDepths.at(-1) === braces;
    if (c === '`' || closesInterpolation) {
      if (closesInterpolation) {
        templateDepths.pop();
        braces--;
      }
      const end = skipTemplate(source, i + 1);
      if (end.interpolation) {
        braces++;
        templateDepths.push(braces);
      }
      i = end.at;
      push('literal');
      continue;
    }
    if (c === '/') {
      const last = recent.at(-1);
      const regex = last === undefined || (!/^[\w$)\]]/.test(last) && last !== 'literal') || regexAfterWord.has(last);
      if (regex) {
        i = skipRegex(source, i + 1);
        push('literal');
        continue;
      }
    }
    if (c === '#' && next !== undefined && identifierStart.test(next)) {
      let end = i + 1;
      while (end < n && identifierPart.test(source[end]!)) end++;
      const name = source.slice(i, end);
      const last = recent.at(-1);
      if (last !== '.' && last !== '?.') {
        let k = recent.length - 1;
        while (k >= 0 && (modifiers.has(recent[k]!) || recent[k] === '*')) k--;
        if (recent[k] === 'static') staticNames.add(name);
        else if (!declared.includes(name)) declared.push(name);
      }
      push(name);
      i = end;
      continue;
    }
    if (identifierPart.test(c)) {
      let end = i + 1;
      while (end < n && identifierPart.test(source[end]!)) end++;
      push(source.slice(i, end));
      i = end;
      continue;
    }
    if (c === '{') braces++;
    else if (c === '}') braces--;
    if (c === '?' && next === '.') {
      push('?.');
      i += 2;
      continue;
    }
    if (!/\s/.test(c)) push(c);
    i++;
  }
  return declared.filter((name) => !staticNames.has(name));
}

function skipString(source: string, at: number, quote: string): number {
  let i = at + 1;
  while (i < source.length && source[i] !== quote) i += source[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** From inside a template literal: where it ends, or where a `${` opens (just after it). */
function skipTemplate(source: string, at: number): { at: number; interpolation: boolean } {
  let i = at;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') i += 2;
    else if (c === '`') return { at: i + 1, interpolation: false };
    else if (c === '$' && source[i + 1] === '{') return { at: i + 2, interpolation: true };
    else i++;
  }
  return { at: i, interpolation: false };
}

function skipRegex(source: string, at: number): number {
  let i = at;
  let inClass = false;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') i += 2;
    else if (c === '\n') return i;
    else {
      if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) break;
      i++;
    }
  }
  i++;
  while (i < source.length && identifierPart.test(source[i]!)) i++;
  return i;
}
