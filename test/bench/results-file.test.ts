// bench/results.md is written by two benches, each keeping the other's
// figures (bench/lib/results-file.ts): the browser bench replaces its own
// section, the Node bench carries it over.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BROWSER_HEADING, findSection, replaceSection } from '../../bench/lib/results-file.js';

const node = '# skein benchmarks\n\n| Figure | skein |\n\n## Details\n\nmore\n\n![skein benchmarks](results.svg)\n';

describe('the sections of results.md', () => {
  it('appends a section a file does not have yet, after everything else', () => {
    const written = replaceSection(node, BROWSER_HEADING, `${BROWSER_HEADING}\n\nfirst\n`);
    assert.equal(written, `${node}\n${BROWSER_HEADING}\n\nfirst\n`);
    assert.equal(findSection(written, BROWSER_HEADING), `${BROWSER_HEADING}\n\nfirst\n`);
  });

  it('replaces a section, leaving what comes before and after it as it was', () => {
    const before = `# T\n\n${BROWSER_HEADING}\n\nold\n\n## After\n\nkept\n`;
    assert.equal(
      replaceSection(before, BROWSER_HEADING, `${BROWSER_HEADING}\n\nnew\n\n\n`),
      `# T\n\n${BROWSER_HEADING}\n\nnew\n\n## After\n\nkept\n`,
    );
  });

  it('carries a section over into a file rendered anew, as the Node bench does', () => {
    const old = replaceSection(node, BROWSER_HEADING, `${BROWSER_HEADING}\n\nfigures\n`);
    const rendered = node.replace('more', 'other figures');
    const carried = replaceSection(rendered, BROWSER_HEADING, findSection(old, BROWSER_HEADING)!);
    assert.equal(carried, `${rendered}\n${BROWSER_HEADING}\n\nfigures\n`);
    assert.equal(findSection(node, BROWSER_HEADING), undefined);
  });
});
