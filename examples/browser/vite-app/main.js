// The page: skein's Thread and ThreadPoolExecutor, and a skein Event shared with a worker of the app's own.
// Vite bundles skein's worker entry as a worker of the app (skein's browser build starts it with
// `new Worker(new URL(…, import.meta.url), { type: 'module' })`, which Vite recognises).
import { Event, encodeMessage, Thread, ThreadPoolExecutor } from 'skein';
import { tensInAPool } from './nested.js';

/** A function that prints a line into the <pre> `selector`. */
const printer = (selector) => {
  const out = document.querySelector(selector);
  return (line) => {
    out.textContent += `${line}\n`;
  };
};

// 1. A skein Thread: the seed's "stop a thread with an Event", with an inline target (its source goes to the
// thread). The thread's console lines come to this page's console in order; they are shown on the page too.
{
  const print = printer('#thread-out');
  const stopButton = document.querySelector('#stop-thread');
  const log = console.log.bind(console);
  console.log = (...args) => {
    log(...args);
    print(args.join(' '));
  };

  // Steps until stopped (the seed's takes five steps at most): the page stops it.
  function task(event) {
    for (;;) {
      sleepSync(1000);
      if (event.isSet()) break;
      console.log('Worker thread running...');
    }
    console.log('Worker closing down');
  }

  const event = new Event();
  const thread = new Thread({ target: task, args: [event] });
  thread.start();
  stopButton.disabled = false;
  stopButton.onclick = async () => {
    stopButton.disabled = true;
    console.log('Main stopping thread');
    event.set();
    await thread.join();
    document.body.dataset.threadJoined = 'true';
  };
}

// 2. A pool: tasks run in submission order on two workers; the results come back in input order.
{
  const print = printer('#pool-out');
  const square = (n) => n * n;
  const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
  const inline = [];
  for await (const result of pool.map(square, [1, 2, 3, 4, 5])) inline.push(result);
  print(`inline: ${inline.join(' ')}`);
  // A module target: Vite copies jobs.js as it is, not bundled (see README.md).
  const cube = { module: new URL('./jobs.js', import.meta.url), export: 'cube' };
  const futures = [1, 2, 3].map((n) => pool.submit(cube, n));
  print(`module: ${(await Promise.all(futures.map((future) => future.result()))).join(' ')}`);
  await pool.shutdown();
  print('pool shut down');
}

// 3. A worker of the app's own, given a skein Event: the page and the worker share its memory.
{
  const print = printer('#out');
  const stopButton = document.querySelector('#stop');
  const event = new Event();
  // Vite bundles the worker (and skein's browser build with it) from this URL.
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => {
    if (data.line !== undefined) print(data.line);
    if (data.done) {
      worker.terminate();
      stopButton.disabled = true;
    }
  };
  worker.postMessage(encodeMessage({ event }));
  stopButton.disabled = false;
  stopButton.onclick = () => {
    print('Main stopping thread');
    event.set();
  };
}

// 4. A thread that runs a pool of its own: the pool's workers start inside the thread.
{
  const print = printer('#nested-out');
  const thread = new Thread({ target: tensInAPool, args: [[1, 2, 3]] });
  thread.start();
  await thread.join();
  print(`a thread's own pool: ${thread.exception ?? thread.result.join(' ')}`);
}
