// Imported by a standby worker of a program that runs under tsx, ahead of
// need (see prepareTypeScript in typescript.ts): the TypeScript loader
// goes through a .ts module that imports another, so a thread's own .ts
// modules find it warm. TypeScript on purpose: scripts/build.ts copies
// both files beside the worker entry, into dist/worker/.
import { one } from './warm-up-import.js';

export const warm: number = one + 1;
