/**
 * A worker that runs a thread: one job, then the worker exits (dropping
 * whatever the target left scheduled, so no worker outlives its thread).
 */
import type { MessagePort } from 'node:worker_threads';
import { Event } from '../sync/event.js';
import { ControlBlock, EndReason, ThreadState } from '../thread/control-block.js';
import { writeThreadException } from '../thread/excepthook.js';
import type { Outcome, OutcomeStatus, ThreadJob } from '../thread/protocol.js';
import { exceptionOf } from '../thread/outcome.js';
import { realm } from '../thread/realm.js';
import type { Adoption } from '../thread/thread.js';
import { decodeValue, encodeValue, prepareDecode } from '../thread/transfer.js';
import { isThenable, type Job, postOutcome, runJob } from './job.js';
import { inlineSources, loadSubclass, loadTarget, setLoaderHints } from './load-target.js';
import { exitWorker } from './process.js';

const endReasons: Record<OutcomeStatus, EndReason> = {
  ok: EndReason.returned,
  error: EndReason.raised,
  stopped: EndReason.stopped,
};

/**
 * What a worker is fit for once its thread has ended, if it is found clean
 * after it (src/worker/isolation.ts): nothing (it exits), any thread (its
 * thread ran only inline code that imported nothing), or only a thread that
 * shares modules (its thread imported a module, and shared modules).
 */
export type FitFor = 'nothing' | 'anyThread' | 'sharingThread';

/** Whether a thread ran only inline code that imported nothing: it cannot have left module state behind. */
function importsNothing(job: ThreadJob): boolean {
  if (job.target?.kind === 'module' || job.subclass?.kind === 'module' || job.subclass?.root !== undefined)
    return false;
  return !inlineSources(job.target, job.subclass).some((source) => /\bimport\s*\(|\brequire\s*\(/.test(source));
}

/**
 * Run the thread of `job` in this worker as the thread of `control`, its
 * outcome posted on `port`; then end the thread. The worker exits with it
 * (dropping whatever the target left scheduled, so no worker outlives its
 * thread) unless the thread may have left it clean and the worker may
 * serve again (`workerReusable`: the hub takes it back): then this
 * resolves to what it may serve, for the caller to check and offer it.
 *
 * A `rehearsal` (see src/worker/boot.ts) runs the same code on a made-up
 * thread, its control block and port the rehearsal's own, which nobody
 * reads: the thread does not become current, its port stays open for the
 * next round, and an error is thrown to the caller.
 */
export async function runThreadJob(
  job: ThreadJob,
  control: ControlBlock,
  port: MessagePort,
  rehearsal = false,
  workerReusable = true,
): Promise<FitFor> {
  setLoaderHints(job.loaderHints);
  let rehearsed: Outcome | undefined;
  const fitFor: FitFor = !workerReusable
    ? 'nothing'
    : importsNothing(job)
      ? 'anyThread'
      : job.shareModules
        ? 'sharingThread'
        : 'nothing';
  const reusable = fitFor !== 'nothing';
  const self: Job = {
    id: 0,
    key: 0,
    sources: inlineSources(job.target, job.subclass),
    label: `thread "${job.name}"`,
    unsendable: `the result of thread "${job.name}" cannot be sent back to its owner`,
    settle: (outcome) => {
      const sent = postOutcome(port, self, outcome);
      if (rehearsal) {
        rehearsed = outcome;
        control.end(endReasons[sent.status]);
        return;
      }
      if (sent.status === 'error' && ownerHasEnded(job)) reportOrphan(sent, self.label);
      port.close();
      control.end(endReasons[sent.status]);
      // At once, in the same turn: nothing the target left behind runs after its end.
      if (!reusable) exitWorker(0);
    },
    exited: (code) => {
      control.end(EndReason.exited, code);
    },
  };
  // Loading the target and the class is part of the job: an error there is the thread's.
  const pending = runJob(
    self,
    () => {
      let target = job.target === undefined ? undefined : loadTarget(job.target);
      /** Run the thread: its subclass's `run()` on its object (`adoptThread`), or else its target. */
      const run = (
        fn: Function | undefined,
        adoptThread?: typeof import('../thread/thread.js').adoptThread,
        cls?: Function,
      ): unknown => {
        const [args, fields] = decodeValue([job.args, job.fields] as const, job.hasEvents);
        const adoption: Adoption = {
          name: job.name,
          ident: control.ident,
          daemon: job.daemon,
          control,
          target: fn,
          args,
        };
        const thread = adoptThread === undefined ? undefined : adoptThread(cls!, adoption);
        if (thread !== undefined && fields !== undefined) Object.assign(thread, fields);
        if (!rehearsal) {
          // Without a subclass, the thread's object is made only if asked for (currentThread()):
          // a worker whose thread never asks does not load the Thread class, nor the hub behind it.
          realm.current = thread;
          realm.adoption = adoption;
        }
        control.markRunning();
        // What Thread's own run() does.
        return thread === undefined ? fn?.(...args) : thread.run();
      };
      // A queue among the arguments (the first this worker sees) needs its module loaded first.
      const decoding = prepareDecode([job.args, job.fields], job.hasEvents);
      if (!isThenable(target) && job.subclass === undefined && decoding === undefined) return run(target);
      return (async () => {
        if (isThenable(target)) target = await target;
        let loaded: [typeof import('../thread/thread.js').adoptThread, Function] | undefined;
        if (job.subclass !== undefined) {
          const [{ adoptThread }, cls] = await Promise.all([import('../thread/thread.js'), loadSubclass(job.subclass)]);
          loaded = [adoptThread, cls];
        }
        await decoding;
        return run(target as Function | undefined, loaded?.[0], loaded?.[1]);
      })();
    },
    { attributed: !rehearsal },
  );
  if (pending !== undefined) await pending;
  if (rehearsed?.status === 'error') throw new Error(`a rehearsed start failed: ${JSON.stringify(rehearsed.value)}`);
  return fitFor;
}

/** Whether the thread that started this one has ended, so that nobody is left to call the excepthook. */
function ownerHasEnded(job: ThreadJob): boolean {
  if (job.ownerControl === undefined) return false;
  return ControlBlock.fromBuffer(job.ownerControl).state === ThreadState.ended;
}

/**
 * Report an error nobody will take in: the default excepthook, here, with
 * the thread's own object and the error as its owner would have received it.
 */
function reportOrphan(outcome: Outcome, label: string): void {
  // As the default excepthook would, with the thread's name (its object's, if it was made and renamed).
  writeThreadException((realm.current ?? realm.adoption)?.name, exceptionOf(outcome, label));
}

/**
 * A made-up job for a rehearsal: an inline target that takes an Event, as a
 * real thread's does. A new source each round (the compiled cache would
 * skip the compiler), naming skein exports (the scope's pattern finds them).
 */
export function rehearsalJob(round: number): ThreadJob {
  const encoded = encodeValue([new Event(), 1]);
  return {
    type: 'thread',
    name: 'rehearsal',
    daemon: true,
    loaderHints: [],
    ownerControl: undefined,
    target: {
      kind: 'inline',
      source: `(event, a) => (event instanceof Event && !event.isSet() ? a + ${round} : [stopEvent, throwIfStopped])`,
      name: 'rehearsal',
      method: false,
      // As a real target's: compiled as the file it was written in.
      origin: { url: 'skein:rehearsal', line: 1, column: 0 },
    },
    subclass: undefined,
    args: encoded.value,
    fields: undefined,
    hasEvents: encoded.hasEvents,
    shareModules: false,
  };
}
