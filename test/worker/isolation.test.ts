// What makes a worker clean enough to serve another thread (src/worker/isolation.ts),
// checked on this thread's own globals: the snapshot, then one change at a time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUnchangedSince, takeSnapshot } from '../../src/worker/isolation.js';

const onBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';
const onDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';
const skip = onBun
  ? 'Bun never gives a worker another thread'
  : onDeno
    ? "on Deno, `deno test` adds properties to this thread's console and process as they are read (its workers' stay put: test/thread/standby.test.ts)"
    : false;

// Synchronous from snapshot to check: nothing else runs in between.
describe('a worker is as clean as its snapshot', { skip }, () => {
  it('right after the snapshot', () => {
    assert.equal(isUnchangedSince(takeSnapshot()), true);
  });

  it('not with a new global, and again once it is gone', () => {
    const snapshot = takeSnapshot();
    (globalThis as Record<string, unknown>).leftBehind = 1;
    assert.equal(isUnchangedSince(snapshot), false);
    delete (globalThis as Record<string, unknown>).leftBehind;
    assert.equal(isUnchangedSince(snapshot), true);
  });

  it('not with a patched built-in (an object two levels below the global), and again once restored', () => {
    const snapshot = takeSnapshot();
    const at = Array.prototype.at;
    Array.prototype.at = function patched(this: unknown[], index: number) {
      return at.call(this, index);
    };
    try {
      assert.equal(isUnchangedSince(snapshot), false);
    } finally {
      Array.prototype.at = at;
    }
    assert.equal(isUnchangedSince(snapshot), true);
  });

  it('not with a property made read-only', () => {
    const snapshot = takeSnapshot();
    const descriptor = Object.getOwnPropertyDescriptor(Math, 'max')!;
    Object.defineProperty(Math, 'max', { ...descriptor, writable: false });
    try {
      assert.equal(isUnchangedSince(snapshot), false);
    } finally {
      Object.defineProperty(Math, 'max', descriptor);
    }
  });

  it('with a global deleted and defined again as it was (in another order: Deno does so), not with another value', () => {
    const snapshot = takeSnapshot();
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'queueMicrotask')!;
    const restore = (value: unknown): void => {
      delete (globalThis as Record<string, unknown>).queueMicrotask;
      Object.defineProperty(globalThis, 'queueMicrotask', { ...descriptor, value });
    };
    try {
      restore(descriptor.value);
      assert.equal(
        Object.getOwnPropertyNames(globalThis).at(-1),
        'queueMicrotask',
        'now last of the global object’s names',
      );
      assert.equal(isUnchangedSince(snapshot), true);
      restore(() => {});
      assert.equal(isUnchangedSince(snapshot), false);
    } finally {
      restore(descriptor.value);
    }
  });

  it('not while it holds much more memory than it did (a parked worker collects no garbage)', () => {
    const snapshot = takeSnapshot();
    const held = new Uint8Array(32 * 1024 * 1024).fill(1);
    assert.equal(isUnchangedSince(snapshot), false, 'a 32 MiB buffer held');
    assert.equal(held[0], 1);
  });

  it('with a little more memory than it had', () => {
    const snapshot = takeSnapshot();
    const held = new Uint8Array(64 * 1024).fill(1);
    assert.equal(isUnchangedSince(snapshot), true, 'a 64 KiB buffer held');
    assert.equal(held[0], 1);
  });
});
