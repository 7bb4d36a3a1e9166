// The idiomatic form: wait on the Event instead of sleeping, so the thread
// notices the stop within microseconds instead of up to a second later.
import { Event, Thread, sleep } from 'skein';

function task(event: Event, noticed: Float64Array, started: Event): void {
  started.set();
  // wait(1000) is a one-second sleep that returns true as soon as set() is called.
  while (!event.wait(1000)) {
    console.log('Worker thread running...');
  }
  noticed[0] = performance.timeOrigin + performance.now();
  console.log('Worker closing down');
}

const event = new Event();
const noticed = new Float64Array(new SharedArrayBuffer(8));
const started = new Event();
const thread = new Thread({ target: task, args: [event, noticed, started] });
thread.start();
await started.waitAsync();
await sleep(2500);
console.log('Main stopping thread');
const askedAt = performance.timeOrigin + performance.now();
event.set();
await thread.join();
const latencyMs = (noticed[0]! - askedAt).toFixed(3);
console.log(
  `The thread noticed the stop ${latencyMs} ms after it was asked (a sleep-then-check loop can take up to 1000 ms)`,
);
