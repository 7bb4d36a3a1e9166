// Error classes across threads (issue #13, item 6): what a thread or pool
// task throws arrives `instanceof` its class — the built-in ones, skein's
// own, and a user's class registered with registerErrorClass — or, for an
// unregistered class, `instanceof` its nearest built-in base with its name
// kept; fields, cause and stack survive.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BrokenThreadPool,
  CancelledError,
  InvalidStateError,
  NotSupportedError,
  RuntimeError,
  Thread,
  ThreadExitError,
  ThreadPoolExecutor,
  TimeoutError,
  registerErrorClass,
} from 'skein';
import { joinOrFail, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { withHook } from '../helpers/threads.js';
import { constructed, PlainRangeError, QuotaError } from '../fixtures/error-classes.mjs';

checkLeaksAfterEach();

const classes = new URL('../fixtures/error-classes.mjs', import.meta.url);

/** The error a pool task throws, received. */
async function thrownBy<A extends unknown[]>(
  pool: ThreadPoolExecutor,
  fn: (...args: A) => unknown,
  ...args: A
): Promise<unknown> {
  return within(pool.submit(fn, ...(args as never)).exception(), 10_000, 'see the task fail');
}

describe('error classes across threads', () => {
  it('keeps the built-in classes, AggregateError with its errors and DOMException with its name', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const error = (await thrownBy(pool, () => {
      const Suppressed = (globalThis as { SuppressedError?: new (e: unknown, s: unknown, m: string) => Error })
        .SuppressedError;
      throw new AggregateError(
        [
          new Error('e'),
          new TypeError('t'),
          new RangeError('r'),
          new SyntaxError('s'),
          new ReferenceError('ref'),
          new EvalError('ev'),
          new URIError('u'),
          new DOMException('gone', 'NotFoundError'),
          Suppressed === undefined ? null : new Suppressed(new TypeError('inner'), new RangeError('outer'), 'both'),
        ],
        'many',
      );
    })) as AggregateError;
    assert.ok(error instanceof AggregateError);
    assert.equal(error.message, 'many');
    const [plain, type, range, syntax, reference, evalError, uri, dom, suppressed] = error.errors;
    for (const [value, cls, message] of [
      [plain, Error, 'e'],
      [type, TypeError, 't'],
      [range, RangeError, 'r'],
      [syntax, SyntaxError, 's'],
      [reference, ReferenceError, 'ref'],
      [evalError, EvalError, 'ev'],
      [uri, URIError, 'u'],
    ] as const) {
      assert.ok(value instanceof cls, `${cls.name} arrives as itself`);
      assert.equal(value.message, message);
      assert.equal(Object.getPrototypeOf(value), cls.prototype);
    }
    assert.ok(dom instanceof DOMException);
    assert.equal(dom.name, 'NotFoundError');
    assert.equal(dom.code, DOMException.NOT_FOUND_ERR);
    assert.equal(dom.message, 'gone');
    const SuppressedError = (globalThis as { SuppressedError?: new (...args: never[]) => Error }).SuppressedError;
    if (SuppressedError === undefined) assert.equal(suppressed, null);
    else {
      const both = suppressed as Error & { error: unknown; suppressed: unknown };
      assert.ok(both instanceof SuppressedError);
      assert.ok(both.error instanceof TypeError);
      assert.ok(both.suppressed instanceof RangeError);
    }
  });

  it("keeps skein's own classes, with their fields", async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const error = (await thrownBy(pool, () => {
      throw new AggregateError(
        [
          new RuntimeError('r'),
          new TimeoutError('t'),
          new CancelledError('c'),
          new InvalidStateError('i'),
          new BrokenThreadPool('b'),
          new ThreadExitError('x', 'exit', 3),
          new NotSupportedError('n', 'resourceLimits', 'bun'),
        ],
        'skein',
      );
    })) as AggregateError;
    const [runtime, timeout, cancelled, invalid, broken, exit, notSupported] = error.errors;
    for (const [value, cls] of [
      [runtime, RuntimeError],
      [timeout, TimeoutError],
      [cancelled, CancelledError],
      [invalid, InvalidStateError],
      [broken, BrokenThreadPool],
      [exit, ThreadExitError],
      [notSupported, NotSupportedError],
    ] as const) {
      assert.ok(value instanceof cls, `${cls.name} arrives as itself`);
      assert.equal(value.name, cls.name);
    }
    assert.equal((runtime as RuntimeError).code, 'SKEIN_ERR_THREAD_STATE');
    assert.equal((exit as ThreadExitError).reason, 'exit');
    assert.equal((exit as ThreadExitError).exitCode, 3);
    assert.equal((notSupported as NotSupportedError).feature, 'resourceLimits');
  });

  it('keeps the class of errors inside a result and inside an argument', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const result = await within(
      pool.submit(() => ({ made: [new URIError('u'), new TimeoutError('t'), new RuntimeError('r')] })).result(),
      10_000,
      'run the task',
    );
    const { made } = result as { made: unknown[] };
    assert.ok(made[0] instanceof URIError);
    assert.ok(made[1] instanceof TimeoutError);
    assert.ok(made[2] instanceof RuntimeError);
    // A thread's arguments go through the same codec (a pool task's, and a
    // queue's items, are copied as structured clone copies them: see the README).
    const thread = new Thread({
      target: (error: Error) => ({ seen: [error instanceof RuntimeError, error.message], sent: error }),
      args: [new RuntimeError('r')],
    });
    thread.start();
    await joinOrFail(thread);
    const { seen, sent } = thread.result as { seen: unknown[]; sent: unknown };
    assert.deepEqual(seen, [true, 'r'], 'the thread receives a RuntimeError');
    assert.ok(sent instanceof RuntimeError, 'an argument went there and back as itself');
  });

  it('refuses to register what is not a named subclass of Error, or without a module URL', () => {
    assert.throws(() => registerErrorClass(class NotAnError {} as never, import.meta.url), {
      name: 'TypeError',
      message: 'Expected `cls` to be a subclass of Error, got `function NotAnError` (function)',
    });
    assert.throws(() => registerErrorClass(class extends Error {}, import.meta.url), {
      name: 'TypeError',
      message: 'Expected `cls` to be a named class: the class is found on the receiving side by its name',
    });
    assert.throws(() => registerErrorClass(class Named extends Error {}, '' as never), {
      name: 'TypeError',
      message: 'Expected `moduleUrl` to be the URL of the class\'s module (import.meta.url), got `""` (string)',
    });
  });
});

