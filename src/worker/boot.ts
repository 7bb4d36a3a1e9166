/**
 * How every skein worker starts: it boots, parks until its first message is
 * in its port, and runs what that message says — a thread, a thread handed
 * over from another worker, or a place in a pool. A standby worker is one
 * that boots before its first message exists; a fresh worker finds it there
 * at once. Main-side counterpart: src/thread/hub.ts.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { ControlBlock } from '../thread/control-block.js';
import { isFirstMessage, type ThreadJob, type WorkerBoot } from '../thread/protocol.js';
import { realm } from '../thread/realm.js';
import { installJobHandlers } from './job.js';
import { setLoaderHints } from './load-target.js';
import { reportStray, runPoolWorker } from './pool-loop.js';
import { rehearsalJob, runThreadJob } from './thread-job.js';

/**
 * How many times a standby worker goes through a start before it waits:
 * V8 compiles a function when it first runs and compiles it again, to
 * faster code, a little later; both must happen before the real start.
 */
const kRehearsals = 3;

/** Read the message waiting in `port`, which its sender posted before waking this worker. */
function receive(port: MessagePort, what: string): unknown {
  const message = receiveMessageOnPort(port)?.message;
  if (message === undefined) throw new Error(`skein worker woken without ${what}; only skein starts its workers`);
  return message;
}

/**
 * Go once (a few times) through everything a thread's start runs, on a
 * made-up thread with no effect: V8 compiles a function the first time it
 * runs (here ~50–100 µs for even a small one), so the real start finds all
 * of it compiled — about a millisecond less between `start()` and the target.
 */
async function rehearse(): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  for (let round = 0; round < kRehearsals; round++) {
    const job = rehearsalJob(round);
    port1.postMessage(job);
    await runThreadJob(receive(port2, 'a rehearsal') as ThreadJob, ControlBlock.create(), port2, true);
  }
  port1.close();
}

/** Run this worker: boot, park, then serve its first message. */
export async function runWorker(boot: WorkerBoot): Promise<void> {
  if (boot.rehearse) await rehearse();
  installJobHandlers((error, leftBehind) => {
    // Nothing is left to take an error thrown outside any job but a pool's
    // leftovers; before its first job, a worker dies of it as Node's would.
    if (realm.current === undefined) throw error;
    reportStray(realm.current.name, error, leftBehind);
  });
  // Parked in a synchronous wait on shared memory, a standby worker sees
  // its first message without an event-loop wake-up. The owner posts the
  // message before it sets the word, so once the word is 1 it is there.
  const wake = new Int32Array(boot.wake);
  while (Atomics.load(wake, 0) === 0) Atomics.wait(wake, 0, 0);
  setLoaderHints(boot.loaderHints);
  const first = receive(boot.port, 'a job');
  if (!isFirstMessage(first)) throw new Error('skein worker was given something that is not a job');
  switch (first.type) {
    case 'thread':
      return runThreadJob(first, ControlBlock.fromBuffer(boot.control), boot.port);
    case 'handover':
      boot.port.close();
      return runThreadJob(
        receive(first.port, 'its thread') as ThreadJob,
        ControlBlock.fromBuffer(first.control),
        first.port,
      );
    case 'pool':
      return runPoolWorker(first, ControlBlock.fromBuffer(boot.control), boot.port);
  }
}
