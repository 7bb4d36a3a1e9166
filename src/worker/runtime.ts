import { isStopError } from '../errors.js';
import { ControlBlock, EndReason, ThreadState } from '../thread/control-block.js';
import { defaultExcepthook } from '../thread/excepthook.js';
import type { ThreadLaunch, ThreadOutcome } from '../thread/protocol.js';
import { adoptThread, isThenable, Thread } from '../thread/thread.js';
import { decodeValue, encodeValue, serializeError } from '../thread/transfer.js';
import { explainMissingName } from './explain.js';
import { inlineSources, loadSubclass, loadTarget, setLoaderHints } from './load-target.js';

/**
 * Run one thread in this worker: load its target, run it as the worker's own
 * Thread object, send its outcome to the owner, end it, and end the worker
 * (dropping whatever the target left scheduled).
 */
export async function runThread(launch: ThreadLaunch): Promise<void> {
  const control = ControlBlock.fromBuffer(launch.control);
  setLoaderHints(launch.loaderHints);
  let ending = false;
  let self: Thread | undefined;

  process.on('exit', (code) => {
    // The target called process.exit(): this ends just this thread.
    if (!ending) control.end(EndReason.exited, code ?? 0);
  });

  const finish = (outcome: ThreadOutcome, reason: EndReason): void => {
    if (ending) return;
    ending = true;
    try {
      launch.port.postMessage(outcome);
    } catch (error) {
      // The result itself cannot be sent back: that becomes the thread's error.
      const why = new TypeError(
        `the result of thread "${launch.name}" cannot be sent back to its owner: ${(error as Error).message}`,
      );
      launch.port.postMessage({ type: 'error', error: serializeError(why) } satisfies ThreadOutcome);
      reason = EndReason.raised;
    }
    if (reason === EndReason.raised && outcome.type === 'error' && ownerHasEnded(launch)) {
      // Nobody is left to call the excepthook for this thread: report here.
      defaultExcepthook({ excType: outcome.error.name, excValue: { stack: outcome.error.stack }, thread: self });
    }
    control.end(reason);
    process.exit(0);
  };

  const fail = (error: unknown): void => {
    if (isStopError(error)) finish({ type: 'stopped' }, EndReason.stopped);
    else {
      const sources = inlineSources(launch.target, launch.subclass);
      finish(
        { type: 'error', error: serializeError(explainMissingName(error, sources, `thread "${launch.name}"`)) },
        EndReason.raised,
      );
    }
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);

  try {
    const target = launch.target === undefined ? undefined : await loadTarget(launch.target);
    const cls = launch.subclass === undefined ? Thread : await loadSubclass(launch.subclass);
    const [args, fields] = decodeValue([launch.args, launch.fields] as const, launch.hasEvents);
    self = adoptThread(cls, launch, target, args);
    if (fields !== undefined) Object.assign(self, fields);
    control.markRunning();
    let value = self.run();
    if (isThenable(value)) value = await value;
    const encoded = encodeValue(value);
    finish({ type: 'result', value: encoded.value, hasEvents: encoded.hasEvents }, EndReason.returned);
  } catch (error) {
    fail(error);
  }
}

function ownerHasEnded(launch: ThreadLaunch): boolean {
  if (launch.ownerControl === undefined) return false;
  return ControlBlock.fromBuffer(launch.ownerControl).state === ThreadState.ended;
}
