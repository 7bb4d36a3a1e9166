// A CLI whose threads crunch numbers until you press Ctrl-C. Each thread
// checks its stop request between rounds, so on Ctrl-C it leaves its loop,
// runs its finally block, and the program exits 0.
import { Thread, currentThread, stopEvent, stopOnSignals } from 'skein';

function crunch(): number {
  const stop = stopEvent(); // this thread's stop request: set on Ctrl-C
  let rounds = 0;
  let sum = 0;
  try {
    while (!stop.isSet()) {
      for (let i = 0; i < 1_000_000; i++) sum += Math.sqrt(i);
      rounds++;
    }
  } finally {
    console.log(`${currentThread().name}: cleaned up after ${rounds} rounds`);
  }
  return sum;
}

// On Ctrl-C (or SIGTERM): ask every thread to stop, terminate any still
// running after 5 seconds, then exit — 0 if all stopped by themselves.
stopOnSignals({ timeout: 5_000 });

for (let i = 1; i <= 4; i++) new Thread({ target: crunch, name: `cruncher-${i}` }).start();
console.log('Crunching on 4 threads. Press Ctrl-C to stop.');
