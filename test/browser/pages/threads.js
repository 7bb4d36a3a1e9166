// Threads on module Web Workers: inline and module targets with args and a result, errors that keep their
// class, a stop noticed by a busy synchronous loop, a forced stop, stop requests from AbortSignals, the
// thread's console lines in order, and what only Node can do refused.
import {
  Event,
  NotSupportedError,
  setStandbyThreads,
  stopOnSignals,
  Thread,
  ThreadExitError,
  currentThread,
} from 'skein';
import { kBound, refusal, waitFor } from './common.js';
import { ParseError } from './targets.js';

const targets = new URL('./targets.js', import.meta.url);

/** Start `thread`, join it (bounded), and resolve with it. */
async function run(thread) {
  thread.start();
  if (!(await thread.join(kBound))) throw new Error(`${thread.name} did not end in ${kBound} ms`);
  return thread;
}

const describe = (error) => ({
  name: error?.name,
  message: error?.message,
  className: error?.constructor?.name,
  reason: error?.reason,
});

const inline = await run(new Thread({ target: (a, b) => a + b, args: [2, 3], name: 'adder' }));
const module = await run(new Thread({ target: { module: targets, export: 'whoAmI' }, args: [1, 'two'], name: 'who' }));
const rangeError = await run(
  new Thread({
    target: () => {
      throw new RangeError('too far');
    },
  }),
);
const parseError = await run(new Thread({ target: { module: targets, export: 'failToParse' } }));

// A busy synchronous loop notices thread.stop() through its stopEvent().
const started = new Event();
const spinner = new Thread({ target: { module: targets, export: 'spinUntilStopped' }, args: [started] });
spinner.start();
await waitFor(started, 'the spinning thread starting');
const spinnerStop = await spinner.stop({ timeout: kBound });

// throwIfStopped() ends the thread as stopped: no result, no exception.
const throwing = new Event();
const thrower = new Thread({ target: { module: targets, export: 'spinAndThrow' }, args: [throwing] });
thrower.start();
await waitFor(throwing, 'the throwing thread starting');
const throwerStop = await thrower.stop({ timeout: kBound });

// A loop that never looks is ended by force: its worker is terminated.
const deafRunning = new Event();
const deaf = new Thread({
  target: (running) => {
    running.set();
    for (;;);
  },
  args: [deafRunning],
  name: 'deaf',
});
deaf.start();
await waitFor(deafRunning, 'the deaf thread starting');
const deafStop = await deaf.stop({ timeout: 0, force: true });

// An AbortSignal requests a thread's stop; an Event made from one is set when it aborts; toSignal() aborts.
const controller = new AbortController();
const fromSignal = Event.fromSignal(controller.signal);
const done = new Event();
const signalled = new Thread({
  target: (aborted, finished) => {
    const seen = aborted.wait(20_000);
    finished.set();
    return seen;
  },
  args: [fromSignal, done],
});
signalled.start();
const doneSignal = done.toSignal();
controller.abort();
await run(signalled).catch(() => undefined);
const watched = new AbortController();
const signalRunning = new Event();
const stoppedBySignal = new Thread({
  target: (running) => {
    running.set();
    while (!stopEvent().isSet());
    return 'stopped by its signal';
  },
  args: [signalRunning],
  signal: watched.signal,
});
stoppedBySignal.start();
await waitFor(signalRunning, 'the thread with a signal starting');
watched.abort();
await stoppedBySignal.join(kBound);

// Lines a thread writes reach the page's console in order, before its join resolves.
await run(
  new Thread({
    target: () => {
      for (let i = 1; i <= 3; i++) console.log(`thread line ${i}`);
      console.error('thread error line');
    },
  }),
);
console.log('page line after join');

// As JSON: no `undefined` fields (the browsers' drivers pass those on differently).
finish(
  JSON.parse(
    JSON.stringify({
      inline: inline.result,
      module: module.result,
      rangeError: { ...describe(rangeError.exception), isRangeError: rangeError.exception instanceof RangeError },
      parseError: {
        ...describe(parseError.exception),
        isParseError: parseError.exception instanceof ParseError,
        line: parseError.exception?.line,
      },
      spinner: { outcome: spinnerStop, result: spinner.result, exception: spinner.exception },
      thrower: { outcome: throwerStop, result: thrower.result, exception: thrower.exception },
      deaf: {
        outcome: deafStop,
        alive: deaf.isAlive(),
        ...describe(deaf.exception),
        isExitError: deaf.exception instanceof ThreadExitError,
      },
      fromSignal: { result: signalled.result, doneSignalAborted: doneSignal.aborted },
      stoppedBySignal: stoppedBySignal.result,
      current: currentThread().name,
      refused: {
        resourceLimits: refusal(() => new Thread({ target: () => 1, resourceLimits: { maxOldGenerationSizeMb: 64 } })),
        joinSync: refusal(() => inline.joinSync()),
        stopOnSignals: refusal(() => stopOnSignals()),
        setStandbyThreads: refusal(() => setStandbyThreads(2)),
        isNotSupported: (() => {
          try {
            stopOnSignals();
          } catch (error) {
            return error instanceof NotSupportedError;
          }
        })(),
      },
    }),
  ),
);
