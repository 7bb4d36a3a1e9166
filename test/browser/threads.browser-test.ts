// skein's threads in real browsers (Chromium and Firefox ESR): Thread and
// ThreadPoolExecutor on module Web Workers, run by the one worker runtime
// (src/worker/) through the browser build; and the seed walkthrough page
// (examples/browser/seed/). `npm run test:browsers`.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { browserKinds, launchFor, type Refusal, runPage, type Served, serve } from './harness.js';

const fiveSteps = `${'Worker thread running...\n'.repeat(5)}Worker closing down\n`;
const stoppedAfterTwo =
  'Worker thread running...\nWorker thread running...\nMain stopping thread\nWorker closing down\n';
const seedOutput = [
  `== 1. A thread running a function ==\n${fiveSteps}`,
  `== 2. The same function, stopped on demand with an Event ==\n${stoppedAfterTwo}`,
  `== 3. A Thread subclass ==\n${fiveSteps}`,
  `== 4. The subclass, stopped on demand ==\n${stoppedAfterTwo}`,
].join('');

/**
 * The lines the seed page printed, once it is done. The stopped programs
 * are stopped midway between their second and third 1 s step (2.5 s after
 * the start; see the page): a machine so loaded that a thread starts half
 * a second late prints a step fewer, as Python would — so a run that
 * misses is run again, up to three times; a fault fails each.
 */
async function runSeedPage(browser: Browser, url: string): Promise<string> {
  let printed = '';
  for (let attempt = 1; attempt <= 3 && printed !== seedOutput; attempt++) {
    const page = await browser.newPage();
    try {
      await page.goto(url);
      await page.waitForFunction(() => (globalThis as { seedDone?: boolean }).seedDone === true, { timeout: 90_000 });
      printed = await page.$eval('#out', (out) => out.textContent ?? '');
    } finally {
      await page.close();
    }
  }
  return printed;
}

let served: Served;
let repository: Served;
before(async () => {
  served = await serve();
  // The repository's root, as the seed example's README says to serve it.
  repository = await serve({ site: resolve(fileURLToPath(new URL('.', import.meta.url)), '../..') });
});
after(async () => {
  await served?.close();
  await repository?.close();
});

for (const kind of browserKinds) {
  describe(`skein threads in ${kind.name}`, () => {
    const browser = launchFor(kind);

    it('runs inline and module targets on Web Workers: results, errors with their class, stops asked and forced', async () => {
      const { result, console } = await runPage<Record<string, unknown>>(browser(), `${served.origin}/run/threads`);
      const { refused, ...ran } = result as { refused: Record<string, Refusal | boolean> } & Record<string, unknown>;
      assert.deepEqual(ran, {
        inline: 5,
        module: { name: 'who', args: [1, 'two'] },
        rangeError: { name: 'RangeError', message: 'too far', className: 'RangeError', isRangeError: true },
        parseError: {
          name: 'ParseError',
          message: 'unexpected token',
          className: 'ParseError',
          isParseError: true,
          line: 7,
        },
        // A busy synchronous loop saw its stop request; throwIfStopped() ends a thread as stopped, with nothing.
        spinner: { outcome: 'stopped', result: 'noticed' },
        thrower: { outcome: 'stopped' },
        // A loop that never looks: its worker terminated, the thread ended with the error Node gives.
        deaf: {
          outcome: 'forced',
          alive: false,
          name: 'ThreadExitError',
          message: 'thread "deaf" was terminated by a forced stop before it finished: its `finally` blocks did not run',
          className: 'ThreadExitError',
          reason: 'terminated',
          isExitError: true,
        },
        fromSignal: { result: true, doneSignalAborted: true },
        stoppedBySignal: 'stopped by its signal',
        current: 'MainThread',
      });
      // The thread's console lines reach the page's console, in order, before its join resolves.
      const lines = console.filter((line) => /^(?:thread|page) .*line/.test(line));
      assert.deepEqual(lines, [
        'thread line 1',
        'thread line 2',
        'thread line 3',
        'thread error line',
        'page line after join',
      ]);
      // Errors nobody caught are reported to the page's console by the excepthook, as on Node.
      assert.ok(
        console.some((line) => line.startsWith('Exception in thread Thread-') && line.includes('too far')),
        console.join('\n'),
      );
      for (const [what, refusal] of Object.entries(refused)) {
        if (what === 'isNotSupported') continue;
        assert.equal((refusal as Refusal).name, 'NotSupportedError', `${what}: ${JSON.stringify(refusal)}`);
        assert.equal((refusal as Refusal).code, 'SKEIN_ERR_NOT_SUPPORTED');
      }
      assert.equal(refused.isNotSupported, true);
      assert.match((refused.resourceLimits as Refusal).message, /`resourceLimits` is not supported in a browser/);
      assert.match(
        (refused.joinSync as Refusal).message,
        /cannot block the page's main thread.*`await thread\.join\(\)`/,
      );
      assert.match((refused.stopOnSignals as Refusal).message, /no process signals/);
      assert.match((refused.setStandbyThreads as Refusal).message, /`setStandbyThreads\(\)` is not supported/);
    });

    it("prints the seed walkthrough's lines in order on the page (examples/browser/seed/, an import map)", async () => {
      const printed = await runSeedPage(browser(), `${repository.origin}/examples/browser/seed/`);
      assert.equal(printed, seedOutput);
    });

    it('runs a ThreadPoolExecutor on Web Workers: submit, map, FIFO start, errors with their class, future.stop()', async () => {
      const { result } = await runPage<Record<string, unknown>>(browser(), `${served.origin}/run/pool`);
      assert.deepEqual(result, {
        square: 49,
        mapped: [2, 3, 4, 5, 6, 7],
        failed: { name: 'ParseError', isParseError: true, line: 7 },
        // A pool of 4 given 4 + 3 blocking tasks starts exactly the first 4; the rest start in order once released.
        startedWhileBusy: [0, 1, 2, 3],
        queuedCancelled: true,
        fifo: [0, 1, 2, 3, 4, 5, 'cancelled'],
        spinner: { outcome: 'stopped', result: 'noticed' },
        deaf: { outcome: 'forced', cancelled: true },
        after: 42,
        refusedAfterShutdown: { name: 'RuntimeError', message: 'cannot schedule new futures after shutdown' },
      });
    });
  });
}
