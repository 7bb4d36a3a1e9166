// Type tests for the public API, checked by `tsc --noEmit` (`npm run typecheck`,
// part of `npm test`); never executed. Each `@ts-expect-error` is itself a test:
// tsc fails if the line below it stops being an error.
import { expectTypeOf } from 'expect-type';
import {
  type CompletedFuture,
  type DoneAndNotDone,
  FIRST_COMPLETED,
  type Future,
  type FutureState,
  type StopOutcome,
  ThreadPoolExecutor,
  asCompleted,
  wait,
  Event,
  type EventMemory,
  Lock,
  type LockMemory,
  RLock,
  Semaphore,
  BoundedSemaphore,
  type ExceptHook,
  type ExceptHookArgs,
  type ModuleTarget,
  type RuntimeError,
  StopError,
  Thread,
  type ThreadExitError,
  type ThreadOptions,
  activeCount,
  currentThread,
  enumerate,
  getExcepthook,
  mainThread,
  registerErrorClass,
  setExcepthook,
  sleep,
  sleepSync,
  stopEvent,
  throwIfStopped,
} from 'skein';

// ---------------------------------------------------------------------------
// Thread: args are checked against the target's parameters
// ---------------------------------------------------------------------------

function task(event: Event, count: number): string {
  return `${count} ${event.isSet()}`;
}

{
  const thread = new Thread({ target: task, args: [new Event(), 3] });
  expectTypeOf(thread).toEqualTypeOf<Thread<string, [event: Event, count: number]>>();
  // The result is typed from the target's return, and is undefined until the thread ends.
  expectTypeOf(thread.result).toEqualTypeOf<string | undefined>();
  expectTypeOf(thread.exception).toBeUnknown();
}

// @ts-expect-error - a wrong argument type: `'3'` is not a number
new Thread({ target: task, args: [new Event(), '3'] });

// @ts-expect-error - too few arguments
new Thread({ target: task, args: [new Event()] });

// @ts-expect-error - too many arguments
new Thread({ target: task, args: [new Event(), 3, 'extra'] });

// @ts-expect-error - arguments in the wrong order
new Thread({ target: task, args: [3, new Event()] });

// Optional and rest parameters are honoured.
new Thread({ target: (a: number, b?: string) => a + (b ?? ''), args: [1] });
new Thread({ target: (a: number, b?: string) => a + (b ?? ''), args: [1, 'x'] });
new Thread({ target: (...values: number[]) => values.length, args: [1, 2, 3] });
// @ts-expect-error - a rest parameter of numbers takes no string
new Thread({ target: (...values: number[]) => values.length, args: [1, '2'] });

// The target is what infers the types: args never widen them (args is NoInfer).
{
  const thread = new Thread({ target: (n: number) => n * 2, args: [21] });
  expectTypeOf(thread.result).toEqualTypeOf<number | undefined>();
}

// An async target: `result` is what its promise resolves to.
{
  const thread = new Thread({ target: async (n: number) => [n], args: [1] });
  expectTypeOf(thread.result).toEqualTypeOf<number[] | undefined>();
}

// A target with no parameters needs no args.
{
  const thread = new Thread({ target: () => 'done' });
  expectTypeOf(thread.result).toEqualTypeOf<string | undefined>();
}

// Known gap: a target with required parameters and no `args` at all is not a
// type error (args is optional in ThreadOptions); the thread would get undefined.
new Thread({ target: task });

// A module target cannot be checked (its module is loaded in the thread):
// args and result are unknown.
{
  const target: ModuleTarget = { module: new URL('./jobs.js', import.meta.url), export: 'resize' };
  const thread = new Thread({ target, args: ['anything', 1] });
  expectTypeOf(thread.result).toBeUnknown();
  new Thread({ target: { module: '/abs/path/jobs.js' } });
  // @ts-expect-error - `module` is required
  new Thread({ target: { export: 'resize' } });
  // @ts-expect-error - `export` is a string
  new Thread({ target: { module: '/abs/path/jobs.js', export: 1 } });
}

// @ts-expect-error - a target is a function or a module target
new Thread({ target: 'task' });

// @ts-expect-error - args is an array
new Thread({ target: (n: number) => n, args: 1 });

// Other options.
new Thread({ name: 'worker', daemon: true });
new Thread({ name: 123 });
new Thread({ resourceLimits: { maxOldGenerationSizeMb: 64 } });
new Thread();
// @ts-expect-error - daemon is a boolean
new Thread({ daemon: 'yes' });

{
  const options: ThreadOptions<[number], string> = { target: (n: number) => String(n), args: [1] };
  expectTypeOf(new Thread(options).result).toEqualTypeOf<string | undefined>();
}

