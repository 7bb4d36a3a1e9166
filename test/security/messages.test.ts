// skein's workers talk over their parentPort (to the hub) and over the
// ports skein made (pool ↔ worker, thread ↔ owner). Code running in a thread
// can post anything on them; whatever skein does not expect must be ignored
// (or refused) without crashing the process, the thread, or the pool.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Event, Thread, ThreadPoolExecutor } from 'skein';
import { checkOutcome } from '../../dist/internal.js';
import { joinOrFail, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { withHook } from '../helpers/threads.js';

checkLeaksAfterEach();

const junk = new URL('../fixtures/junk.mjs', import.meta.url);
const kJunkCount = 24;

/** A thread that runs until `release` is set: the victim the junk names. */
function bystander(release: Event): Thread {
  const thread = new Thread({ target: (release: Event) => release.wait(30_000), args: [release], name: 'bystander' });
  thread.start();
  return thread;
}

describe('unexpected messages', () => {
  it('from a thread to the hub over its parentPort are ignored; no other thread is touched', async () => {
    const release = new Event();
    const victim = bystander(release);
    const sender = new Thread({ target: { module: junk, export: 'postToParent' }, args: [victim.ident!] });
    sender.start();
    await joinOrFail(sender);
    assert.equal(sender.exception, undefined);
    assert.equal(sender.result, kJunkCount);
    // A message round trip later, the hub has seen all of them: the victim still runs.
    const probe = new Thread({ target: () => 'hub still serves' });
    probe.start();
    await joinOrFail(probe);
    assert.equal(probe.result, 'hub still serves');
    assert.equal(victim.isAlive(), true, 'a terminate request from a thread that did not start it is ignored');
    release.set();
    await joinOrFail(victim);
    assert.equal(victim.result, true);
  });

  it('from a pool task to its thread over the parentPort are ignored; the thread and its pool carry on', async () => {
    const release = new Event();
    const victim = bystander(release);
    // The pool lives in a thread, so its workers' messages pass that thread's relay.
    const owner = new Thread({ target: { module: junk, export: 'poolInThread' }, args: [victim.ident!] });
    owner.start();
    await joinOrFail(owner, 30_000);
    assert.equal(owner.exception, undefined);
    assert.deepEqual(owner.result, [kJunkCount, 42]);
    assert.equal(victim.isAlive(), true);
    release.set();
    await joinOrFail(victim);
  });

  it('from a pool task over its own pool port are ignored; the pool carries on', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const posted = await within(
      pool.submit<number>({ module: junk, export: 'postToPool' }, 0).result(),
      10_000,
      'run the task that posts junk',
    );
    assert.equal(posted, kJunkCount);
    const results = await within(
      Promise.all([1, 2, 3].map((n) => pool.submit((n: number) => n + 1, n))),
      10_000,
      'run three more tasks',
    );
    assert.deepEqual(results, [2, 3, 4]);
  });

  it('from a thread into its own outcome port are ignored: its real result or error arrives', async () => {
    await withHook(async (calls) => {
      const release = new Event();
      const victim = bystander(release);
      const returns = new Thread({ target: { module: junk, export: 'postToOwnPort' }, args: [victim.ident!, false] });
      const raises = new Thread({ target: { module: junk, export: 'postToOwnPort' }, args: [victim.ident!, true] });
      returns.start();
      raises.start();
      await joinOrFail(returns);
      await joinOrFail(raises);
      assert.equal(returns.exception, undefined);
      assert.equal(returns.result, 'the real result');
      assert.equal(raises.result, undefined);
      assert.equal((raises.exception as Error).message, 'the real error');
      assert.equal(calls.length, 1, 'only the real error reaches the hook');
      assert.equal(victim.isAlive(), true);
      release.set();
      await joinOrFail(victim);
    });
  });
});

describe('malformed outcomes', () => {
  it('are refused saying why, and messages that are no outcome are told apart (a pool ignores those)', () => {
    for (const junk of [
      null,
      'outcome',
      { type: 'outcome' },
      { type: 'outcome', id: 1 },
      { type: 'done', id: 1, key: 2 },
    ]) {
      assert.equal(checkOutcome(junk), 'not an outcome', `ignored: ${JSON.stringify(junk)}`);
    }
    const outcome = { type: 'outcome', id: 7, key: 3 };
    const malformed = [
      [{ ...outcome, status: 'ok' }, 'its hasEvents is not a boolean'],
      [{ ...outcome, status: 'done', hasEvents: false }, 'its status is not one of ok, error, stopped'],
      [
        {
          ...outcome,
          status: 'error',
          hasEvents: false,
          value: { kind: 'error', name: 'Error', message: 404, props: {} },
        },
        "its error's message is not a string",
      ],
      [{ ...outcome, status: 'error', hasEvents: false, value: null }, 'its error is not an object'],
    ] as const;
    for (const [message, problem] of malformed) assert.equal(checkOutcome(message), problem);
    assert.equal(checkOutcome({ ...outcome, status: 'ok', value: 42, hasEvents: false }), undefined);
  });

  it('accept an error whose causes form a cycle (structured clone keeps it), and refuse one nested past any real one', () => {
    const cyclic: Record<string, unknown> = { kind: 'error', name: 'Error', message: 'loop', props: {} };
    cyclic.cause = cyclic;
    const outcome = { type: 'outcome', id: 7, key: 3, status: 'error', hasEvents: false };
    assert.equal(checkOutcome({ ...outcome, value: cyclic }), undefined);
    let deep: Record<string, unknown> = { kind: 'error', name: 'Error', message: 'bottom', props: {} };
    for (let i = 0; i < 10_000; i++) deep = { kind: 'error', name: 'Error', message: `${i}`, props: {}, cause: deep };
    assert.equal(checkOutcome({ ...outcome, value: deep }), "its error's causes nest too deep");
  });
});
