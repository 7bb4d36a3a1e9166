// move(value): buffers and ports moved, not copied, into thread and task
// arguments and out of results; big copies; every bad move refused by name.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { describe, it } from 'node:test';
import { Thread, ThreadPoolExecutor, move } from 'skein';
import { joinOrFail, within } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';

checkLeaksAfterEach();

const fixtures = new URL('../fixtures/', import.meta.url);
const MiB = 1024 * 1024;

describe('move() into a pool task', () => {
  it('moves an argument: the sender’s buffer is detached when submit() returns, the task has the bytes', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const bytes = new Uint8Array(MiB).fill(7);
    const future = pool.submit((data: Uint8Array) => [data.length, data[data.length - 1]], move(bytes));
    assert.equal(bytes.byteLength, 0, 'detached at once');
    assert.deepEqual(await within(future.result(), 10_000, 'get the result'), [MiB, 7]);
  });

  it('moves buffers nested in objects, arrays, Maps and Sets', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const a = new Uint8Array(16).fill(1);
    const b = new ArrayBuffer(32);
    const c = new Float64Array(4).fill(2.5);
    const d = new Uint8Array(8).fill(4);
    const arg = { job: { data: move(a) }, list: [1, move(b)], map: new Map([['c', move(c)]]), set: new Set([move(d)]) };
    const future = pool.submit(
      (x: typeof arg) => [
        x.job.data[0],
        x.list[1] instanceof ArrayBuffer && (x.list[1] as ArrayBuffer).byteLength,
        x.map.get('c')![3],
        [...x.set][0]![7],
      ],
      arg,
    );
    assert.deepEqual([a.byteLength, b.byteLength, c.byteLength, d.byteLength], [0, 0, 0, 0]);
    assert.deepEqual(await within(future.result(), 10_000, 'get the result'), [1, 32, 2.5, 4]);
  });

  it('keeps a view’s offset and length: a subarray moves its whole buffer, a DataView too', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const whole = new Uint8Array(64).map((_, i) => i);
    const dv = new DataView(new ArrayBuffer(16), 4, 8);
    dv.setUint8(0, 99);
    const future = pool.submit(
      (p: Uint8Array, v: DataView) => [
        [p.byteOffset, p.length, p.buffer.byteLength, p[0]],
        [v instanceof DataView, v.byteOffset, v.byteLength, v.buffer.byteLength, v.getUint8(0)],
      ],
      move(whole.subarray(10, 20)),
      move(dv),
    );
    assert.equal(whole.byteLength, 0, 'moving the subarray detached the whole buffer');
    assert.equal(dv.buffer.byteLength, 0);
    assert.deepEqual(await within(future.result(), 10_000, 'get the views'), [
      [10, 10, 64, 10],
      [true, 4, 8, 16, 99],
    ]);
  });

  it('moves a result back, as the returned value or inside it: the task’s own buffer is detached', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const returned = await within(
      pool
        .submit(() => {
          const out = new Uint8Array(1024 * 1024).fill(3);
          (globalThis as { kept?: Uint8Array }).kept = out;
          return { sum: 42, out: move(out.subarray(8)) };
        })
        .result(),
      10_000,
      'get the moved result',
    );
    assert.equal(returned.sum, 42);
    assert.ok(returned.out instanceof Uint8Array);
    assert.deepEqual([returned.out.byteOffset, returned.out.length, returned.out[0]], [8, MiB - 8, 3]);
    // The same worker (one in the pool) runs the next task: its buffer went with the result.
    const kept = await pool.submit(() => (globalThis as { kept?: Uint8Array }).kept!.byteLength).result();
    assert.equal(kept, 0);
    const bare = await pool.submit(() => move(new ArrayBuffer(64))).result();
    assert.ok(bare instanceof ArrayBuffer && bare.byteLength === 64);
  });

  it('copies what is not moved, big or small: the sender keeps it, views of one buffer arrive sharing one', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const big = new Uint8Array(4 * MiB).fill(9);
    const head = big.subarray(0, 16);
    const tail = big.subarray(4 * MiB - 16);
    const small = new Uint8Array(100).fill(1);
    const seen = await within(
      pool
        .submit(
          (h: Uint8Array, t: Uint8Array, s: Uint8Array) => {
            t[0] = 77;
            return [h.buffer === t.buffer, t.byteOffset, h[0], s.length, new Uint8Array(h.buffer)[t.byteOffset]];
          },
          head,
          tail,
          small,
        )
        .result(),
      10_000,
      'get the result',
    );
    assert.deepEqual(seen, [true, 4 * MiB - 16, 9, 100, 77]);
    assert.equal(big.byteLength, 4 * MiB, 'the sender keeps its buffer');
    assert.equal(big[4 * MiB - 16], 9, 'the task changed its own copy');
    // A big result not moved is copied: the task's buffer stays.
    const out = await pool
      .submit(() => {
        const kept = new Uint8Array(1024 * 1024).fill(6);
        (globalThis as { kept?: Uint8Array }).kept = kept;
        return kept;
      })
      .result();
    assert.equal(out[0], 6);
    assert.equal(await pool.submit(() => (globalThis as { kept?: Uint8Array }).kept!.byteLength).result(), MiB);
  });

  it('moves a MessagePort that carries messages both ways between main and the running task', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const { port1, port2 } = new MessageChannel();
    const future = pool.submit(async (port: MessagePort) => {
      // The web API (a port that arrived in a message is a web MessagePort on Deno), every message kept.
      const inbox: unknown[] = [];
      let arrived: (() => void) | undefined;
      port.addEventListener('message', (event) => {
        inbox.push((event as MessageEvent).data);
        arrived?.();
      });
      port.start();
      const next = async (): Promise<unknown> => {
        while (inbox.length === 0) await new Promise<void>((resolve) => (arrived = resolve));
        return inbox.shift();
      };
      const first = (await next()) as number;
      port.postMessage(first * 2);
      const second = (await next()) as string;
      port.close();
      return `task got ${first} and ${second}`;
    }, move(port2));
    port1.postMessage(21);
    const [reply] = await within(once(port1, 'message'), 10_000, 'get the task’s reply on the port');
    assert.equal(reply, 42);
    port1.postMessage('bye');
    assert.equal(await within(future.result(), 10_000, 'get the result'), 'task got 21 and bye');
    port1.close();
  });
});

