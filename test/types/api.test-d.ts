// Type tests for the public API, checked by `tsc --noEmit` (`npm run typecheck`,
// part of `npm test`); never executed. Each `@ts-expect-error` is itself a test:
// tsc fails if the line below it stops being an error.
import { expectTypeOf } from 'expect-type';
import {
  type CompletedFuture,
  type CompletedFutureOf,
  type DoneAndNotDone,
  FIRST_COMPLETED,
  type Future,
  type FutureState,
  type StopOutcome,
  TaskGroup,
  ThreadPoolExecutor,
  move,
  asCompleted,
  wait,
  Event,
  type EventMemory,
  Lock,
  type LockMemory,
  RLock,
  Semaphore,
  BoundedSemaphore,
  Queue,
  LifoQueue,
  PriorityQueue,
  SimpleQueue,
  type PriorityKey,
  QueueEmpty,
  Condition,
  type ConditionMemory,
  Barrier,
  type BarrierOptions,
  BrokenBarrierError,
  type ExceptHook,
  type ExceptHookArgs,
  type ModuleTarget,
  type TypedModuleTarget,
  moduleTargets,
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

// A target with required parameters needs `args` (the thread would get undefined);
// one whose parameters are all optional, or a rest parameter, does not.
// @ts-expect-error - args is missing (test/types/diagnostics.slow-test.ts checks the message names it)
new Thread({ target: task });
// @ts-expect-error - args is missing, whatever the other options
new Thread({ target: (a: number) => a, name: 'needs-args', daemon: true });
new Thread({ target: (a?: number) => a });
new Thread({ target: (...values: number[]) => values.length });
{
  // Options built apart keep the rule.
  const withArgs: ThreadOptions<[number], string> = { target: (n: number) => String(n), args: [1] };
  new Thread(withArgs);
  // @ts-expect-error - ThreadOptions of a target with a required parameter require args
  const withoutArgs: ThreadOptions<[number], string> = { target: (n: number) => String(n) };
  void withoutArgs;
}

// A plain module target cannot be checked (its module is loaded in the
// thread): args and result are unknown. moduleTargets() types them (below).
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

// Typed module targets: the module's type gives each export's args and result.
{
  const jobs = moduleTargets<typeof import('../fixtures/targets.js')>(
    new URL('../fixtures/targets.js', import.meta.url),
  );
  const shout = jobs('shout');
  expectTypeOf(shout).toEqualTypeOf<TypedModuleTarget<(word: string) => string>>();
  expectTypeOf(shout).toMatchTypeOf<ModuleTarget>();
  const thread = new Thread({ target: shout, args: ['hi'] });
  expectTypeOf(thread).toEqualTypeOf<Thread<string, [word: string]>>();
  expectTypeOf(thread.result).toEqualTypeOf<string | undefined>();
  // The default export, and an async one (the result is what its promise gives).
  expectTypeOf(new Thread({ target: jobs('default') }).result).toEqualTypeOf<string | undefined>();
  const pool = new ThreadPoolExecutor();
  expectTypeOf(pool.submit(jobs('slowDouble'), 2, new Event())).toEqualTypeOf<Future<number>>();
  expectTypeOf(pool.submit(shout, 'hi')).toEqualTypeOf<Future<string>>();
  // @ts-expect-error - shout takes a string
  pool.submit(shout, 2);
  // @ts-expect-error - shout takes one argument
  pool.submit(shout);
  // @ts-expect-error - a typed target does not fall back to the untyped form
  pool.submit<number>(shout, 'hi');
  // @ts-expect-error - shout takes a string
  new Thread({ target: shout, args: [2] });
  // @ts-expect-error - args is missing
  new Thread({ target: shout });
  // @ts-expect-error - not an export of the module
  jobs('nope');
  // @ts-expect-error - an export that is not a function (a class) is no target
  jobs('ShoutingThread');
  // Without the module's type, the targets are plain (untyped) module targets.
  expectTypeOf(moduleTargets('/abs/path/jobs.js')('anything')).toEqualTypeOf<ModuleTarget>();
  // A typed target goes wherever a module target does.
  const targets: ModuleTarget[] = [shout];
  void targets;
}

// A subclass declares its result type as the first type argument; run() must return it.
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

class Miscounter extends Thread<number> {
  // @ts-expect-error - run() of a Thread<number> returns a number
  override run(): string {
    return 'many';
  }
}
void Miscounter;

// Without a type argument, `result` is typed from the subclass's own run().
class Fetcher extends Thread {
  override async run(): Promise<Uint8Array> {
    return new Uint8Array(1);
  }
}
expectTypeOf(new Fetcher().result).toEqualTypeOf<Uint8Array | undefined>();
// And a thread seen as a plain Thread has an unknown result.
expectTypeOf(currentThread().result).toBeUnknown();

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

  const queue = new Queue<{ id: number; name: string }>(8);
  queue.put({ id: 1, name: 'widget' });
  expectTypeOf(queue.get()).toEqualTypeOf<{ id: number; name: string }>();
  expectTypeOf(queue.getAsync(10)).toEqualTypeOf<Promise<{ id: number; name: string }>>();
  expectTypeOf(queue.putAsync({ id: 2, name: 'gadget' })).toEqualTypeOf<Promise<void>>();
  expectTypeOf(queue.join(10)).toEqualTypeOf<boolean>();
  expectTypeOf(queue.joinAsync()).toEqualTypeOf<Promise<boolean>>();
  expectTypeOf(queue.isShutdown).toEqualTypeOf<boolean>();
  expectTypeOf(queue[Symbol.asyncIterator]()).toEqualTypeOf<
    AsyncGenerator<{ id: number; name: string }, void, undefined>
  >();
  expectTypeOf(new LifoQueue<number>()).toMatchTypeOf<Queue<number>>();
  expectTypeOf(Queue.fromBuffer<number>(queue.buffer)).toEqualTypeOf<Queue<number>>();
  const jobs = new PriorityQueue<[number, string]>();
  jobs.put([1, 'first']);
  expectTypeOf(jobs.get()).toEqualTypeOf<[number, string]>();
  expectTypeOf<PriorityKey>().toEqualTypeOf<number | string>();
  const simple = new SimpleQueue<string>();
  simple.put('x');
  expectTypeOf(simple.get()).toEqualTypeOf<string>();
  expectTypeOf(new QueueEmpty()).toMatchTypeOf<Error>();
  // @ts-expect-error - an item of the queue's type
  queue.put('not an object');
  // @ts-expect-error - a PriorityQueue's items are [priority, ...]
  new PriorityQueue<string>();
  // @ts-expect-error - a SimpleQueue has no task tracking
  simple.taskDone();

  const cond = new Condition(lock);
  expectTypeOf(new Condition()).toEqualTypeOf<Condition>();
  expectTypeOf(new Condition(rlock)).toEqualTypeOf<Condition>();
  expectTypeOf(cond.acquire(10)).toEqualTypeOf<boolean>();
  expectTypeOf(cond.acquireAsync()).toEqualTypeOf<Promise<boolean>>();
  expectTypeOf(cond.release).toEqualTypeOf<() => void>();
  expectTypeOf(cond.wait(10)).toEqualTypeOf<boolean>();
  expectTypeOf(cond.waitAsync()).toEqualTypeOf<Promise<boolean>>();
  expectTypeOf(cond.waitFor(() => 42 as const, 10)).toEqualTypeOf<42>();
  expectTypeOf(cond.waitForAsync(() => 'x')).toEqualTypeOf<Promise<string>>();
  expectTypeOf(cond.notify).parameters.toEqualTypeOf<[n?: number]>();
  expectTypeOf(cond.notifyAll).toEqualTypeOf<() => void>();
  expectTypeOf(Condition.fromBuffer(cond.buffer, 0, lock)).toEqualTypeOf<Condition>();
  expectTypeOf<ConditionMemory>().toEqualTypeOf<EventMemory>();
  // @ts-expect-error - a Condition is over a Lock or an RLock, not a Semaphore
  new Condition(semaphore);
  // @ts-expect-error - the predicate is a function
  cond.waitFor(true);

  const barrier = new Barrier(3, { timeout: 1_000 });
  expectTypeOf(barrier.wait(10)).toEqualTypeOf<number>();
  expectTypeOf(barrier.waitAsync()).toEqualTypeOf<Promise<number>>();
  expectTypeOf(barrier.reset).toEqualTypeOf<() => void>();
  expectTypeOf(barrier.abort).toEqualTypeOf<() => void>();
  expectTypeOf(barrier.parties).toEqualTypeOf<number>();
  expectTypeOf(barrier.nWaiting).toEqualTypeOf<number>();
  expectTypeOf(barrier.broken).toEqualTypeOf<boolean>();
  expectTypeOf(Barrier.fromBuffer(barrier.buffer)).toEqualTypeOf<Barrier>();
  expectTypeOf<BarrierOptions>().toEqualTypeOf<{ timeout?: number }>();
  expectTypeOf(new BrokenBarrierError()).toMatchTypeOf<Error & { code: string }>();
  // @ts-expect-error - Python's action is not taken: a function cannot be shared by threads
  new Barrier(3, () => {});
  // @ts-expect-error - parties is a number
  new Barrier('3');

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
  // An async iterable maps as an iterable does, with or without buffersize.
  const lines = async function* () {
    yield 'a';
  };
  expectTypeOf(pool.map((s: string) => s.length, lines(), { buffersize: 4 })).toEqualTypeOf<
    AsyncGenerator<number, void, undefined>
  >();
  // @ts-expect-error - async items must fit the function's parameter too
  pool.map((n: number) => n, lines());
  // @ts-expect-error - buffersize is a number
  pool.map((n: number) => n, [1], { buffersize: '4' });

  // A Future is awaitable as its result, and Future<R> is a Future<unknown>.
  const awaited = async (): Promise<number> => await future;
  expectTypeOf(awaited).returns.resolves.toEqualTypeOf<number>();
  expectTypeOf(future.result()).toEqualTypeOf<Promise<number>>();
  expectTypeOf(future.state).toEqualTypeOf<FutureState>();
  const anyFuture: Future<unknown> = future;
  expectTypeOf(future.stop({ timeout: 10, force: true })).toEqualTypeOf<Promise<StopOutcome>>();

  // wait() keeps the futures' type; asCompleted() yields the futures themselves.
  const both = async (): Promise<DoneAndNotDone<Future<number>>> => wait([future], { returnWhen: FIRST_COMPLETED });
  expectTypeOf(both).returns.resolves.toEqualTypeOf<DoneAndNotDone<Future<number>>>();
  const first = async () => {
    for await (const done of asCompleted([future])) return done;
    return undefined;
  };
  expectTypeOf(first).returns.resolves.toEqualTypeOf<CompletedFuture<number> | undefined>();

  // Futures of different result types: each keeps its own.
  const bytes: Future<Uint8Array> = pool.submit(() => new Uint8Array(2));
  const mixed = async () => wait([future, bytes]);
  expectTypeOf(mixed).returns.resolves.toEqualTypeOf<DoneAndNotDone<Future<number> | Future<Uint8Array>>>();
  const tuple = [future, bytes] as const;
  const fromTuple = async () => (await wait(tuple, { timeout: 10 })).done;
  expectTypeOf(fromTuple).returns.resolves.toEqualTypeOf<Set<Future<number> | Future<Uint8Array>>>();
  const fromSet = async () => (await wait(new Set([future, bytes]))).notDone;
  expectTypeOf(fromSet).returns.resolves.toEqualTypeOf<Set<Future<number> | Future<Uint8Array>>>();
  const eachDone = async () => {
    for await (const done of asCompleted([future, bytes], 1_000)) return done;
    return undefined;
  };
  expectTypeOf(eachDone).returns.resolves.toEqualTypeOf<
    CompletedFuture<number> | CompletedFuture<Uint8Array> | undefined
  >();
  expectTypeOf<CompletedFutureOf<Future<number> | Future<string>>>().toEqualTypeOf<
    CompletedFuture<number> | CompletedFuture<string>
  >();
  // A done future narrows as the future it is: its result keeps its type.
  const settled = async () => {
    for await (const done of asCompleted([future, bytes])) return done.result();
    return undefined;
  };
  expectTypeOf(settled).returns.resolves.toEqualTypeOf<number | Uint8Array | undefined>();
  // @ts-expect-error - wait() takes futures
  wait([future, 1]);
  // @ts-expect-error - returnWhen is one of the three constants
  wait([anyFuture], { returnWhen: 'SOMETIMES' });
}

