// Entry of `npm run bench`. It registers tsx in this process only, instead of
// `node --import tsx`: a loader given on the command line lands in
// process.execArgv, which every pool's workers inherit, and loading tsx in a
// worker triples its start time — that would tax the references (piscina,
// tinypool, workerpool, raw workers) with a cost their users never pay.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
