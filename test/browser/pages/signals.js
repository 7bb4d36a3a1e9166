// The platform's cancellation and skein's Event, both ways: an AbortSignal of the page stops a busy worker
// loop (Event.fromSignal); an Event the page sets aborts a signal in a worker (event.toSignal()).
import { Event } from 'skein';
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

worker.worker.terminate();
globalThis.finish(out);
