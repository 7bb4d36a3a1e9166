// Property: random sequences of calls on a Future built directly (no pool,
// as CPython's tests build them) never reach an invalid state. A model of
// Python's state machine runs alongside: after every call the future's
// state, its predicates, the call's return value or error, and the done
// callbacks called so far (each once, in order, only once done — including
// callbacks that throw or call back into the future) must match it; what
// result(), exception(), stop() and `await` promised must match the end.
import fc from 'fast-check';
import { CancelledError, Future, InvalidStateError, TimeoutError, type FutureState } from 'skein';

/** The calls a sequence is made of. */
type Call =
  | { call: 'cancel' }
  | { call: 'setRunningOrNotifyCancel' }
  | { call: 'setResult'; value: number }
  | { call: 'setException'; message: string }
  | { call: 'addDoneCallback'; kind: CallbackKind }
  | { call: 'result' }
  | { call: 'exception' }
  | { call: 'await' }
  | { call: 'stop' };

/** What a done callback does besides being counted. */
type CallbackKind = 'plain' | 'throws' | 'setResult' | 'cancel' | 'addDoneCallback';

export const callArbitrary: fc.Arbitrary<Call> = fc.oneof(
  fc.constant<Call>({ call: 'cancel' }),
  fc.constant<Call>({ call: 'setRunningOrNotifyCancel' }),
  fc.integer({ min: -5, max: 5 }).map<Call>((value) => ({ call: 'setResult', value })),
  fc.string({ maxLength: 4 }).map<Call>((message) => ({ call: 'setException', message })),
  fc
    .constantFrom<CallbackKind>('plain', 'throws', 'setResult', 'cancel', 'addDoneCallback')
    .map<Call>((kind) => ({ call: 'addDoneCallback', kind })),
  fc.constantFrom<Call>({ call: 'result' }, { call: 'exception' }, { call: 'await' }, { call: 'stop' }),
);

const allowed: Record<FutureState, FutureState[]> = {
  pending: ['pending', 'running', 'cancelled', 'finished'],
  running: ['running', 'finished'],
  cancelled: ['cancelled'],
  finished: ['finished'],
};

const isDone = (state: FutureState): boolean => state === 'cancelled' || state === 'finished';

/** A promise's outcome, once settled. */
type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };
const settle = (promise: PromiseLike<unknown>): Promise<Settled> =>
  Promise.resolve(promise).then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );

/**
 * Run `calls` on a fresh future against the model; returns every
 * disagreement found (empty when the future behaved).
 */
