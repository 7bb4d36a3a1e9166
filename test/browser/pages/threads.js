// Threads on module Web Workers: an inline target with args and a result, an error that keeps its class.
import { Event, Thread, currentThread } from 'skein';

const thread = new Thread({ target: (a, b) => a + b, args: [2, 3], name: 'adder' });
thread.start();
await thread.join(20_000);
const failing = new Thread({
  target: () => {
    throw new RangeError('too far');
  },
});
failing.start();
await failing.join(20_000);
const event = new Event();
const waiter = new Thread({ target: (e) => e.wait(20_000), args: [event] });
waiter.start();
event.set();
await waiter.join(20_000);
finish({
  result: thread.result,
  error: {
    name: failing.exception?.name,
    message: failing.exception?.message,
    isRange: failing.exception instanceof RangeError,
  },
  waited: waiter.result,
  current: currentThread().name,
});
