// results.md is written by two benches: `npm run bench` (Node, bench/main.ts)
// writes the whole file, and `npm run bench:browser` (bench/browser.mjs) its
// own `## ` section. Each keeps the other's figures: the Node bench carries
// the browser section over into the file it writes, and the browser bench
// replaces only its section.

/** The heading of the browser bench's section of results.md. */
export const BROWSER_HEADING = '## Browser figures (Chromium)';

/** Where the `## ` section headed exactly `heading` starts and ends in `markdown` (its end: the next `## ` heading, or the end). */
function sectionBounds(markdown: string, heading: string): { start: number; end: number } | undefined {
  const lines = markdown.split('\n');
  const first = lines.indexOf(heading);
  if (first === -1) return undefined;
  let last = first + 1;
  while (last < lines.length && !lines[last]!.startsWith('## ')) last++;
  const start = lines.slice(0, first).join('\n').length + (first > 0 ? 1 : 0);
  const end = lines.slice(0, last).join('\n').length + (last < lines.length ? 1 : 0);
  return { start, end };
}

/** The section of `markdown` headed `heading` (heading line included, up to the next `## ` heading), or undefined. */
export function findSection(markdown: string, heading: string): string | undefined {
  const bounds = sectionBounds(markdown, heading);
  return bounds === undefined ? undefined : markdown.slice(bounds.start, bounds.end);
}

/**
 * `markdown` with the section headed `heading` replaced by `section` (which
 * starts with that heading), or with `section` appended if it has none.
 */
export function replaceSection(markdown: string, heading: string, section: string): string {
  const body = section.replace(/\n*$/, '\n');
  const bounds = sectionBounds(markdown, heading);
  if (bounds === undefined) return `${markdown.replace(/\n*$/, '\n')}\n${body}`;
  const after = markdown.slice(bounds.end);
  return markdown.slice(0, bounds.start) + body + (after === '' ? '' : `\n${after}`);
}
