// The same function, stopped on demand: it checks a shared Event every step.
import { Event, Thread, sleep, sleepSync } from 'skein';

function task(event: Event): void {
  for (let i = 0; i < 5; i++) {
    sleepSync(1000);
    if (event.isSet()) break; // asked to stop: leave the loop
    console.log('Worker thread running...');
  }
  console.log('Worker closing down');
}

const event = new Event(); // shared memory: the thread sees set() at once
const thread = new Thread({ target: task, args: [event] });
thread.start();
await sleep(3000);
console.log('Main stopping thread');
event.set();
await thread.join();
