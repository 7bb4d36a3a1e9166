// What every skein worker loads before its thread runs: the static import
// graph of the built worker entry (dist/worker/entry.js). A worker whose
// thread never uses Thread, a pool or a lock must not load the main side
// (the hub, standby workers, Thread) nor the primitives it was not given:
// each module loaded costs every idle thread memory.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const dist = new URL('../../dist/', import.meta.url);

/** Every file `entry` loads through static imports, itself included (dynamic `import()`s are not followed). */
function staticGraph(entry: URL): Map<string, string> {
  const files = new Map<string, string>();
  const pending = [entry];
  for (let url = pending.pop(); url !== undefined; url = pending.pop()) {
    const path = fileURLToPath(url);
    if (files.has(path)) continue;
    const source = readFileSync(url, 'utf8');
    files.set(path, source);
    // `import{…}from"./x.js"` and `import"./x.js"`, as esbuild writes them; not `import("./x.js")`.
    for (const match of source.matchAll(/\bimport\s*(?:[\w${},\s*]*?\bfrom\s*)?"(\.{1,2}\/[^"]+)"/g)) {
      pending.push(new URL(match[1]!, url));
    }
  }
  return files;
}

/** The classes (named by esbuild's keepNames) that the files define. */
function classesIn(files: Map<string, string>): Set<string> {
  const names = new Set<string>();
  for (const source of files.values()) {
    for (const match of source.matchAll(/static\{__name\(this,"(\w+)"\)\}/g)) names.add(match[1]!);
  }
  return names;
}

const mainSide = ['Thread', 'StandbyWorkers', 'ThreadPoolExecutor'];
const loadedOnArrival = ['Lock', 'RLock', 'Semaphore', 'Condition', 'Barrier', 'Queue'];

describe('the worker entry', () => {
  it('loads neither the main side nor the primitives a thread was not given', () => {
    const classes = classesIn(staticGraph(new URL('worker/entry.js', dist)));
    // What every thread has: the job loop's Event (its stop request).
    assert.ok(classes.has('Event'), `the worker entry's graph has no Event: ${[...classes].join(', ')}`);
    for (const name of [...mainSide, ...loadedOnArrival]) {
      assert.ok(!classes.has(name), `the worker entry loads ${name} before its thread runs`);
    }
  });

  it('is checked against classes the package index does load', () => {
    // Else a rename (or a change in how esbuild keeps names) would let the test above pass vacuously.
    const classes = classesIn(staticGraph(new URL('index.js', dist)));
    for (const name of [...mainSide, ...loadedOnArrival]) assert.ok(classes.has(name), `the index has no ${name}`);
  });
});
