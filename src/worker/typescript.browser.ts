/**
 * src/worker/typescript.ts for browsers: a browser imports JavaScript only
 * (a module target is a `.js` URL the page serves), so there is no
 * TypeScript loader to register.
 */

/** No TypeScript loader in a browser: resolves false. */
export async function registerTypeScriptLoader(_moduleUrl: string, _hints: readonly string[]): Promise<boolean> {
  return false;
}

/** No cache to land in a browser. */
export async function landTypeScriptCache(): Promise<void> {}

/** Nothing to prepare in a browser. */
export async function prepareTypeScript(_hints: readonly string[]): Promise<void> {}