// ---------------------------------------------------------------------------
// TaskGroup: its members keep the types submit() and new Thread() give them
// ---------------------------------------------------------------------------
{
  const pool = new ThreadPoolExecutor();
  const group = new TaskGroup();
  expectTypeOf(group.submit(pool, (a: number, b: number) => a + b, 1, 2)).toEqualTypeOf<Future<number>>();
  expectTypeOf(group.submit(pool, async (s: string) => [s], 'x')).toEqualTypeOf<Future<string[]>>();
  // @ts-expect-error - the arguments must fit the function
  group.submit(pool, (a: number) => a, 'one');
  // @ts-expect-error - the pool comes first
  group.submit((a: number) => a, 1);
  expectTypeOf(group.submit<string>(pool, { module: 'file:///jobs.js', export: 'name' })).toEqualTypeOf<
    Future<string>
  >();
  expectTypeOf(group.thread({ target: task, args: [new Event(), 3] })).toEqualTypeOf<
    Thread<string, [event: Event, count: number]>
  >();
  // @ts-expect-error - a target with parameters needs its args
  group.thread({ target: task });
  class Job extends Thread<number> {
    override run(): number {
      return 1;
    }
  }
  expectTypeOf(group.start(new Job())).toEqualTypeOf<Job>();
  // @ts-expect-error - start() takes a Thread
  group.start({ target: task });
  expectTypeOf(group.subgroup()).toEqualTypeOf<TaskGroup>();
  expectTypeOf(group.wait()).toEqualTypeOf<Promise<unknown[]>>();
  expectTypeOf(group.stop({ timeout: 1_000, force: true })).toEqualTypeOf<Promise<StopOutcome>>();
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

// move(): the value itself, typed as given; only what can be moved.
expectTypeOf(move(new Uint8Array(8))).toEqualTypeOf<Uint8Array<ArrayBuffer>>();
expectTypeOf(move(new ArrayBuffer(8))).toEqualTypeOf<ArrayBuffer>();
expectTypeOf(move(new DataView(new ArrayBuffer(8)))).toEqualTypeOf<DataView<ArrayBuffer>>();
expectTypeOf(new ThreadPoolExecutor().submit((b: Float64Array) => b.length, move(new Float64Array(2)))).toEqualTypeOf<
  Future<number>
>();
// @ts-expect-error - a plain object cannot be moved
move({ bytes: new Uint8Array(8) });
// @ts-expect-error - nor a number
move(42);
