// What the pages share: module workers they make and run tasks on, every wait bounded.
import { Event, encodeMessage } from 'skein';

export const kBound = 20_000;

/** A module worker of the page, with a promise for the answer to each task posted to it. */
export function startWorker() {
  const worker = new Worker('/pages/worker.js', { type: 'module' });
  return {
    worker,
    run(task, args) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`task ${task} did not answer in ${kBound} ms`)), kBound);
        worker.onmessage = ({ data }) => {
          clearTimeout(timer);
          if ('error' in data) reject(new Error(`task ${task}: ${data.error}`));
          else resolve(data.ok);
        };
        worker.onerror = (event) => {
          clearTimeout(timer);
          reject(new Error(`task ${task}: ${event.message}`));
        };
        worker.postMessage(encodeMessage({ task, ...args }));
      });
    },
  };
}

/** Resolve once `event` is set; reject, saying `what`, if it is not within the bound. */
export async function waitFor(event, what) {
  if (!(await event.waitAsync(kBound))) throw new Error(`${what} did not happen in ${kBound} ms`);
}

/** What `call` threw, as the test asserts on it; or 'no error'. */
export function refusal(call) {
  try {
    call();
    return 'no error';
  } catch (error) {
    return { name: error.name, code: error.code, message: error.message };
  }
}

/**
 * Start `worker` spinning in a busy synchronous loop on `stop` and, once it
 * runs, call `ask` (which must set `stop`, one way or another): resolves
 * with the worker's answer once it has noticed.
 */
export async function stopBusyLoop(worker, stop, ask) {
  const started = new Event();
  const spinning = worker.run('spin', { stop, started });
  // (The task's own promise too: a worker that fails says why at once.)
  await Promise.race([waitFor(started, 'the worker starting its loop'), spinning]);
  ask();
  return spinning;
}
