/**
 * A standby worker: booted before it has a thread, so that `thread.start()`
 * finds it ready. Worker-side; the main side is src/thread/standby.ts.
 */
import { MessageChannel, MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import type { StandbyAssignment, StandbyBoot } from '../thread/hub.js';
import { ControlBlock } from '../thread/control-block.js';
import type { ThreadJob } from '../thread/protocol.js';
import { installThreadHandlers, rehearsalJob, runThread, runThreadFrom } from './runtime.js';

/**
 * How many times a standby worker goes through a start before it waits:
 * V8 compiles a function when it first runs and compiles it again, to
 * faster code, a little later; both must happen before the real start.
 */
const kRehearsals = 3;

function isAssignment(message: unknown): message is StandbyAssignment {
  const boot = (message as StandbyAssignment | null)?.boot;
  return (
    (message as StandbyAssignment | null)?.type === 'skein:assign' &&
    boot?.kind === 'thread' &&
    boot.port instanceof MessagePort
  );
}

function isJob(message: unknown): message is ThreadJob {
  return typeof (message as ThreadJob | null)?.ident === 'number';
}

/**
 * Run what the owner posted into `port`: a job, run as the thread of
 * `control`, or an assignment of a thread that brings its own control
 * block and port.
 */
async function takeJob(port: MessagePort, control: SharedArrayBuffer, rehearsal: boolean): Promise<void> {
  const message = receiveMessageOnPort(port)?.message;
  if (isAssignment(message)) {
    port.close();
    await runThreadFrom(message.boot);
  } else if (isJob(message)) {
    await runThread({ ...message, control, port }, rehearsal);
  } else {
    throw new Error('skein standby worker woken without a thread');
  }
}

/**
 * Wait for a thread, then run it. While it waits, the worker goes once
 * through everything a thread's start runs, on a made-up thread with no
 * effect: V8 compiles a function the first time it runs (here ~50–100 µs
 * for even a small one), so the real start finds all of it compiled —
 * about a millisecond less between `start()` and the target.
 */
export async function runStandby(boot: StandbyBoot): Promise<void> {
  const rehearsal = new MessageChannel();
  for (let round = 0; round < kRehearsals; round++) {
    rehearsal.port1.postMessage(rehearsalJob(round));
    await takeJob(rehearsal.port2, ControlBlock.create().buffer, true);
  }
  rehearsal.port1.close();
  installThreadHandlers();
  // Parked in a synchronous wait on shared memory, the worker sees its job
  // without an event-loop wake-up. Nothing else is due here; terminating
  // the worker ends the wait.
  const wake = new Int32Array(boot.wake);
  while (Atomics.load(wake, 0) === 0) Atomics.wait(wake, 0, 0);
  await takeJob(boot.port, boot.control, false);
}
