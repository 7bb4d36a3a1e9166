// The suite runs beyond the machine's own Node.js (20, the oldest supported):
// `npm run test:runtimes` on Node 22, 24 and 26 (the current release), Bun and
// Deno; CI on all of them but Node 24 (see .ci/run).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runtimes } from '../../scripts/runtimes.js';
import { repoRoot } from '../helpers/repo-root.js';

describe('the runtimes CI tests on', () => {
  it('are Node 22, 24 and 26, Bun and Deno, each pinned to one version', () => {
    assert.deepEqual(
      runtimes.map((runtime) => runtime.name),
      ['node22', 'node24', 'node26', 'bun', 'deno'],
    );
    for (const { name, spec } of runtimes) {
      assert.match(spec, /@\d+\.\d+\.\d+$/, `${name} is pinned to an exact version`);
      const major = /^node(\d+)$/.exec(name)?.[1];
      if (major !== undefined)
        assert.match(spec, new RegExp(`^node-[\\w-]+@${major}\\.`), `${name} installs Node ${major}`);
    }
  });

  it('run in CI (Node 26, the current release, among them), while Node 20 stays supported', () => {
    const ci = readFileSync(`${repoRoot}.ci/run`, 'utf8');
    const line = /^npm run test:runtimes(?: -- (.+))?$/m.exec(ci);
    assert.ok(line, '.ci/run runs npm run test:runtimes');
    const chosen = line[1]?.split(/\s+/) ?? runtimes.map((runtime) => runtime.name);
    for (const name of chosen)
      assert.ok(
        runtimes.some((runtime) => runtime.name === name),
        `${name} is a known runtime`,
      );
    for (const name of ['node26', 'bun', 'deno']) assert.ok(chosen.includes(name), `CI runs the suite on ${name}`);
    const { engines } = JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8')) as { engines: { node: string } };
    assert.equal(engines.node, '>=20');
  });
});
