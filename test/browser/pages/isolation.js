// Served without COOP/COEP: skein loads, and the first call that needs shared memory says which headers to send.
import { Event, Lock, Queue } from 'skein';
import { refusal } from './common.js';

globalThis.finish({
  crossOriginIsolated: globalThis.crossOriginIsolated,
  sharedArrayBuffer: typeof SharedArrayBuffer,
  event: refusal(() => new Event()),
  lock: refusal(() => new Lock()),
  queue: refusal(() => new Queue()),
});