// A subclass declares its result type as the first type argument.
class Counter extends Thread<number> {
  constructor(public readonly halt: Event) {
    super({ daemon: true });
  }
  override run(): number {
    let n = 0;
    while (!this.halt.wait(10)) n++;
    return n;
  }
}
expectTypeOf(new Counter(new Event()).result).toEqualTypeOf<number | undefined>();
expectTypeOf(new Counter(new Event())).toMatchTypeOf<Thread>();

// Thread methods and properties.
{
  const thread = new Thread({ target: task, args: [new Event(), 1] });
  expectTypeOf(thread.start).toEqualTypeOf<() => void>();
  expectTypeOf(thread.join).parameters.toEqualTypeOf<[timeoutMs?: number]>();
  expectTypeOf(thread.join).returns.toEqualTypeOf<Promise<boolean>>();
  expectTypeOf(thread.joinSync).returns.toEqualTypeOf<boolean>();
  expectTypeOf(thread.isAlive()).toEqualTypeOf<boolean>();
  expectTypeOf(thread.name).toEqualTypeOf<string>();
  expectTypeOf(thread.daemon).toEqualTypeOf<boolean>();
  expectTypeOf(thread.ident).toEqualTypeOf<number | undefined>();
  // @ts-expect-error - a timeout is a number of milliseconds
  void thread.join('1s');
}

// Module-level functions.
expectTypeOf(currentThread()).toEqualTypeOf<Thread>();
expectTypeOf(mainThread()).toEqualTypeOf<Thread>();
expectTypeOf(enumerate()).toEqualTypeOf<Thread[]>();
expectTypeOf(activeCount()).toEqualTypeOf<number>();
expectTypeOf(sleep).toEqualTypeOf<(ms: number) => Promise<void>>();
expectTypeOf(sleepSync).toEqualTypeOf<(ms: number) => void>();
expectTypeOf(stopEvent()).toEqualTypeOf<Event>();
expectTypeOf(throwIfStopped).toEqualTypeOf<() => void>();

// ---------------------------------------------------------------------------
// Event
// ---------------------------------------------------------------------------

{
  const event = new Event();
  expectTypeOf(event.set).toEqualTypeOf<() => void>();
  expectTypeOf(event.clear).toEqualTypeOf<() => void>();
  expectTypeOf(event.isSet()).toEqualTypeOf<boolean>();
  expectTypeOf(event.wait).parameters.toEqualTypeOf<[timeoutMs?: number]>();
  expectTypeOf(event.wait(10)).toEqualTypeOf<boolean>();
  expectTypeOf(event.waitAsync(10)).toEqualTypeOf<Promise<boolean>>();
  expectTypeOf(event.buffer).toEqualTypeOf<SharedArrayBuffer>();
  expectTypeOf(event.byteOffset).toEqualTypeOf<number>();
  expectTypeOf(Event.SIZE).toEqualTypeOf<number>();
  expectTypeOf(Event.fromBuffer(event.buffer)).toEqualTypeOf<Event>();
  expectTypeOf(Event.fromBuffer(event.buffer, 0)).toEqualTypeOf<Event>();
  expectTypeOf<EventMemory>().toEqualTypeOf<{ readonly buffer: SharedArrayBuffer; readonly byteOffset: number }>();

  const lock = new Lock();
  expectTypeOf(lock.acquire).parameters.toEqualTypeOf<[timeoutMs?: number]>();
  expectTypeOf(lock.acquire(10)).toEqualTypeOf<boolean>();
  expectTypeOf(lock.acquireAsync(10)).toEqualTypeOf<Promise<boolean>>();
  expectTypeOf(lock.release).toEqualTypeOf<() => void>();
  expectTypeOf(lock.locked()).toEqualTypeOf<boolean>();
  expectTypeOf(Lock.fromBuffer(lock.buffer, lock.byteOffset)).toEqualTypeOf<Lock>();
  expectTypeOf<LockMemory>().toEqualTypeOf<EventMemory>();
  // @ts-expect-error - a Lock lives in shared memory only
  Lock.fromBuffer(new ArrayBuffer(8));

  const rlock = new RLock();
  expectTypeOf(rlock.acquire(10)).toEqualTypeOf<boolean>();
  expectTypeOf(rlock.acquireAsync()).toEqualTypeOf<Promise<boolean>>();
  expectTypeOf(rlock.release).toEqualTypeOf<() => void>();
  expectTypeOf(RLock.fromBuffer(rlock.buffer)).toEqualTypeOf<RLock>();

  const semaphore = new Semaphore(2);
  expectTypeOf(semaphore.acquire(10)).toEqualTypeOf<boolean>();
  expectTypeOf(semaphore.acquireAsync()).toEqualTypeOf<Promise<boolean>>();
  expectTypeOf(semaphore.release).parameters.toEqualTypeOf<[n?: number]>();
  expectTypeOf(semaphore.value).toEqualTypeOf<number>();
  expectTypeOf(new BoundedSemaphore(2)).toMatchTypeOf<Semaphore>();
  expectTypeOf(Semaphore.fromBuffer(semaphore.buffer)).toEqualTypeOf<Semaphore>();
  // @ts-expect-error - the initial value is a number of permits
  new Semaphore('2');

  // @ts-expect-error - an Event lives in shared memory only
  Event.fromBuffer(new ArrayBuffer(8));
  // @ts-expect-error - a timeout is a number of milliseconds
  event.wait('1s');
  // @ts-expect-error - the flag is read with isSet(), not a property
  event.isSet = true;
  // @ts-expect-error - buffer is read-only
  event.buffer = new SharedArrayBuffer(8);
}

