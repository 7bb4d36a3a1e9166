// The names an inline target sees: the public exports of skein its source
// mentions (as whole names, not as properties or parts of longer names).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as skein from 'skein';
// The scope the worker compiles an inline target in, from the source (its
// own copy of skein's modules: its exports are compared with that copy's;
// under tsx, since it loads the rest of them with a relative import()).
// Not through dist/internal.js: a worker module that the tests' entry also
// imports is a chunk of its own in the build, and each module a worker
// loads costs every idle thread memory (see scripts/build.ts).
import * as api from '../../src/api.js';
import { exportNames, scopeFor } from '../../src/worker/scope.js';

describe('inline target scope', () => {
  // First: the tests after it load all of the exports, as a source naming any other does.
  it('is ready at once for a source that names only Event and the stop request’s functions', () => {
    const scope = scopeFor(['(event) => event instanceof Event && (throwIfStopped(), stopEvent(), stopSignal())']);
    assert.ok(!(scope instanceof Promise), 'nothing to load');
    assert.deepEqual(Object.keys(scope).sort(), ['Event', '__name', 'stopEvent', 'stopSignal', 'throwIfStopped']);
    for (const name of ['Event', 'stopEvent', 'stopSignal', 'throwIfStopped'])
      assert.equal(scope[name], (api as Record<string, unknown>)[name], name);
  });

  it('knows every export of skein by name', () => {
    assert.deepEqual([...exportNames].sort(), Object.keys(skein).sort());
  });

  it('holds only the exports a source names, and the __name helper', async () => {
    const scope = await scopeFor([
      '(event) => { sleepSync(1); return stopEvent().isSet() || event.Thread || $Event; }',
    ]);
    assert.deepEqual(Object.keys(scope).sort(), ['__name', 'sleepSync', 'stopEvent']);
    assert.equal(scope.sleepSync, api.sleepSync);
    assert.equal(scope.stopEvent, api.stopEvent);
  });

  it('can hold every export of skein, each the one its API exports', async () => {
    const scope = await scopeFor([exportNames.map((name) => `${name};`).join('\n')]);
    for (const name of exportNames) assert.equal(scope[name], (api as Record<string, unknown>)[name], name);
  });

  it('is ready at once for a source that names no export', () => {
    const scope = scopeFor(['(a, b) => a.wait(b)']);
    assert.ok(!(scope instanceof Promise));
    assert.deepEqual(Object.keys(scope), ['__name']);
  });
});
