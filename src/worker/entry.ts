/**
 * The file every skein worker starts from. Never imported by main-side code.
 */
import { MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { PoolBoot } from '../executor/protocol.js';
import type { StandbyAssignment, StandbyBoot } from '../thread/hub.js';
import type { ThreadJob, WorkerBoot } from '../thread/protocol.js';
import { installSynchronousStdio } from './stdio.js';

installSynchronousStdio();

type Runtime = typeof import('./runtime.js');

/** Run the thread `boot` describes; its owner posted the job into its port before handing it over. */
async function runAssigned(boot: WorkerBoot, runtime: Runtime): Promise<void> {
  const job = receiveMessageOnPort(boot.port)?.message as ThreadJob | undefined;
  if (job === undefined) throw new Error('skein thread worker started without a job');
  await runtime.runThread({ ...boot, ...job });
}

function isAssignment(message: unknown): message is StandbyAssignment {
  const boot = (message as StandbyAssignment | null)?.boot;
  return (
    (message as StandbyAssignment | null)?.type === 'skein:assign' &&
    boot?.kind === 'thread' &&
    boot.port instanceof MessagePort
  );
}

const boot = (workerData as { skein?: WorkerBoot | PoolBoot | StandbyBoot } | null)?.skein;
if (boot?.kind === 'thread') {
  await runAssigned(boot, await import('./runtime.js'));
} else if (boot?.kind === 'standby') {
  // Load the runtime now — and the small modules targets name most
  // (sleepSync, stopEvent, throwIfStopped) — then wait for a thread;
  // anything else is ignored.
  const [runtime, { compileInline }] = await Promise.all([
    import('./runtime.js'),
    import('./load-target.js'),
    import('../sync/sleep.js'),
    import('../thread/stop.js'),
  ]);
  // Compile something once, so the thread's own target is not the first
  // source this worker compiles (the first costs ~0.5 ms more).
  await compileInline({ kind: 'inline', source: '(a) => a + 1', name: 'warmUp', method: false });
  const onMessage = (message: unknown): void => {
    if (!isAssignment(message)) return;
    parentPort!.off('message', onMessage);
    void runAssigned(message.boot, runtime);
  };
  parentPort!.on('message', onMessage);
} else if (boot?.kind === 'pool') {
  const { runPool } = await import('./pool-runtime.js');
  await runPool(boot);
} else {
  throw new Error('the skein worker entry was started without a skein boot record; only skein starts it');
}