// ---------------------------------------------------------------------------
// Errors and the excepthook
// ---------------------------------------------------------------------------

expectTypeOf(new StopError()).toMatchTypeOf<Error>();
expectTypeOf<StopError['code']>().toEqualTypeOf<'SKEIN_ERR_STOPPED'>();
expectTypeOf<RuntimeError['code']>().toEqualTypeOf<'SKEIN_ERR_THREAD_STATE'>();
expectTypeOf<ThreadExitError['code']>().toEqualTypeOf<'SKEIN_ERR_THREAD_EXIT'>();
expectTypeOf<ThreadExitError['reason']>().toEqualTypeOf<'exit' | 'out-of-memory' | 'terminated' | 'crashed'>();
expectTypeOf<ThreadExitError['exitCode']>().toEqualTypeOf<number | undefined>();

expectTypeOf<ExceptHookArgs>().toEqualTypeOf<{
  readonly excType: string;
  readonly excValue: unknown;
  readonly thread: Thread | undefined;
}>();
expectTypeOf(getExcepthook()).toEqualTypeOf<ExceptHook>();
setExcepthook(({ excType, thread }) => console.error(excType, thread?.name));
setExcepthook(null);
// @ts-expect-error - a hook is a function or null
setExcepthook(undefined);

// ---------------------------------------------------------------------------
// ThreadPoolExecutor, Future, wait, asCompleted
// ---------------------------------------------------------------------------
{
  const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
  const add = (a: number, b: number): number => a + b;
  const future = pool.submit(add, 1, 2);
  expectTypeOf(future).toEqualTypeOf<Future<number>>();
  expectTypeOf(pool.submit(async (s: string) => s.length, 'x')).toEqualTypeOf<Future<number>>();
  // @ts-expect-error - the second argument must be a number
  pool.submit(add, 1, 'two');
  // @ts-expect-error - an argument is missing
  pool.submit(add, 1);
  expectTypeOf(pool.submit<string>({ module: 'file:///jobs.js', export: 'name' })).toEqualTypeOf<Future<string>>();
  expectTypeOf(pool.map((n: number) => String(n), [1, 2])).toEqualTypeOf<AsyncGenerator<string, void, undefined>>();
  // @ts-expect-error - map items must fit the function's parameter
  pool.map((n: number) => n, ['a']);

  // A Future is awaitable as its result, and Future<R> is a Future<unknown>.
  const awaited = async (): Promise<number> => await future;
  expectTypeOf(awaited).returns.resolves.toEqualTypeOf<number>();
  expectTypeOf(future.result()).toEqualTypeOf<Promise<number>>();
  expectTypeOf(future.state).toEqualTypeOf<FutureState>();
  const anyFuture: Future<unknown> = future;
  expectTypeOf(future.stop({ timeout: 10, force: true })).toEqualTypeOf<Promise<StopOutcome>>();

  // wait() keeps the futures' type; asCompleted() yields the futures themselves.
  const both = async (): Promise<DoneAndNotDone<number>> => wait([future], { returnWhen: FIRST_COMPLETED });
  expectTypeOf(both).returns.resolves.toEqualTypeOf<DoneAndNotDone<number>>();
  const first = async () => {
    for await (const done of asCompleted([future])) return done;
    return undefined;
  };
  expectTypeOf(first).returns.resolves.toEqualTypeOf<CompletedFuture<number> | undefined>();
  // @ts-expect-error - returnWhen is one of the three constants
  wait([anyFuture], { returnWhen: 'SOMETIMES' });
}

// ---------------------------------------------------------------------------
// registerErrorClass: subclasses of Error only, with their module's URL
// ---------------------------------------------------------------------------
{
  class QuotaError extends RangeError {
    constructor(readonly limit: number) {
      super(`over ${limit}`);
    }
  }
  registerErrorClass(QuotaError, import.meta.url);
  registerErrorClass(QuotaError, new URL(import.meta.url));
  // @ts-expect-error - not an error class
  registerErrorClass(Map, import.meta.url);
  // @ts-expect-error - the module's URL is required
  registerErrorClass(QuotaError);
}
