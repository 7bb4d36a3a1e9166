// The repository's root directory, with a trailing slash. Apart from
// typecheck.ts, whose TypeScript compiler costs a test file about a second
// to load.
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
