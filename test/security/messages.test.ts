// skein's workers talk over their parentPort (to the hub) and over the
// ports skein made (pool ↔ worker, thread ↔ owner). Code running in a thread
// can post anything on them; whatever skein does not expect must be ignored
// (or refused) without crashing the process, the thread, or the pool.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Event, Thread, ThreadPoolExecutor } from 'skein';
import { checkPoolReport } from '../../dist/internal.js';
import { joinOrFail, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { withHook } from '../helpers/threads.js';

checkLeaksAfterEach();

const junk = new URL('../fixtures/junk.ts', import.meta.url);
const kJunkCount = 21;

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

describe('malformed pool reports', () => {
  it('settle the task they name with an error saying why, and leave messages that are no report ignored', () => {
    for (const junk of [null, 'done', { type: 'done' }, { type: 'done', id: 1 }, { type: 'broken', error: null }]) {
      assert.equal(checkPoolReport(junk), undefined, `ignored: ${JSON.stringify(junk)}`);
    }
    const malformed = [
      [{ type: 'done', id: 7, slot: 3, status: 0 }, '`hasEvents` is not a boolean'],
      [{ type: 'done', id: 7, slot: 3, status: 9, hasEvents: false }, 'its status 9 is unknown'],
      [
        { type: 'done', id: 7, slot: 3, status: 1, hasEvents: false, value: { kind: 'error', message: 404 } },
        'its error is not a serialized error',
      ],
    ] as const;
    for (const [report, problem] of malformed) {
      const checked = checkPoolReport(report) as {
        type: string;
        id: number;
        slot: number;
        status: number;
        value: { message: string };
      };
      assert.equal(checked.type, 'done');
      assert.equal(checked.id, 7);
      assert.equal(checked.slot, 3);
      assert.equal(checked.status, 1, 'an error report on the task');
      assert.equal(checked.value.message, `the report on task 7 was malformed (${problem}), so its outcome is lost`);
    }
    const wellFormed = { type: 'done', id: 7, slot: 3, status: 0, value: 42, hasEvents: false };
    assert.equal(checkPoolReport(wellFormed), wellFormed);
  });
});
