/**
 * How every skein worker starts: it boots, parks until its first message is
 * in its port, and runs what that message says — a thread, a thread handed
 * over from another worker, or a place in a pool. A standby worker is one
 * that boots before its first message exists; a fresh worker finds it there
 * at once. Main-side counterpart: src/thread/hub.ts.
 */
import type { MessagePort } from 'node:worker_threads';
import { MessageChannel, messageArrival, parentPort, receiveMessageOnPort, writeError } from '../host.js';
import { ControlBlock } from '../thread/control-block.js';
import { formatThrown } from '../thread/error-codec.js';
import { defaultExcepthook, getExcepthook } from '../thread/excepthook.js';
import { moduleTargetsSeen } from '../thread/globals.js';
import { isFirstMessage, type ReleaseReport, type ThreadJob, Wake, type WorkerBoot } from '../thread/protocol.js';
import { realm } from '../thread/realm.js';
import { liveStoppables } from '../thread/stoppables.js';
import { isUnchangedSince, type Snapshot, takeSnapshot, transientWorkPending } from './isolation.js';
import { installJobHandlers } from './job.js';
import { exitWorker } from './process.js';
import { setLoaderHints } from './load-target.js';
import { type FitFor, rehearsalJob, runThreadJob } from './thread-job.js';

/**
 * How many times a standby worker goes through a start before it waits:
 * V8 compiles a function when it first runs and compiles it again, to
 * faster code, a little later; both must happen before the real start.
 */
const kRehearsals = 3;

/**
 * Read the message in `port`, which its sender posted before waking this
 * worker: there at once on Node; in a browser, once this worker's event
 * loop has taken it in.
 */
async function receive(port: MessagePort, what: string): Promise<unknown> {
  const arriving = messageArrival(port);
  if (arriving !== undefined) await arriving;
  const message = receiveMessageOnPort(port)?.message;
  if (message === undefined) throw new Error(`skein worker woken without ${what}; only skein starts its workers`);
  return message;
}

/**
 * Go once (a few times) through everything a thread's start runs, on a
 * made-up thread with no effect: V8 compiles a function the first time it
 * runs (here ~50–100 µs for even a small one), so the real start finds all
 * of it compiled — about a millisecond less between `start()` and the target.
 * In a program that runs under tsx and has used module targets, it first
 * gets tsx ready for a `.ts` one (src/worker/typescript.ts).
 */
async function rehearse(boot: WorkerBoot): Promise<void> {
  if (boot.loaderHints.length > 0 && moduleTargetsSeen()) {
    // Loaded only here: a worker of a program that is not under tsx never loads the TypeScript loader's code.
    const { prepareTypeScript } = await import('./typescript.js');
    await prepareTypeScript(boot.loaderHints);
  }
  // The `performance` global, read first here: on Node that read loads
  // perf_hooks (~1 ms), which a thread's timed wait or a pool's loop would
  // otherwise pay on its start. A fresh worker loads it on first need.
  performance.now();
  const { port1, port2 } = new MessageChannel();
  for (let round = 0; round < kRehearsals; round++) {
    port1.postMessage(rehearsalJob(round));
    // As a real start reads its job and control block (the outcomes it posts into port2 are dropped with port1).
    const job = await receive(port2, 'a rehearsal');
    if (!isFirstMessage(job) || job.type !== 'thread') throw new Error('a rehearsal job is not a thread job');
    await runThreadJob(job, ControlBlock.fromBuffer(ControlBlock.create().buffer), port2, true);
  }
  port1.close();
  port2.close();
}

/** Where the worker waits for its next job: its control block, its port, its wake word. */
interface Place {
  control: SharedArrayBuffer;
  port: MessagePort;
  wake: Int32Array;
}

/**
 * Park until the owner has posted the first message into `place.port` and
 * set the wake word. Parked in a synchronous wait on shared memory, a
 * standby worker sees its message without an event-loop wake-up; it says it
 * is parked (`booting` → `parked`) so that the hub prefers it to one still
 * booting. The owner posts the message before it sets `woken`, so once the
 * word is `woken` the message is there.
 */
function park(wake: Int32Array): void {
  Atomics.compareExchange(wake, 0, Wake.booting, Wake.parked);
  while (Atomics.load(wake, 0) !== Wake.woken) Atomics.wait(wake, 0, Wake.parked);
}

