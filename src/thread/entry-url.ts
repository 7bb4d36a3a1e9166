/**
 * Where the worker entry file is, for the hub to start workers from: set by
 * the module of skein that loads first in each thread — the package index,
 * or the worker entry — since the bundled code does not know which file it
 * ended up in. A module of its own, apart from the hub, so that a worker
 * records it without loading the hub (a worker loads the hub only once its
 * thread starts threads or pools).
 */
let entryUrl: URL | undefined;

/** @internal Record where the worker entry file is (the first call wins); the relay worker's file is beside it. */
export function setWorkerEntry(url: URL): void {
  entryUrl ??= url;
}

/** @internal The worker entry file recorded by {@link setWorkerEntry}. */
export function workerEntry(): URL {
  if (entryUrl === undefined)
    throw new Error('skein was loaded without its index or worker entry; import it as `skein`');
  return entryUrl;
}
