/**
 * skein in a browser — the package's `browser` export: the shared-memory
 * primitives, shared between a page and the module Web Workers it makes
 * (post one to a worker inside a value encoded with {@link encodeMessage},
 * and revive it there with {@link decodeMessage}).
 *
 * The page must be cross-origin isolated (COOP `same-origin`, COEP
 * `require-corp` or `credentialless`): without it the first call that
 * needs shared memory throws a NotSupportedError naming the headers. The
 * page's main thread may not block: there, each blocking form (`wait()`,
 * `acquire()`, `get()`…) throws a NotSupportedError naming its `Async`
 * form. Queue items must be plain data of at most 64 KiB each there.
 *
 * @packageDocumentation
 */
export * from './api-core.js';
