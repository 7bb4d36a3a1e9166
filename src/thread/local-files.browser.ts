/**
 * src/thread/local-files.ts for browsers: files are fetched by URL, never
 * local; a frame keeps the place the browser gives it (a browser's devtools
 * map it through the source maps themselves), and a module target is a URL
 * the browser imports (a path is one on the page's server).
 */

/** Never local in a browser: undefined. */
export function localDirectory(_rootUrl: string, _name: string): string | undefined {
  return undefined;
}

/** No mapping in a browser: undefined. */
export function mapLocation(_location: string): string | undefined {
  return undefined;
}

/** No local files in a browser: undefined. */
export function readLocalText(_url: string): string | undefined {
  return undefined;
}

/** No file paths in a browser: a module target's `/a/b.js` is a URL on the page's server. */
export function isAbsolutePath(_module: string): boolean {
  return false;
}

/** No file paths in a browser: `path` as a URL on the page's server. */
export function fileUrlOf(path: string): string {
  return new URL(path, (globalThis as unknown as { location: { href: string } }).location.href).href;
}

/** Nothing to check in a browser: a module that is not there fails its thread when it is imported. */
export function checkLocalModule(_url: string, _role: string): void {}
