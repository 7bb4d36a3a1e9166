/**
 * On the hub: start a thread that a worker asked for. The worker made the
 * thread's control block and port and posted its job into the port; the
 * hub gives both to a worker of its own (a handover) and watches the thread
 * as one of the process's threads (enumerate(), stopOnSignals()). Its
 * outcome goes to the worker that asked, over the port.
 */
import { ControlBlock, EndReason } from './control-block.js';
import { launch, returnSeat, takeSeat } from './hub.js';
import type { SpawnRequest, ThreadHandover } from './protocol.js';
import { watchRemoteThread } from './thread.js';

/** Serve `request`, from a worker whose thread is `ownerIdent`. */
export function serveSpawnRequest(request: SpawnRequest, ownerIdent: number): void {
  const { handover } = request;
  const thread = ControlBlock.fromBuffer(handover.control);
  const seat = takeSeat(request.resourceLimits, request.shareModules);
  try {
    seat.port.postMessage(
      { type: 'handover', control: handover.control, port: handover.port } satisfies ThreadHandover,
      [handover.port],
    );
  } catch {
    returnSeat(seat);
    thread.end(EndReason.crashed, 1);
    return;
  }
  try {
    const spawned = launch(seat, {
      name: request.name,
      daemon: request.daemon,
      stopAt: request.stopAt,
      resourceLimits: request.resourceLimits,
      thread,
      ownerIdent,
      sharesModules: request.shareModules,
    });
    // The thread talks to its owner over the handed-over port; the seat's own is not used.
    void spawned.exited.then(() => seat.port.close());
    watchRemoteThread(thread, request, spawned);
  } catch {
    // The worker could not be created: end the thread, so that its owner does not wait forever.
    thread.end(EndReason.crashed, 1);
  }
}
