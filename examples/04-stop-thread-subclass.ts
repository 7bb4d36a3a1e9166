// The subclass, stopped on demand: the Event is a field, copied to the
// thread as a working Event on the same shared memory.
import { Event, Thread, sleep, sleepSync } from 'skein';

class CustomThread extends Thread {
  constructor(public event: Event) {
    super();
  }

  override run(): void {
    for (let i = 0; i < 5; i++) {
      sleepSync(1000);
      if (this.event.isSet()) break;
      console.log('Worker thread running...');
    }
    console.log('Worker closing down');
  }
}

const event = new Event();
const thread = new CustomThread(event);
thread.start();
await sleep(3000);
console.log('Main stopping thread');
event.set();
await thread.join();
