// A thread running a function: five steps of simulated work, then done.
import { Thread, sleepSync } from 'skein';

function task(): void {
  for (let i = 0; i < 5; i++) {
    sleepSync(1000); // a second of "work" that blocks this thread only
    console.log('Worker thread running...');
  }
  console.log('Worker closing down');
}

const thread = new Thread({ target: task });
thread.start();
await thread.join(); // the main thread waits without blocking its event loop
