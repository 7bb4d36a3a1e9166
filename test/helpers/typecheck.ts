// Type-check TypeScript sources that exist only in memory, as if they were
// files of this repository: `import 'skein'` resolves to this package (dist/),
// with the repository's own tsconfig.json.
import ts from 'typescript';
import { repoRoot } from './repo-root.js';

/** One compiler error, with the text it underlines. */
export interface Found {
  file: string;
  code: number;
  /** Zero-based line of the error in its file. */
  line: number;
  text: string;
  message: string;
}

let baseOptions: ts.CompilerOptions | undefined;
// lib, @types/node and dist are parsed once for every check.
const cache = new Map<string, ts.SourceFile | undefined>();

/**
 * Type-check `sources` (absolute path → text; paths inside the repository)
 * and return every syntactic and semantic error in them.
 */
export function typecheck(sources: Map<string, string>, overrides: ts.CompilerOptions = {}): Found[] {
  baseOptions ??= ts.parseJsonConfigFileContent(
    ts.readConfigFile(`${repoRoot}tsconfig.json`, ts.sys.readFile).config,
    ts.sys,
    repoRoot,
  ).options;
  const options = { ...baseOptions, ...overrides, noEmit: true };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => sources.has(file) || fileExists.call(host, file);
  host.readFile = (file) => sources.get(file) ?? readFile.call(host, file);
  host.getSourceFile = (file, language, ...rest) => {
    const text = sources.get(file);
    if (text !== undefined) return ts.createSourceFile(file, text, language, true);
    if (!cache.has(file)) cache.set(file, getSourceFile.call(host, file, language, ...rest));
    return cache.get(file);
  };
  const program = ts.createProgram({ rootNames: [...sources.keys()], options, host });
  const found: Found[] = [];
  for (const path of sources.keys()) {
    const file = program.getSourceFile(path)!;
    for (const d of [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]) {
      const start = d.start ?? 0;
      found.push({
        file: path,
        code: d.code,
        line: file.getLineAndCharacterOfPosition(start).line,
        text: file.text.slice(start, start + (d.length ?? 0)),
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      });
    }
  }
  return found;
}