// Last in the file: once a process has used a module target, every standby
// worker of a program under tsx gets tsx ready before its first job
// (src/worker/typescript.ts), ~4 times the CPU of a plain worker's boot on
// Node 20, and the threads and pools of every test after these would pay that.
describe('error classes defined in a module', () => {
  it('keeps an unregistered subclass of a built-in as that built-in, with its name, fields, cause and stack', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const inline = (await thrownBy(pool, function throwsOutOfRange() {
      class OutOfRange extends RangeError {
        override name = 'OutOfRange';
        readonly value = 11;
      }
      throw new OutOfRange('eleven', { cause: new TypeError('because') });
    })) as RangeError & { value: number };
    assert.ok(inline instanceof RangeError);
    assert.equal(inline.name, 'OutOfRange');
    assert.equal(inline.value, 11);
    assert.ok(inline.cause instanceof TypeError);
    // JavaScriptCore (Bun) lists the class's implicit constructor too.
    assert.match(inline.stack ?? '', /^OutOfRange: eleven\n(?:\s+at new OutOfRange .*\n)?\s+at throwsOutOfRange/);
    const fromModule = (await thrownBy(pool, () => {
      throw 0;
    })) as unknown;
    assert.equal(fromModule, 0, 'a thrown non-Error arrives as the value');
    const plain = await within(
      pool.submit({ module: classes, export: 'throwPlain' }).exception(),
      10_000,
      'see the task fail',
    );
    assert.ok(plain instanceof RangeError);
    assert.equal(plain instanceof PlainRangeError, false, 'not registered: its nearest built-in base');
    assert.equal(plain.name, 'PlainRangeError');
    assert.deepEqual((plain as PlainRangeError).detail, { at: 3 });
  });

  it('rebuilds a registered class, without running its constructor, in a pool and in a thread', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const before = constructed.count;
    const error = await within(
      pool.submit({ module: classes, export: 'throwQuota' }, 5).exception(),
      10_000,
      'see the task fail',
    );
    assert.ok(error instanceof QuotaError);
    assert.ok(error instanceof RangeError);
    assert.equal(error.limit, 5);
    assert.equal(error.message, 'over the quota of 5');
    assert.equal(error.describe(), 'QuotaError (limit 5)');
    assert.equal(constructed.count, before, 'the constructor does not run on the receiving side');
    await withHook(async (calls) => {
      const thread = new Thread({ target: { module: classes, export: 'throwQuota' }, args: [7] });
      thread.start();
      await joinOrFail(thread);
      assert.ok(thread.exception instanceof QuotaError);
      assert.equal(calls[0]?.excType, 'QuotaError');
    });
  });
});
