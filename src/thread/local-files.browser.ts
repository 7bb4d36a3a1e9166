/**
 * src/thread/local-files.ts for browsers: skein's files are fetched by
 * URL, never local, and a frame keeps the place the browser gives it (a
 * browser's devtools map it through the source maps themselves).
 */

/** Never local in a browser: undefined. */
export function localDirectory(_rootUrl: string, _name: string): string | undefined {
  return undefined;
}

/** No mapping in a browser: undefined. */
export function mapLocation(_location: string): string | undefined {
  return undefined;
}
