// The names an inline target sees: the public exports of skein its source
// mentions (as whole names, not as properties or parts of longer names).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as skein from 'skein';
// Internal: the scope the worker compiles an inline target in.
import { exportNames, scopeFor } from '../../dist/internal.js';

describe('inline target scope', () => {
  // First: the tests after it load all of the exports, as a source naming any other does.
  it('is ready at once for a source that names only Event and the stop request’s functions', () => {
    const scope = scopeFor(['(event) => event instanceof Event && (throwIfStopped(), stopEvent(), stopSignal())']);
    assert.ok(!(scope instanceof Promise), 'nothing to load');
    assert.deepEqual(Object.keys(scope).sort(), ['Event', '__name', 'stopEvent', 'stopSignal', 'throwIfStopped']);
    for (const name of ['Event', 'stopEvent', 'stopSignal', 'throwIfStopped'])
      assert.equal(scope[name], (skein as Record<string, unknown>)[name], name);
  });

  it('knows every export of skein by name', () => {
    assert.deepEqual([...exportNames].sort(), Object.keys(skein).sort());
  });

  it('holds only the exports a source names, and the __name helper', async () => {
    const scope = await scopeFor([
      '(event) => { sleepSync(1); return stopEvent().isSet() || event.Thread || $Event; }',
    ]);
    assert.deepEqual(Object.keys(scope).sort(), ['__name', 'sleepSync', 'stopEvent']);
    assert.equal(scope.sleepSync, skein.sleepSync);
    assert.equal(scope.stopEvent, skein.stopEvent);
  });

  it('can hold every export of skein, each the one the package exports', async () => {
    const scope = await scopeFor([exportNames.map((name) => `${name};`).join('\n')]);
    for (const name of exportNames) assert.equal(scope[name], (skein as Record<string, unknown>)[name], name);
  });

  it('is ready at once for a source that names no export', () => {
    const scope = scopeFor(['(a, b) => a.wait(b)']);
    assert.ok(!(scope instanceof Promise));
    assert.deepEqual(Object.keys(scope), ['__name']);
  });
});
