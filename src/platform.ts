/**
 * Which JavaScript runtime skein runs on, and what it cannot do there.
 * skein targets Node.js; Bun and Deno run it through their Node
 * compatibility, except for what is refused here with a NotSupportedError
 * (see the README's FAQ, "Does skein run on Bun and Deno?").
 */
import { NotSupportedError } from './errors.js';

/** The runtime: `"bun"`, `"deno"`, or `"node"` for Node.js itself. */
export const runtime: 'node' | 'bun' | 'deno' =
  typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined'
    ? 'bun'
    : typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined'
      ? 'deno'
      : 'node';

const unsupported: Record<string, Partial<Record<typeof runtime, string>>> = {
  resourceLimits: {
    bun: 'Bun ignores the resourceLimits of a worker, so the thread would run without them',
    deno: 'on Deno a worker stopped at its resourceLimits is never reported as ended, so the thread would never join',
  },
};

/** Throw NotSupportedError if the current runtime cannot do `feature`. */
export function checkSupported(feature: keyof typeof unsupported): void {
  const why = unsupported[feature]?.[runtime];
  if (why !== undefined) {
    throw new NotSupportedError(
      `\`${feature}\` is not supported on ${runtime}: ${why}; run on Node.js to use it`,
      feature,
      runtime,
    );
  }
}
