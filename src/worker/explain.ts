/** Errors from the worker side, made to say what went wrong and what to do. */
import { exportNames } from './scope.js';

const compilerHelpers =
  /^(?:__awaiter|__generator|__extends|__assign|__rest|__decorate|__param|__metadata|__values|__read|__spread\w*|__await|__asyncGenerator|__asyncValues|__classPrivateField\w*|__publicField|__privateGet|__privateSet|__privateAdd|__require|__toESM|__commonJS|_asyncToGenerator|_classCallCheck|_defineProperty|_createClass|_inherits|_regeneratorRuntime|_objectSpread\d*)$/;

/**
 * A ReferenceError for a name that appears in an inline target's source is
 * almost always a variable of the scope the target was written in, which
 * does not travel with its source. Say so, and what to do instead.
 */
export function explainMissingName(error: unknown, sources: string[], where: string): unknown {
  try {
    return explain(error, sources, where);
  } catch {
    // An error whose fields cannot be read or written is sent as it is.
    return error;
  }
}

function explain(error: unknown, sources: string[], where: string): unknown {
  if (!(error instanceof ReferenceError)) return error;
  const name = /^(\S+) is not defined$/.exec(error.message)?.[1];
  if (name === undefined) return error;
  const escaped = name.replace(/[$]/g, '\\$&');
  const used = new RegExp(`(?:^|[^\\w$.])${escaped}(?:[^\\w$]|$)`);
  if (!sources.some((source) => used.test(source))) return error;
  const original = `${error.name}: ${error.message}`;
  // `skein.Event`: the name is a namespace import of skein (`import * as skein`).
  const member = new RegExp(`(?:^|[^\\w$.])${escaped}\\s*\\.\\s*([\\w$]+)`, 'g');
  const exported = sources
    .flatMap((source) => [...source.matchAll(member)].map((match) => match[1]!))
    .find((property) => exportNames.includes(property));
  error.message = compilerHelpers.test(name)
    ? `\`${name}\` is not defined in ${where}: it is a helper your compiler inserted into the ` +
      "target's source, and an inline target is sent to the thread as source alone. Compile for ES2022 or later " +
      '(tsconfig "target"), or use a module target { module: import.meta.url, export: "name" }'
    : exported !== undefined
      ? `\`${name}\` is not defined in ${where}: an inline target is sent to the thread as source code, and ` +
        `a namespace import of skein (\`import * as ${name}\`) does not travel with it. skein's exports are in ` +
        `scope there by their own names: write \`${exported}\`, not \`${name}.${exported}\` — or use a module ` +
        'target { module: import.meta.url, export: "name" } so that its imports work'
      : `\`${name}\` is not defined in ${where}: an inline target is sent to the thread as source code, ` +
        `so it cannot see variables of the scope it was written in. Pass ${name} in \`args\`, or use a module ` +
        'target { module: import.meta.url, export: "name" } so that its imports work. If it is one of ' +
        "skein's exports imported under another name (`import { Event as Ev }`), write its own name: skein's " +
        'exports are in scope in an inline target by their own names, and an alias does not travel';
  if (error.stack?.startsWith(original))
    error.stack = `${error.name}: ${error.message}${error.stack.slice(original.length)}`;
  return error;
}
