// examples/http-server.ts: a pool task stops when its HTTP client goes away.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runScript } from '../helpers/bounded.js';

it('stops the task of a client that disconnects, runs its finally, and serves the next client', async () => {
  // Were the abandoned task not stopped, counting primes below 1e9 would
  // hold pool.shutdown() far past this bound.
  const run = await runScript('examples/http-server.ts', { timeoutMs: 60_000 });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  const lines = run.stdout.trimEnd().split('\n');
  const at = (line: string): number => {
    const index = lines.indexOf(line);
    assert.notEqual(index, -1, `missing line: ${line}\n${run.stdout}`);
    return index;
  };
  const disconnected = at('client: computation started, disconnecting');
  const noticed = at('server: client for limit 1000000000 went away, stopping its task');
  const cleanedUp = at('  task for limit 1000000000: finally ran');
  assert.ok(disconnected < noticed && noticed < cleanedUp, run.stdout);
  assert.equal(lines.at(-1), 'client: 9592 primes below 100000');
});