describe('move() into a Thread and back', () => {
  it('moves args and fields: detached when start() returns; the result moves back', async () => {
    const bytes = new Uint8Array(MiB).fill(8);
    const thread = new Thread({
      target: (data: Uint8Array, nested: { view: Uint16Array }) =>
        move(new Uint8Array([data[0]!, data.length / (1024 * 1024), nested.view.byteOffset, nested.view[0]!])),
      args: [move(bytes), { view: move(new Uint16Array(16).fill(3).subarray(2)) }],
    });
    thread.start();
    assert.equal(bytes.byteLength, 0, 'detached at once');
    await joinOrFail(thread);
    assert.equal(thread.exception, undefined);
    assert.deepEqual([...(thread.result as Uint8Array)], [8, 1, 4, 3]);
  });

  it('moves the fields of a Thread subclass', async () => {
    class Summer extends Thread {
      data = move(new Uint8Array(1000).fill(2));
      override run(): number {
        return this.data.reduce((a, b) => a + b, 0);
      }
    }
    const thread = new Summer();
    const data = thread.data;
    thread.start();
    assert.equal(data.byteLength, 0);
    await joinOrFail(thread);
    assert.equal(thread.result, 2000);
  });

  it('copies big args and fields not moved: the sender keeps them, views of one buffer arrive sharing one', async () => {
    const big = new Uint8Array(2 * MiB).fill(1);
    const thread = new Thread({
      target: (head: Uint8Array, tail: Uint8Array) => {
        tail[0] = 2;
        return [head.buffer === tail.buffer, tail.byteOffset, new Uint8Array(head.buffer)[tail.byteOffset]];
      },
      args: [big.subarray(0, 8), big.subarray(MiB)],
    });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.exception, undefined);
    assert.deepEqual(thread.result, [true, MiB, 2]);
    assert.deepEqual([big.byteLength, big[MiB]], [2 * MiB, 1], 'the sender keeps its buffer, unchanged');
  });

  it('moves a MessagePort into a thread', async () => {
    const { port1, port2 } = new MessageChannel();
    const thread = new Thread({
      target: async (port: MessagePort) => {
        // The web API: a port that arrived in a message is a web MessagePort on Deno.
        const n = await new Promise<number>((resolve) => {
          port.addEventListener('message', (event) => resolve((event as MessageEvent).data as number), { once: true });
          port.start();
        });
        port.postMessage(n + 1);
        port.close();
      },
      args: [move(port2)],
    });
    thread.start();
    port1.postMessage(1);
    const [reply] = await within(once(port1, 'message'), 10_000, 'get the thread’s reply');
    assert.equal(reply, 2);
    await joinOrFail(thread);
    port1.close();
  });
});

