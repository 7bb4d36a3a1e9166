// The tutorial's four stop-a-thread programs, run one after another in a page, on module Web Workers.
// Each thread's console lines come to this page's console, in order: here they are also printed on the page.
import { Event, sleep, sleepSync, Thread } from 'skein';

const out = document.querySelector('#out');
for (const level of ['log', 'error']) {
  const write = console[level].bind(console);
  console[level] = (...args) => {
    write(...args);
    out.textContent += `${args.join(' ')}\n`;
  };
}

// 01: a thread running a function.
function task() {
  for (let i = 0; i < 5; i++) {
    sleepSync(1000);
    console.log('Worker thread running...');
  }
  console.log('Worker closing down');
}

// 02: the same function, stopped on demand with an Event.
function stoppableTask(event) {
  for (let i = 0; i < 5; i++) {
    sleepSync(1000);
    if (event.isSet()) break;
    console.log('Worker thread running...');
  }
  console.log('Worker closing down');
}

// 03: a Thread subclass (its run() is sent to the thread as source).
class CustomThread extends Thread {
  run() {
    for (let i = 0; i < 5; i++) {
      sleepSync(1000);
      console.log('Worker thread running...');
    }
    console.log('Worker closing down');
  }
}

// 04: the subclass, stopped on demand: its Event field arrives working in the thread.
class StoppableThread extends Thread {
  constructor(event) {
    super();
    this.event = event;
  }

  run() {
    for (let i = 0; i < 5; i++) {
      sleepSync(1000);
      if (this.event.isSet()) break;
      console.log('Worker thread running...');
    }
    console.log('Worker closing down');
  }
}

/**
 * Run `thread` to its end; with an Event, stop it between its second and
 * third step. The tutorial sleeps 3 s, which lands the stop on the very
 * moment of the third step (a hair after it, by the thread's start-up);
 * in a page, a Web Worker's start and the page's timers are each late by
 * up to ~100 ms, so the stop comes midway between the two steps instead,
 * where it falls the same way every time.
 */
async function runProgram(thread, event) {
  thread.start();
  if (event !== undefined) {
    await sleep(2500);
    console.log('Main stopping thread');
    event.set();
  }
  await thread.join();
}

const programs = [
  ['A thread running a function', () => [new Thread({ target: task })]],
  [
    'The same function, stopped on demand with an Event',
    () => {
      const event = new Event();
      return [new Thread({ target: stoppableTask, args: [event] }), event];
    },
  ],
  ['A Thread subclass', () => [new CustomThread()]],
  [
    'The subclass, stopped on demand',
    () => {
      const event = new Event();
      return [new StoppableThread(event), event];
    },
  ],
];
// ?only=2 runs one program (the tests run each on its own).
const only = Number(new URLSearchParams(location.search).get('only') ?? 0);
for (const [index, [title, make]] of programs.entries()) {
  if (only !== 0 && only !== index + 1) continue;
  console.log(`== ${index + 1}. ${title} ==`);
  await runProgram(...make());
}
document.title = 'done';
globalThis.seedDone = true;
