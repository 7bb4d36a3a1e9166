// What every skein worker loads before its thread runs: the static import
// graph of the built worker entry (dist/worker/entry.js). A worker whose
// thread never uses Thread, a pool or a lock must not load the main side
// (the hub, standby workers, Thread) nor the primitives it was not given:
// each module loaded costs every idle thread memory.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
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

/** The functions (named by esbuild's keepNames) that the files define. */
function functionsIn(files: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const source of files) {
    for (const match of source.matchAll(/__name\(\w+,"(\w+)"\)/g)) names.add(match[1]!);
  }
  return names;
}

/** Every JavaScript file of the Node build (dist/, not dist/browser/), by path. */
function allOfDist(): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
    if (!name.endsWith('.js') || name.startsWith('browser')) continue;
    const url = new URL(name, dist);
    files.set(fileURLToPath(url), readFileSync(url, 'utf8'));
  }
  return files;
}

const mainSide = ['Thread', 'StandbyWorkers', 'ThreadPoolExecutor'];
/**
 * Loaded on first need, by a function of each: the relay client (src/relay/relay.ts),
 * on a thread's first queue or relayed value; the code that registers a TypeScript
 * loader (src/worker/typescript.ts), for a `.ts` module or under tsx.
 */
const loadedOnNeed = ['deposit', 'withdraw', 'sendSpill', 'prepareTypeScript', 'landTypeScriptCache', 'findTsxEsmApi'];
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

  it('loads neither the relay client nor the TypeScript loader before they are needed', () => {
    const functions = functionsIn(staticGraph(new URL('worker/entry.js', dist)).values());
    for (const name of loadedOnNeed) {
      assert.ok(!functions.has(name), `the worker entry loads ${name} before its thread needs it`);
    }
  });

  it('is as few files as it was: each module a worker loads costs every idle thread ~80 KiB', () => {
    // A module of skein is a file of its own in the build (a chunk) when the
    // entries and dynamic imports that reach it differ from every other
    // module's: importing a worker module from src/internal.ts, or from the
    // main side only, makes one more. 7 since the scope's module left
    // src/internal.ts (each of the 7 measured ~0.09 MiB of an idle thread's 9).
    const files = [...staticGraph(new URL('worker/entry.js', dist)).keys()];
    assert.ok(files.length <= 7, `the worker entry loads ${files.length} files:\n${files.join('\n')}`);
  });

  it('is checked against classes the package index does load', () => {
    // Else a rename (or a change in how esbuild keeps names) would let the test above pass vacuously.
    const classes = classesIn(staticGraph(new URL('index.js', dist)));
    for (const name of [...mainSide, ...loadedOnArrival]) assert.ok(classes.has(name), `the index has no ${name}`);
  });

  it('is checked against functions the build does define', () => {
    const functions = functionsIn(allOfDist().values());
    for (const name of loadedOnNeed) assert.ok(functions.has(name), `dist/ defines no function ${name}`);
  });
});
