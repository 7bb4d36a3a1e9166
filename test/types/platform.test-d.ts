// The browser build swaps each module `X.ts` that has a sibling `X.browser.ts`
// for it (see src/platform.ts and scripts/build.ts): each pair exports the
// same names with the same types, checked by `tsc --noEmit` (npm run typecheck).
// test/package/browser-build.test.ts checks that every pair is listed here.
import { expectTypeOf } from 'expect-type';
import type * as hostForBrowsers from '../../src/host.browser.js';
import type * as host from '../../src/host.js';
import type * as relayForBrowsers from '../../src/relay/relay.browser.js';
import type * as relay from '../../src/relay/relay.js';
import type * as localFilesForBrowsers from '../../src/thread/local-files.browser.js';
import type * as localFiles from '../../src/thread/local-files.js';

/** A module's exports and their types (an `export const` is readonly in a namespace, an `export function` not: no matter here). */
type Exports<T> = { -readonly [K in keyof T]: T[K] };

expectTypeOf<Exports<typeof hostForBrowsers>>().toEqualTypeOf<Exports<typeof host>>();
expectTypeOf<Exports<typeof relayForBrowsers>>().toEqualTypeOf<Exports<typeof relay>>();
expectTypeOf<Exports<typeof localFilesForBrowsers>>().toEqualTypeOf<Exports<typeof localFiles>>();
