// workerpool's worker script (started by workerpool, from bench/lib/pools.ts).
import workerpool from 'workerpool';
import inc, { spin } from './tasks.mjs';

workerpool.worker({ inc, spin });
