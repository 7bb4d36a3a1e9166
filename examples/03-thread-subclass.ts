// A Thread subclass: run() holds the work and runs in the new thread.
import { Thread, sleepSync } from 'skein';

class CustomThread extends Thread {
  override run(): void {
    for (let i = 0; i < 5; i++) {
      sleepSync(1000);
      console.log('Worker thread running...');
    }
    console.log('Worker closing down');
  }
}

const thread = new CustomThread();
thread.start();
await thread.join();
