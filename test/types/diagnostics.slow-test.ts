// A type error in user code points at the argument that is wrong: compile
// small snippets that use skein through the TypeScript compiler API and check
// where each diagnostic lands and what it says.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/repo-root.js';
import { typecheck } from '../helpers/typecheck.js';

// A virtual file inside the repository, so that `import 'skein'` resolves to
// this package (self-reference through package.json `exports`, i.e. dist/).
const snippetPath = `${repoRoot}test/types/__snippet__.ts`;

const preamble = `import { Event, Thread } from 'skein';
function task(event: Event, count: number): string { return String(count) + event.isSet(); }
void task;
`;

/** Type-check `body` (after the preamble) and return its errors. */
function diagnose(body: string): { code: number; text: string; message: string }[] {
  return typecheck(new Map([[snippetPath, preamble + body]])).map(({ code, text, message }) => ({
    code,
    text,
    message,
  }));
}

describe('type errors point at the wrong argument', { timeout: 60_000 }, () => {
  it('accepts correct arguments', () => {
    assert.deepEqual(diagnose(`new Thread({ target: task, args: [new Event(), 3] });\n`), []);
  });

  it('underlines the argument of the wrong type, naming both types', () => {
    const found = diagnose(`new Thread({ target: task, args: [new Event(), 'three'] });\n`);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]!.code, 2322);
    assert.equal(found[0]!.text, `'three'`);
    assert.match(found[0]!.message, /Type 'string' is not assignable to type 'number'/);
  });

  it('underlines an Event expected but not given', () => {
    const found = diagnose(`new Thread({ target: task, args: [{}, 3] });\n`);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]!.text, '{}');
    assert.match(found[0]!.message, /missing the following properties from type 'Event'/);
  });

  it('reports a missing argument on `args`, with the count', () => {
    const found = diagnose(`new Thread({ target: task, args: [new Event()] });\n`);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]!.text, 'args');
    assert.match(found[0]!.message, /Source has 1 element\(s\) but target requires 2/);
  });

  it('names `args` when a target that takes arguments is given none', () => {
    // Not "not assignable to never": the message says which option is missing.
    const found = diagnose(`new Thread({ target: (a: number) => a, name: 'x' });\n`);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]!.code, 2345);
    assert.match(
      found[0]!.message,
      /Property 'args' is missing in type .* but required in type 'RequiredArgs<\[a: number\]>'/,
    );
    assert.doesNotMatch(found[0]!.message, /\bnever\b/);
  });

  it('lists the function exports when a typed module target names another', () => {
    const found = diagnose(
      `import { moduleTargets } from 'skein';\nvoid Thread;\n` +
        `const jobs = moduleTargets<typeof import('../fixtures/targets.js')>('/abs/targets.js');\n` +
        `jobs('shuot');\n`,
    );
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]!.text, `'shuot'`);
    assert.match(
      found[0]!.message,
      /not assignable to parameter of type '"shout" \| "default" \| "slowDouble" \| "fail"'/,
    );
  });

  it('blames the args, not the target, when they disagree', () => {
    // Inference must come from the target alone (args is NoInfer): otherwise
    // TypeScript would report the target as not matching the args.
    const found = diagnose(`new Thread({ target: (n: number) => n * 2, args: [true] });\n`);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]!.text, 'true');
    assert.match(found[0]!.message, /Type 'boolean' is not assignable to type 'number'/);
  });
});
