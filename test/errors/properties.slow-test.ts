// Property: whatever a pool task or a thread throws, rejects with or
// returns — errors with getters that throw, cycles, Proxies, values that
// cannot be cloned — its future settles (its thread ends with a result or
// an exception), the main thread does not crash, and the pool keeps
// working. On a fixed seed, as the short stress properties are.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Thread, ThreadExitError, ThreadPoolExecutor } from 'skein';
import type { Recipe } from '../fixtures/hostile.js';
import { joinOrFail, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { withHook } from '../helpers/threads.js';

checkLeaksAfterEach();

const hostile = new URL('../fixtures/hostile.ts', import.meta.url);
const kSeed = 1313;

// Not `then`: an object whose then() never calls back is a task that never ends, as in plain JavaScript.
const key = fc.constantFrom('a', 'b', 'code', 'constructor', '__proto__');

const recipe: fc.Arbitrary<Recipe> = fc.letrec<{ recipe: Recipe }>((tie) => ({
  recipe: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'recipe' },
    fc.record({
      kind: fc.constant('primitive' as const),
      value: fc.oneof(fc.constant(null), fc.boolean(), fc.double(), fc.string({ maxLength: 6 })),
    }),
    fc.record({
      kind: fc.constant('special' as const),
      value: fc.constantFrom('undefined', 'bigint', 'symbol', 'function', 'weakmap', 'promise', 'date' as const),
    }),
    fc.record({
      kind: fc.constant('array' as const),
      items: fc.array(tie('recipe'), { maxLength: 3 }),
      cycle: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('object' as const),
      entries: fc.array(fc.tuple(key, tie('recipe')), { maxLength: 3 }),
      cycle: fc.boolean(),
      throwingGetter: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('thenable' as const),
      settles: fc.constantFrom('throws', 'rejects', 'resolves' as const),
    }),
    fc.record({
      kind: fc.constant('proxy' as const),
      target: tie('recipe'),
      traps: fc.constantFrom('throw-all', 'throw-get', 'revoked' as const),
    }),
    fc.record({
      kind: fc.constant('error' as const),
      of: fc.constantFrom(
        'Error',
        'TypeError',
        'RangeError',
        'AggregateError',
        'DOMException',
        'subclass',
        'RuntimeError',
        'TimeoutError' as const,
      ),
      message: fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.constant(null)),
      hostile: fc.subarray(['name', 'message', 'stack', 'cause', 'field', 'keys'] as const),
      cycle: fc.boolean(),
      fields: fc.array(fc.tuple(key, tie('recipe')), { maxLength: 2 }),
      cause: fc.option(tie('recipe'), { nil: null }),
    }),
  ),
})).recipe;

const mode = fc.constantFrom('throw', 'return', 'reject' as const);

describe('property: hostile outcomes', () => {
  it('every pool future settles, and the pool keeps working', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
    await fc.assert(
      fc.asyncProperty(recipe, mode, async (drawn, how) => {
        const future = pool.submit({ module: hostile, export: 'act' }, drawn, how);
        const error = await within(future.exception(), 10_000, 'see the future settle');
        assert.equal(future.done(), true);
        // Nothing here exits or kills a worker: an error saying one died is skein's failure.
        assert.ok(!(error instanceof ThreadExitError), `the worker survives: ${String(error)}`);
        assert.equal(await within(pool.submit((n: number) => n + 1, 1).result(), 10_000, 'run the next task'), 2);
      }),
      { numRuns: 80, seed: kSeed },
    );
  });

  it('every thread ends with its result or its exception, reported to the hook once', async () => {
    await withHook(async (calls) => {
      await fc.assert(
        fc.asyncProperty(recipe, mode, async (drawn, how) => {
          const before = calls.length;
          const thread = new Thread({ target: { module: hostile, export: 'act' }, args: [drawn, how] });
          thread.start();
          await joinOrFail(thread);
          assert.equal(thread.isAlive(), false);
          const raised = thread.exception !== undefined;
          assert.ok(
            !(thread.exception instanceof ThreadExitError),
            `the thread ends by itself: ${String(thread.exception)}`,
          );
          if (how !== 'return') assert.ok(raised, 'a thread that threw (or rejected) has an exception');
          assert.equal(calls.length - before, raised ? 1 : 0, 'the hook is called once for an exception');
        }),
        { numRuns: 20, seed: kSeed },
      );
    });
  });
});
