import { receiveMessageOnPort } from 'node:worker_threads';
import { isStopError } from '../errors.js';
import { Event } from '../sync/event.js';
import { ControlBlock, EndReason, ThreadState } from '../thread/control-block.js';
import { defaultExcepthook } from '../thread/excepthook.js';
import type { ThreadJob, ThreadLaunch, ThreadOutcome } from '../thread/protocol.js';
import { adoptThread, isThenable, Thread } from '../thread/thread.js';
import { serializeError, thrownMessage } from '../thread/error-codec.js';
import { exceptionOf } from '../thread/outcome.js';
import { decodeValue, encodeResult, encodeValue } from '../thread/transfer.js';
import { explainMissingName } from './explain.js';
import { inlineSources, loadSubclass, loadTarget, setLoaderHints } from './load-target.js';

/** The thread this worker runs, once its launch has arrived. */
interface Running {
  readonly launch: ThreadLaunch;
  readonly control: ControlBlock;
  self: Thread | undefined;
  /** Its outcome has been sent: nothing may end it again. */
  ending: boolean;
}

let running: Running | undefined;
let handlersInstalled = false;

/**
 * Install the process handlers that end this worker's thread: an uncaught
 * error or rejection fails it, `process.exit()` ends it with that code.
 * Once per worker; a standby worker installs them before its thread comes.
 * Before a thread runs, an uncaught error ends the worker as Node would.
 */
export function installThreadHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', (code) => {
    // The target called process.exit(): this ends just this thread.
    if (running !== undefined && !running.ending) running.control.end(EndReason.exited, code ?? 0);
  });
  const fail = (error: unknown): void => {
    if (running === undefined) throw error;
    failThread(running, error);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
}

/** Run the thread whose owner posted its job into `boot.port` before this worker got it. */
export async function runThreadFrom(boot: Pick<ThreadLaunch, 'control' | 'port'>): Promise<void> {
  const job = receiveMessageOnPort(boot.port)?.message as ThreadJob | undefined;
  if (job === undefined) throw new Error('skein thread worker started without a job');
  await runThread({ ...job, control: boot.control, port: boot.port });
}

/**
 * Run one thread in this worker: load its target, run it as the worker's own
 * Thread object, send its outcome to the owner, end it, and end the worker
 * (dropping whatever the target left scheduled).
 *
 * A `rehearsal` (see {@link rehearseStart}) runs the same code on a made-up
 * thread with no effect: the thread does not become current, is not marked
 * running, sends nothing and ends nothing; an error is thrown to the caller.
 */
export async function runThread(launch: ThreadLaunch, rehearsal = false): Promise<void> {
  installThreadHandlers();
  const thread: Running = { launch, control: ControlBlock.fromBuffer(launch.control), self: undefined, ending: false };
  if (!rehearsal) {
    running = thread;
    setLoaderHints(launch.loaderHints);
  }
  try {
    let target = launch.target === undefined ? undefined : loadTarget(launch.target);
    if (isThenable(target)) target = await target;
    const cls = launch.subclass === undefined ? Thread : await loadSubclass(launch.subclass);
    const [args, fields] = decodeValue([launch.args, launch.fields] as const, launch.hasEvents);
    const self = adoptThread(cls, launch, target, args, !rehearsal);
    if (fields !== undefined) Object.assign(self, fields);
    thread.self = self;
    if (!rehearsal) thread.control.markRunning();
    let value = self.run();
    if (isThenable(value)) value = await value;
    const encoded = encodeResult(value, `the result of thread "${launch.name}"`);
    if ('error' in encoded) throw encoded.error;
    if (!rehearsal) {
      finish(thread, { type: 'result', value: encoded.value, hasEvents: encoded.hasEvents }, EndReason.returned);
    }
  } catch (error) {
    if (rehearsal) throw error;
    failThread(thread, error);
  }
}

/**
 * A made-up job for {@link rehearseStart}: an inline target that takes an
 * Event, as a real thread's does.
 */
export function rehearsalJob(round: number): ThreadJob {
  const encoded = encodeValue([new Event(), 1]);
  return {
    ident: 0,
    name: 'rehearsal',
    daemon: true,
    loaderHints: [],
    ownerControl: undefined,
    // A new source each round (the compiled cache would skip the compiler),
    // naming skein exports (the scope's pattern finds them).
    target: {
      kind: 'inline',
      source: `(event, a) => (event instanceof Event && !event.isSet() ? a + ${round} : [stopEvent, throwIfStopped])`,
      name: 'rehearsal',
      method: false,
      // As a real target's: compiled as the file it was written in.
      origin: { url: 'skein:rehearsal', line: 1, column: 0 },
    },
    subclass: undefined,
    args: encoded.value,
    fields: undefined,
    hasEvents: encoded.hasEvents,
  };
}

function finish(thread: Running, outcome: ThreadOutcome, reason: EndReason): void {
  if (thread.ending) return;
  thread.ending = true;
  const { launch } = thread;
  try {
    launch.port.postMessage(outcome);
  } catch (error) {
    // The result itself cannot be sent back: that becomes the thread's error.
    const why = new TypeError(
      `the result of thread "${launch.name}" cannot be sent back to its owner: ${thrownMessage(error)}`,
    );
    outcome = { type: 'error', error: serializeError(why) };
    launch.port.postMessage(outcome);
    reason = EndReason.raised;
  }
  if (reason === EndReason.raised && outcome.type === 'error' && ownerHasEnded(launch)) {
    // Nobody is left to call the excepthook for this thread: report here,
    // the error as its owner would have received it.
    const excValue = exceptionOf({ error: outcome }, `thread "${launch.name}"`);
    defaultExcepthook({ excType: outcome.error.name, excValue, thread: thread.self });
  }
  thread.control.end(reason);
  process.exit(0);
}

function failThread(thread: Running, error: unknown): void {
  if (isStopError(error)) {
    finish(thread, { type: 'stopped' }, EndReason.stopped);
    return;
  }
  const { launch } = thread;
  const sources = inlineSources(launch.target, launch.subclass);
  finish(
    thread,
    { type: 'error', error: serializeError(explainMissingName(error, sources, `thread "${launch.name}"`)) },
    EndReason.raised,
  );
}

function ownerHasEnded(launch: ThreadLaunch): boolean {
  if (launch.ownerControl === undefined) return false;
  return ControlBlock.fromBuffer(launch.ownerControl).state === ThreadState.ended;
}
