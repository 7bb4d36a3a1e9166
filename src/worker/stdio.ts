import { nodeFs } from '../builtins.js';

// A worker's process.stdout is a stream that forwards each write to the main
// thread by message, so a line written just before the worker blocks in
// synchronous code appears late, after lines the main thread wrote later.
// Python's print writes at once. Here each write goes straight to the file
// descriptor, synchronously, in the order the threads make them.

const backoffCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Write all of `data` to `fd`. Waits out EAGAIN (a full non-blocking pipe:
 * a slow reader) instead of dropping lines; returns false once the reader
 * has gone (EPIPE, or the descriptor was closed).
 */
function writeAll(fd: number, data: Uint8Array): boolean {
  let offset = 0;
  let backoffMs = 1;
  while (offset < data.byteLength) {
    try {
      offset += nodeFs().writeSync(fd, data, offset, data.byteLength - offset);
      backoffMs = 1;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK') {
        Atomics.wait(backoffCell, 0, 0, backoffMs);
        backoffMs = Math.min(backoffMs * 2, 50);
        continue;
      }
      return false;
    }
  }
  return true;
}

type WriteCallback = (error?: Error | null) => void;

function makeSynchronous(stream: NodeJS.WriteStream, fd: number): void {
  let open = true;
  stream.write = function write(
    chunk: unknown,
    encodingOrCallback?: BufferEncoding | WriteCallback,
    maybeCallback?: WriteCallback,
  ): boolean {
    const callback = typeof encodingOrCallback === 'function' ? encodingOrCallback : maybeCallback;
    const encoding = typeof encodingOrCallback === 'string' ? encodingOrCallback : 'utf8';
    if (open) {
      const data =
        typeof chunk === 'string'
          ? Buffer.from(chunk, encoding)
          : chunk instanceof Uint8Array
            ? chunk
            : Buffer.from(String(chunk));
      // Once the reader is gone, later output is dropped instead of raising
      // in whatever code happened to print.
      open = writeAll(fd, data);
    }
    if (callback) process.nextTick(callback);
    return true;
  } as typeof stream.write;
}

/** Make this worker's stdout and stderr write synchronously to fds 1 and 2. */
export function installSynchronousStdio(): void {
  makeSynchronous(process.stdout, 1);
  makeSynchronous(process.stderr, 2);
}