describe('move() refuses what cannot be moved', () => {
  it('a SharedArrayBuffer or a view of one: shared already', () => {
    assert.throws(() => move(new SharedArrayBuffer(8) as never), {
      name: 'TypeError',
      message:
        'move() cannot move a SharedArrayBuffer: shared memory is shared with every thread already — pass it as is, without move()',
    });
    assert.throws(() => move(new Int32Array(new SharedArrayBuffer(8))), {
      name: 'TypeError',
      message: /^move\(\) cannot move `an Int32Array` \(object\), a view of a SharedArrayBuffer: .* pass it as is/,
    });
  });

  it('a value that is not a buffer, a view or a port', () => {
    for (const value of [{}, 42, 'text', null, [new ArrayBuffer(1)]]) {
      assert.throws(() => move(value as never), {
        name: 'TypeError',
        message:
          /^Expected `value` of move\(\) to be an ArrayBuffer, a typed array, a DataView or a MessagePort, got .*pass them without move\(\) to copy them$/,
      });
    }
  });

  it('a buffer already detached', () => {
    const bytes = new Uint8Array(8);
    structuredClone(bytes, { transfer: [bytes.buffer] });
    assert.throws(() => move(bytes), {
      name: 'TypeError',
      message:
        /^move\(\) was given `an Uint8Array` \(object\) whose ArrayBuffer is detached: it has been moved already/,
    });
  });

  it('a moved buffer sent again, by the place it is in', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const bytes = move(new Uint8Array(8));
    await pool.submit((b: Uint8Array) => b.length, bytes).result();
    assert.throws(() => pool.submit((x: unknown) => x, { data: bytes }), {
      name: 'TypeError',
      message:
        'args[0].data was moved already: its ArrayBuffer is detached. A buffer moves once — move a copy (`move(bytes.slice())`) to keep the original',
    });
  });

  it('the same buffer moved twice in one send, naming both places', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const bytes = new Uint8Array(8);
    assert.throws(() => pool.submit((...x: unknown[]) => x.length, move(bytes), { x: move(bytes.subarray(1)) }), {
      name: 'TypeError',
      message:
        'args[1].x moves the same ArrayBuffer as args[0]: move it once (other views of a moved buffer arrive on it)',
    });
    assert.equal(bytes.byteLength, 8, 'nothing was sent');
    // The same marked value twice is one move: it arrives as one buffer.
    const same = move(new Uint8Array(8));
    assert.equal(await pool.submit((a: Uint8Array, b: Uint8Array) => a === b, same, same).result(), true);
  });

  it('an unmarked MessagePort in a task’s or a thread’s args, pointing to move()', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const { port1, port2 } = new MessageChannel();
    const message =
      'args[0][1].port is a MessagePort, which cannot be copied to another thread: move it there with move(port) (a port belongs to one thread at a time)';
    assert.throws(() => pool.submit((x: unknown) => x, [1, { port: port2 }]), { name: 'TypeError', message });
    const thread = new Thread({ target: (x: unknown) => x, args: [[1, { port: port2 }]] });
    assert.throws(() => thread.start(), { name: 'TypeError', message });
    assert.equal(thread.isAlive(), false);
    port1.close();
    port2.close();
  });

  it('moves in initargs: every worker gets a copy', () => {
    assert.throws(() => new ThreadPoolExecutor({ initializer: () => {}, initargs: [move(new Uint8Array(8))] }), {
      name: 'TypeError',
      message: 'initargs[0] cannot be moved: every worker gets its own copy of `initargs` — pass it without move()',
    });
  });

  it('a bad move in a result fails the task’s future, saying why', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    await assert.rejects(
      within(
        pool
          .submit(() => {
            const x = new Uint8Array(8);
            return [move(x), move(x.subarray(2))];
          })
          .result(),
        10_000,
        'see the task fail',
      ),
      {
        name: 'TypeError',
        message:
          /^the result of task \d+ cannot be sent back to the pool: result\[1\] moves the same ArrayBuffer as result\[0\]/,
      },
    );
    await assert.rejects(
      within(pool.submit(() => ({ port: new MessageChannel().port1 })).result(), 10_000, 'see the task fail'),
      { name: 'TypeError', message: /cannot be sent back to the pool: result\.port is a MessagePort.*move\(port\)/ },
    );
    // The worker is fine: the next task runs.
    assert.equal(await pool.submit(() => 1).result(), 1);
  });
});

// Last in the file: once a process has used a module target, every standby
// worker of a program under tsx gets tsx ready before its first job
// (src/worker/typescript.ts), ~4 times the CPU of a plain worker's boot on
// Node 20, and the threads and pools of every test after this one would pay that.
describe('move() out of a module target', () => {
  it('a moved result leaves the thread’s own buffer detached', async () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const thread = new Thread({
      target: { module: new URL('move-targets.mjs', fixtures), export: 'moveAndWatch' },
      args: [flag],
    });
    thread.start();
    await joinOrFail(thread);
    assert.equal(thread.exception, undefined);
    assert.equal((thread.result as Uint8Array).byteLength, 1024);
    assert.equal(Atomics.load(flag, 0), 1, 'the thread saw its buffer detached after the result was sent');
  });
});
