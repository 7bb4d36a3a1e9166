// An HTTP server whose CPU-heavy handler runs in a pool task, and stops —
// finally block and all — when the client goes away. The worker is reused
// for the next request; nothing is killed.
//
// Run it: node --import tsx examples/http-server.ts
// It serves on 127.0.0.1 only, makes two requests to itself (one abandoned
// mid-computation, one waited for), prints what happened, and exits.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Event, ThreadPoolExecutor, throwIfStopped } from 'skein';

/** Count primes below `limit` the slow way, checking for a stop request as it goes. */
function countPrimes(limit: number, started: Event): number {
  started.set();
  let count = 0;
  try {
    for (let n = 2; n < limit; n++) {
      if ((n & 1023) === 0) throwIfStopped(); // cheap: one shared-memory read per 1,024 numbers
      let prime = true;
      for (let d = 2; d * d <= n; d++) {
        if (n % d === 0) {
          prime = false;
          break;
        }
      }
      if (prime) count++;
    }
    return count;
  } finally {
    console.log(`  task for limit ${limit}: finally ran`);
  }
}

const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
const startedByLimit = new Map<number, Event>();

const server = createServer((req, res) => {
  const limit = Number(new URL(req.url ?? '/', 'http://localhost').searchParams.get('limit') ?? 1e6);
  const started = startedByLimit.get(limit) ?? new Event();
  // The client going away before the answer aborts this signal (a fetch
  // Request has one of its own: request.signal), and that stops the task.
  const clientGone = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) {
      console.log(`server: client for limit ${limit} went away, stopping its task`);
      clientGone.abort();
    }
  });
  const future = pool.submit(countPrimes, limit, started).stopOn(clientGone.signal);
  future.then(
    (count) => res.end(`${count} primes below ${limit}\n`),
    (error: unknown) => {
      if (!res.destroyed) res.writeHead(500).end(String(error));
    },
  );
});

await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

/** GET /?limit=… and resolve with the body, or reject if aborted. */
function get(limit: number, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/?limit=${limit}`, signal }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

// 1. A client that gives up: it disconnects once its computation has started.
const huge = 1e9;
const hugeStarted = new Event();
startedByLimit.set(huge, hugeStarted);
const giveUp = new AbortController();
const abandoned = get(huge, giveUp.signal).catch(() => 'client: gave up');
await hugeStarted.waitAsync();
console.log('client: computation started, disconnecting');
giveUp.abort();
console.log(await abandoned);

// 2. A client that waits for its answer, served by the same reused worker.
console.log(`client: ${(await get(100_000)).trim()}`);

server.close();
await pool.shutdown();
