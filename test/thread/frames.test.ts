// What a user reads of an error raised in a thread (issue #13, items 8, 11,
// 12): the default excepthook prints the same lines whichever worker ran
// the thread; the frames point at the user's file and line, not at skein's
// worker runtime or an `eval at compile` in skein's bundle; skein's own
// frames resolve through its source maps to src/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Thread } from 'skein';
import { joinOrFail, runScript } from '../helpers/bounded.js';
import { checkLeaksAfterEach } from '../helpers/leak-check.js';
import { withHook } from '../helpers/threads.js';

checkLeaksAfterEach();

/** The 1-based line of this file that holds `text`. */
function lineOf(text: string): number {
  const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  const at = lines.findIndex((line) => line.includes(text));
  assert.notEqual(at, -1, `${text} is in this file`);
  return at + 1;
}

function failsHere(): never {
  throw new Error('raised in the test file');
}

describe('frames of errors raised in threads', () => {
  it('prints the same excepthook output for a thread on a standby worker and on a fresh one', async () => {
    const run = await runScript('test/fixtures/scenarios/hook-standby-fresh.mjs');
    assert.equal(run.code, 0, run.stderr);
    const reports = run.stderr.split(/^(?=Exception in thread)/m).filter((part) => part.trim() !== '');
    assert.equal(reports.length, 2, run.stderr);
    assert.equal(reports[0], reports[1], 'standby and fresh worker print the same lines');
    assert.match(
      reports[0]!,
      /^Exception in thread same:\nError: kaboom\n\s+at explode \(.*hook-standby-fresh\.mjs:7:\d+\)\n$/,
    );
    assert.doesNotMatch(
      run.stderr,
      /runJob|runThreadJob|runWorker|runTask|runPoolWorker|dist[\\/]/,
      "no frame of skein's runtime",
    );
  });

  it("points an inline target's frames at the file, line and column it was written at", async () => {
    const run = await runScript('test/fixtures/scenarios/inline-frames.mjs');
    assert.equal(run.code, 0, run.stderr);
    const file = new URL('../fixtures/scenarios/inline-frames.mjs', import.meta.url).href;
    const [thread, task, own] = run.stdout.split(/\n(?=\S)/);
    // Deno prints a frame of code compiled as a file `(file, <anonymous>:line:column)`.
    const at = (position: string): string => `${file.replace(/[.]/g, '\\.')}(?:, <anonymous>)?:${position}`;
    assert.match(
      thread!,
      new RegExp(`^Error: kaboom\\n    at explode \\(${at('8:26')}\\)\\n    at explode \\(${at('9:10')}\\)$`),
      'the thread target, as written',
    );
    // An anonymous function's frame is named `eval` (the Function constructor compiled it) or not named.
    const frame = (position: string): string => `\\n\\s+at (?:eval \\()?${at(position)}\\)?`;
    assert.match(
      task!,
      new RegExp(`^TypeError: Cannot read properties of undefined \\(reading 'field'\\)${frame('18:58')}$`),
    );
    assert.match(
      own!,
      /\n\s+at toTimeoutMs \(.*src[\\/]sync[\\/]timeout\.ts:\d+:\d+\)\n/,
      "skein's frame, mapped to src/",
    );
    assert.match(own!, new RegExp(`${frame('21:\\d+')}\\n?$`));
  });

  it('names the line where a TypeScript target was written (compiled under tsx)', async () => {
    await withHook(async () => {
      const thread = new Thread({ target: failsHere });
      thread.start();
      await joinOrFail(thread);
      const stack = (thread.exception as Error).stack ?? '';
      const file = fileURLToPath(import.meta.url).replace(/[.\\]/g, '\\$&');
      // Its declaration (tsx rewrites the source, which is then placed by name) or the line it throws on.
      const declared = lineOf('function failsHere');
      assert.match(
        stack,
        new RegExp(
          `^Error: raised in the test file\\n\\s+at failsHere \\(.*${file}(?:, <anonymous>)?:(?:${declared}|${declared + 1}):\\d+\\)`,
        ),
      );
    });
  });

  it("prints the error of a thread whose starter has ended, from the thread's own worker", async () => {
    const run = await runScript('test/fixtures/scenarios/orphan-error.mjs');
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /^Exception in thread orphan:\nRangeError: raised after its starter ended\n\s+at .*orphan-error\.mjs(?:, <anonymous>)?:\d+:\d+/m,
    );
    assert.doesNotMatch(run.stderr, /\[object Object\]/);
  });
});
