import { isStopError } from '../errors.js';
import { ControlBlock, EndReason, ThreadState } from '../thread/control-block.js';
import { defaultExcepthook } from '../thread/excepthook.js';
import type { ThreadLaunch, ThreadOutcome } from '../thread/protocol.js';
import { adoptThread, isThenable, Thread } from '../thread/thread.js';
import { decodeValue, encodeValue, serializeError } from '../thread/transfer.js';
import { inlineSources, loadSubclass, loadTarget, setLoaderHints } from './load-target.js';

const compilerHelpers = /^(?:__awaiter|__generator|__extends|__assign|__rest|__decorate|__param|__metadata|__values|__read|__spread\w*|__await|__asyncGenerator|__asyncValues|__classPrivateField\w*|__publicField|__privateGet|__privateSet|__privateAdd|__require|__toESM|__commonJS|_asyncToGenerator|_classCallCheck|_defineProperty|_createClass|_inherits|_regeneratorRuntime|_objectSpread\d*)$/;

/**
 * A ReferenceError for a name that appears in an inline target's source is
 * almost always a variable of the scope the target was written in, which
 * does not travel with its source. Say so, and what to do instead.
 */
function explainMissingName(error: unknown, launch: ThreadLaunch): unknown {
  if (!(error instanceof ReferenceError)) return error;
  const name = /^(\S+) is not defined$/.exec(error.message)?.[1];
  if (name === undefined) return error;
  const escaped = name.replace(/[$]/g, '\\$&');
  const used = new RegExp(`(?:^|[^\\w$.])${escaped}(?:[^\\w$]|$)`);
  if (!inlineSources(launch.target, launch.subclass).some((source) => used.test(source))) return error;
  const original = `${error.name}: ${error.message}`;
  error.message = compilerHelpers.test(name)
    ? `\`${name}\` is not defined in thread "${launch.name}": it is a helper your compiler inserted into the ` +
      "target's source, and an inline target is sent to the thread as source alone. Compile for ES2022 or later " +
      '(tsconfig "target"), or use a module target { module: import.meta.url, export: "name" }'
    : `\`${name}\` is not defined in thread "${launch.name}": an inline target is sent to the thread as source code, ` +
      `so it cannot see variables of the scope it was written in. Pass ${name} in \`args\`, or use a module ` +
      'target { module: import.meta.url, export: "name" } so that its imports work';
  if (error.stack?.startsWith(original)) error.stack = `${error.name}: ${error.message}${error.stack.slice(original.length)}`;
  return error;
}

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
      const why = new TypeError(`the result of thread "${launch.name}" cannot be sent back to its owner: ${(error as Error).message}`);
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
    else finish({ type: 'error', error: serializeError(explainMissingName(error, launch)) }, EndReason.raised);
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