export async function checkFutureSequence(calls: Call[]): Promise<string[]> {
  const future = new Future<number>();
  const problems: string[] = [];
  // The model.
  let state: FutureState = 'pending';
  let outcome: { value?: number; error?: Error } = {};
  const queued: number[] = [];
  const expectedCalls: number[] = [];
  const kinds = new Map<number, CallbackKind>();
  // What happened.
  const actualCalls: number[] = [];
  let thrown = 0;
  let expectedThrown = 0;
  const later: { step: number; call: Call['call']; wasDone: boolean; promise: Promise<Settled> }[] = [];

  const expectCall = (id: number): void => {
    expectedCalls.push(id);
    const kind = kinds.get(id);
    if (kind === 'throws') expectedThrown++;
    // A callback that adds one to the done future sees it called at once.
    if (kind === 'addDoneCallback') expectedCalls.push(id + 10_000);
  };
  const becomeDone = (next: FutureState): void => {
    state = next;
    for (const id of queued.splice(0)) expectCall(id);
  };
  const callback = (id: number, kind: CallbackKind) => (f: Future<number>) => {
    actualCalls.push(id);
    if (f !== future) problems.push(`callback ${id} called with another future`);
    if (!f.done()) problems.push(`callback ${id} called before the future was done (${f.state})`);
    if (kind === 'throws') throw new Error(`callback ${id} throws`);
    if (kind === 'setResult') {
      try {
        f.setResult(99);
        problems.push(`setResult inside callback ${id} did not throw`);
      } catch (error) {
        if (!(error instanceof InvalidStateError))
          problems.push(`setResult inside callback ${id} threw ${String(error)}`);
      }
    }
    if (kind === 'cancel' && f.cancel() !== f.cancelled())
      problems.push(`cancel() inside callback ${id} disagreed with cancelled()`);
    if (kind === 'addDoneCallback') f.addDoneCallback(() => void actualCalls.push(id + 10_000));
  };

  const original = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    if (String(chunk).startsWith('exception calling callback for <Future')) thrown++;
    return true;
  }) as typeof process.stderr.write;
  try {
    calls.forEach((call, step) => {
      const before = state;
      const where = `step ${step} (${call.call}) from ${before}`;
      const expectThrow = (fn: () => unknown, shouldThrow: boolean): unknown => {
        try {
          const value = fn();
          if (shouldThrow) problems.push(`${where}: expected InvalidStateError`);
          return value;
        } catch (error) {
          if (!shouldThrow || !(error instanceof InvalidStateError)) problems.push(`${where}: threw ${String(error)}`);
          return undefined;
        }
      };
      switch (call.call) {
        case 'cancel': {
          const expected = state === 'pending' || state === 'cancelled';
          if (state === 'pending') becomeDone('cancelled');
          if (future.cancel() !== expected) problems.push(`${where}: cancel() did not return ${expected}`);
          break;
        }
        case 'setRunningOrNotifyCancel': {
          const returned = expectThrow(
            () => future.setRunningOrNotifyCancel(),
            state === 'running' || state === 'finished',
          );
          if (state === 'pending' || state === 'cancelled') {
            if (returned !== (state === 'pending')) problems.push(`${where}: returned ${String(returned)}`);
          }
          if (state === 'pending') state = 'running';
          break;
        }
        case 'setResult':
        case 'setException': {
          const done = isDone(state);
          if (!done) {
            outcome = call.call === 'setResult' ? { value: call.value } : { error: new Error(call.message) };
            becomeDone('finished');
          }
          expectThrow(
            () => (call.call === 'setResult' ? future.setResult(call.value) : future.setException(outcome.error)),
            done,
          );
          break;
        }
        case 'addDoneCallback': {
          const id = step;
          kinds.set(id, call.kind);
          if (isDone(state)) expectCall(id);
          else queued.push(id);
          future.addDoneCallback(callback(id, call.kind));
          break;
        }
        case 'result':
          later.push({ step, call: call.call, wasDone: isDone(state), promise: settle(future.result(0)) });
          break;
        case 'exception':
          later.push({ step, call: call.call, wasDone: isDone(state), promise: settle(future.exception(0)) });
          break;
        case 'await':
          // Only awaited at the end if the future is done by then.
          later.push({ step, call: call.call, wasDone: isDone(state), promise: settle(future) });
          break;
        case 'stop': {
          const wasDone = isDone(state);
          if (state === 'pending') becomeDone('cancelled');
          later.push({ step, call: call.call, wasDone, promise: settle(future.stop({ timeout: 0 })) });
          break;
        }
      }
      if (!allowed[before].includes(state)) problems.push(`${where}: the model itself moved to ${state}`);
      const actual = future.state;
      if (actual !== state) problems.push(`${where}: state ${actual}, expected ${state}`);
      if (future.done() !== isDone(state)) problems.push(`${where}: done() is ${future.done()} in state ${state}`);
      if (future.cancelled() !== (state === 'cancelled'))
        problems.push(`${where}: cancelled() is ${future.cancelled()}`);
      if (future.running() !== (state === 'running')) problems.push(`${where}: running() is ${future.running()}`);
      if (actualCalls.join() !== expectedCalls.join()) {
        problems.push(`${where}: callbacks called [${actualCalls.join()}], expected [${expectedCalls.join()}]`);
      }
    });
  } finally {
    process.stderr.write = original;
  }
  if (thrown !== expectedThrown) problems.push(`${thrown} callback errors reported, expected ${expectedThrown}`);

  // What the promises settled with, against the final state.
  for (const { step, call, wasDone, promise } of later) {
    if (call === 'await' && !isDone(state)) continue; // pending forever, as it should be
    const got = await promise;
    const where = `step ${step} (${call}) with the future ${state}`;
    if (call === 'stop') {
      const expected = wasDone || isDone(state) ? 'stopped' : 'alive';
      if (!got.ok || got.value !== expected)
        problems.push(`${where}: stop() gave ${got.ok ? String(got.value) : String(got.error)}, expected ${expected}`);
      continue;
    }
    if (state === 'pending' || state === 'running') {
      if (got.ok || !(got.error instanceof TimeoutError)) problems.push(`${where}: expected TimeoutError`);
    } else if (state === 'cancelled') {
      if (got.ok || !(got.error instanceof CancelledError)) problems.push(`${where}: expected CancelledError`);
    } else if (outcome.error !== undefined) {
      const expected = call === 'exception' ? { ok: true, value: outcome.error } : { ok: false, error: outcome.error };
      if (
        got.ok !== expected.ok ||
        (got.ok ? got.value : got.error) !== (expected.ok ? expected.value : expected.error)
      ) {
        problems.push(`${where}: expected the task's error`);
      }
    } else {
      const expected = call === 'exception' ? undefined : outcome.value;
      if (!got.ok || got.value !== expected)
        problems.push(`${where}: gave ${got.ok ? String(got.value) : String(got.error)}, expected ${expected}`);
    }
  }
  return problems;
}

/** What {@link checkFutureTransitions} ran. */
export interface FuturePropertyReport {
  sequences: number;
  calls: number;
  seed: number;
}

/** Check the Future property over `numRuns` random sequences of up to 12 calls. */
export async function checkFutureTransitions(numRuns: number, seed: number): Promise<FuturePropertyReport> {
  let sequences = 0;
  let total = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(callArbitrary, { minLength: 1, maxLength: 12 }), async (calls) => {
      sequences++;
      total += calls.length;
      const problems = await checkFutureSequence(calls);
      if (problems.length > 0) throw new Error(problems.join('\n'));
    }),
    { numRuns, seed },
  );
  return { sequences, calls: total, seed };
}
