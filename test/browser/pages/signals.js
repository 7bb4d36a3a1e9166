// The platform's cancellation and skein's Event, both ways: an AbortSignal of the page stops a busy worker
// loop (Event.fromSignal); an Event the page sets aborts a signal in a worker (event.toSignal()). And errors
// crossing page -> worker -> page through the message encoding.
import { decodeMessage, Event } from 'skein';
import { startWorker, stopBusyLoop, waitFor } from './common.js';

const worker = startWorker();
const out = {};

{
  const controller = new AbortController();
  out.fromSignal = await stopBusyLoop(worker, Event.fromSignal(controller.signal), () => controller.abort());
}

{
  const cancel = new Event();
  const listening = new Event();
  const listened = worker.run('signalFromEvent', { cancel, listening });
  await Promise.race([waitFor(listening, 'the worker listening to its signal'), listened]);
  cancel.set();
  out.toSignal = await listened;
}

// Errors cross as between skein's threads: class, message, own fields and cause kept, both ways.
{
  const error = Object.assign(new RangeError('out of range', { cause: { limit: 10 } }), { code: 'E_RANGE' });
  const { seen, back } = await worker.run('echo', { error, event: new Event() });
  const returned = await decodeMessage(back);
  out.errors = {
    seen,
    back: {
      isRangeError: returned.error instanceof RangeError,
      message: returned.error.message,
      code: returned.error.code,
      cause: returned.error.cause,
      event: returned.event instanceof Event,
    },
  };
}

worker.worker.terminate();
globalThis.finish(out);
