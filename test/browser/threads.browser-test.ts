// skein's threads in real browsers (Chromium and Firefox ESR): Thread and
// ThreadPoolExecutor on module Web Workers, run by the one worker runtime
// (src/worker/) through the browser build. `npm run test:browsers`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { within } from '../helpers/bounded.js';
import { browserKinds, type Launched, runPage, type Served, serve } from './harness.js';

interface Refusal {
  name: string;
  code: string;
  message: string;
}

let served: Served;
before(async () => {
  served = await serve();
});
after(async () => {
  await served?.close();
});

for (const kind of browserKinds) {
  describe(`skein threads in ${kind.name}`, () => {
    let launched: Launched | undefined;
    let browser: Browser;
    before(async () => {
      launched = await within(kind.launch(), 60_000, `launch ${kind.name} (${kind.executablePath})`);
      browser = launched.browser;
    });
    after(async () => {
      await launched?.close();
    });

    it('runs inline and module targets on Web Workers: results, errors with their class, stops asked and forced', async () => {
      const { result, console } = await runPage<Record<string, unknown>>(browser, `${served.origin}/run/threads`);
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
  });
}
