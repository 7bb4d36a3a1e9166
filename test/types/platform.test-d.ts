// The browser build swaps each module `X.ts` that has a sibling `X.browser.ts`
// for it (see src/platform.ts and scripts/build.ts): each pair exports the
// same names with the same types, checked by `tsc --noEmit` (npm run typecheck).
// test/package/browser-build.test.ts checks that every pair is listed here.
import { expectTypeOf } from 'expect-type';
import type * as coresForBrowsers from '../../src/cores.browser.js';
import type * as cores from '../../src/cores.js';
import type * as hostForBrowsers from '../../src/host.browser.js';
import type * as host from '../../src/host.js';
import type * as relayForBrowsers from '../../src/relay/relay.browser.js';
import type * as relay from '../../src/relay/relay.js';
import type * as execArgvForBrowsers from '../../src/thread/exec-argv.browser.js';
import type * as execArgv from '../../src/thread/exec-argv.js';
import type * as localFilesForBrowsers from '../../src/thread/local-files.browser.js';
import type * as localFiles from '../../src/thread/local-files.js';
import type * as stopOnSignalsForBrowsers from '../../src/thread/stop-on-signals.browser.js';
import type * as stopOnSignals from '../../src/thread/stop-on-signals.js';
import type * as entryForBrowsers from '../../src/worker/entry.browser.js';
import type * as entry from '../../src/worker/entry.js';
import type * as isolationForBrowsers from '../../src/worker/isolation.browser.js';
import type * as isolation from '../../src/worker/isolation.js';
import type * as processForBrowsers from '../../src/worker/process.browser.js';
import type * as workerProcess from '../../src/worker/process.js';
import type * as stdioForBrowsers from '../../src/worker/stdio.browser.js';
import type * as stdio from '../../src/worker/stdio.js';
import type * as typeScriptForBrowsers from '../../src/worker/typescript.browser.js';
import type * as typeScript from '../../src/worker/typescript.js';

/** A module's exports and their types (an `export const` is readonly in a namespace, an `export function` not: no matter here). */
type Exports<T> = { -readonly [K in keyof T]: T[K] };

expectTypeOf<Exports<typeof hostForBrowsers>>().toEqualTypeOf<Exports<typeof host>>();
expectTypeOf<Exports<typeof coresForBrowsers>>().toEqualTypeOf<Exports<typeof cores>>();
expectTypeOf<Exports<typeof relayForBrowsers>>().toEqualTypeOf<Exports<typeof relay>>();
expectTypeOf<Exports<typeof localFilesForBrowsers>>().toEqualTypeOf<Exports<typeof localFiles>>();
expectTypeOf<Exports<typeof execArgvForBrowsers>>().toEqualTypeOf<Exports<typeof execArgv>>();
expectTypeOf<Exports<typeof stopOnSignalsForBrowsers>>().toEqualTypeOf<Exports<typeof stopOnSignals>>();
expectTypeOf<Exports<typeof entryForBrowsers>>().toEqualTypeOf<Exports<typeof entry>>();
expectTypeOf<Exports<typeof isolationForBrowsers>>().toEqualTypeOf<Exports<typeof isolation>>();
expectTypeOf<Exports<typeof processForBrowsers>>().toEqualTypeOf<Exports<typeof workerProcess>>();
expectTypeOf<Exports<typeof stdioForBrowsers>>().toEqualTypeOf<Exports<typeof stdio>>();
expectTypeOf<Exports<typeof typeScriptForBrowsers>>().toEqualTypeOf<Exports<typeof typeScript>>();