/** Run this worker: boot, then park and serve first messages — one, or one per thread while it stays clean. */
export async function runWorker(boot: WorkerBoot): Promise<void> {
  if (boot.rehearse) await rehearse(boot);
  installJobHandlers((error, leftBehind) => {
    // Nothing is left to take an error thrown outside any job but a pool's
    // leftovers; before its first job, a worker dies of it as Node's would.
    const current = realm.current ?? realm.adoption;
    if (current === undefined) throw error;
    const when = leftBehind ? 'from a task that had ended' : 'between tasks';
    writeError(`Exception in pool worker ${current.name} ${when}:\n${formatThrown(error)}\n`);
  });
  // What this worker looks like having run nothing: a thread must leave it so to be followed by another.
  // None if the hub would not take it back (standby is off): it exits with its thread.
  const reusable = boot.reusable;
  // Taken once the entry module's evaluation has settled: till then Node's
  // module loader holds an 'exit' listener of its own on `process`, gone
  // by the first thread's end, and the worker would never look clean.
  if (reusable) await new Promise((resolve) => setImmediate(resolve));
  const clean = reusable ? takeSnapshot() : undefined;
  let place: Place = { control: boot.control, port: boot.port, wake: new Int32Array(boot.wake) };
  /** Whether a thread run here may have left module state (see FitFor): then only sharing threads follow. */
  let modules = false;
  for (;;) {
    park(place.wake);
    setLoaderHints(boot.loaderHints);
    const first = await receive(place.port, 'a job');
    realm.served++;
    if (!isFirstMessage(first)) throw new Error('skein worker was given something that is not a job');
    let fitFor: FitFor;
    switch (first.type) {
      case 'thread':
        fitFor = await runThreadJob(first, ControlBlock.fromBuffer(place.control), place.port, false, reusable);
        break;
      case 'handover':
        place.port.close();
        fitFor = await runThreadJob(
          (await receive(first.port, 'its thread')) as ThreadJob,
          ControlBlock.fromBuffer(first.control),
          first.port,
          false,
          reusable,
        );
        break;
      case 'pool': {
        // Loaded only by a pool's worker: a thread's worker carries no pool code (nor the queue it takes tasks from).
        const { runPoolWorker } = await import('./pool-loop.js');
        return runPoolWorker(first, ControlBlock.fromBuffer(place.control), place.port);
      }
    }
    if (fitFor === 'nothing' || clean === undefined || !(await staysClean(clean))) {
      exitWorker(0);
      return;
    }
    modules ||= fitFor === 'sharingThread';
    place = release(modules);
  }
}

/**
 * Whether the worker is as clean as before its first job, now that its
 * thread has ended: first whether the thread left work pending (timers
 * would fire in the next thread's time: the worker exits before they can),
 * then — once what it left in the microtask queue has run — everything.
 */
async function staysClean(clean: Snapshot): Promise<boolean> {
  realm.current = undefined;
  realm.adoption = undefined;
  if (!isUnchangedSince(clean, { resourcesOnly: true })) return false;
  await settle();
  return (
    realm.live.size === 0 &&
    liveStoppables().length === 0 &&
    getExcepthook() === defaultExcepthook &&
    isUnchangedSince(clean)
  );
}

/**
 * How many turns of the event loop a worker whose thread has ended waits
 * for its work that ends on its own (a close, a file operation:
 * src/worker/isolation.ts) before it is judged: the first few at once, the
 * rest 1 ms apart — ~50 ms on a quiet machine, longer on a loaded one (a
 * bound in turns, not time, so that a stalled worker is not judged early).
 * Its thread's `join()` waits with it; work still pending then is the
 * thread's, and the worker exits.
 */
const kMostSettleTurns = 53;
/** The turns of {@link kMostSettleTurns} taken at once, not 1 ms apart. */
const kImmediateTurns = 3;

/**
 * Let what the thread left in the microtask queue run, and wait out the
 * work that ends on its own: turns of the event loop (the job's port
 * closes within one or two), then, while a file operation is in flight,
 * 1 ms at a time — until a whole turn has passed with none pending (one
 * that ends may start the next: tsx reads, then writes its cache), or for
 * at most {@link kMostSettleTurns}.
 */
async function settle(): Promise<void> {
  let quietTurns = 0;
  for (let turn = 0; quietTurns < 2 && turn < kMostSettleTurns; turn++) {
    await new Promise((resolve) => (turn < kImmediateTurns ? setImmediate(resolve) : setTimeout(resolve, 1)));
    quietTurns = transientWorkPending() ? 0 : quietTurns + 1;
  }
}

/**
 * Tell the hub this worker is free, on a new place whose owner's end goes
 * with the report — and whether it holds `modules` a thread left.
 */
function release(modules: boolean): Place {
  const { port1, port2 } = new MessageChannel();
  const control = ControlBlock.create();
  const wake = new Int32Array(new SharedArrayBuffer(4));
  // Ready from the moment the hub hears of it: the worker parks right after this.
  wake[0] = Wake.parked;
  parentPort!.postMessage(
    {
      type: 'skein:release',
      control: control.buffer,
      port: port1,
      wake: wake.buffer as SharedArrayBuffer,
      modules,
    } satisfies ReleaseReport,
    [port1],
  );
  return { control: control.buffer, port: port2, wake };
}
