// The names an inline target sees: every public export of skein, each
// loaded from the module that defines it, and only when the source names it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as skein from 'skein';
// Internal: the table the worker uses to load only what a target mentions.
import { exportModules, scopeFor } from '../../dist/worker/scope.js';

describe('inline target scope', () => {
  it('lists every export of skein, each from a module that exports it', async () => {
    assert.deepEqual(Object.keys(exportModules).sort(), Object.keys(skein).sort());
    for (const [name, path] of Object.entries(exportModules)) {
      const module = (await import(new URL(path, new URL('../../dist/worker/', import.meta.url)).href)) as Record<
        string,
        unknown
      >;
      assert.equal(module[name], (skein as Record<string, unknown>)[name], `${name} from ${path}`);
    }
  });

  it('holds only the exports a source names, and the __name helper', async () => {
    const scope = await scopeFor(['(event) => { sleepSync(1); return stopEvent().isSet() || event.Thread; }']);
    assert.deepEqual(Object.keys(scope).sort(), ['__name', 'sleepSync', 'stopEvent']);
    assert.equal(scope.sleepSync, skein.sleepSync);
  });
});
