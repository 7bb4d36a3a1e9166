// What a runtime cannot do is refused at the call with a clear error, never a
// hang. Run on every runtime by `npm run test:runtimes`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotSupportedError, Thread, ThreadPoolExecutor } from 'skein';

const runtime = 'Bun' in globalThis ? 'bun' : 'Deno' in globalThis ? 'deno' : 'node';

describe(`runtime support (${runtime})`, () => {
  it('refuses resourceLimits where the runtime cannot honour them, and accepts them on Node.js', async () => {
    const limits = { maxOldGenerationSizeMb: 64 };
    if (runtime === 'node') {
      assert.ok(new Thread({ resourceLimits: limits }) instanceof Thread);
      await new ThreadPoolExecutor({ resourceLimits: limits }).shutdown();
      return;
    }
    for (const create of [
      () => new Thread({ resourceLimits: limits }),
      () => new ThreadPoolExecutor({ resourceLimits: limits }),
    ])
      assert.throws(create, (error: unknown) => {
        assert.ok(error instanceof NotSupportedError);
        assert.equal(error.code, 'SKEIN_ERR_NOT_SUPPORTED');
        assert.equal(error.feature, 'resourceLimits');
        assert.equal(error.runtime, runtime);
        assert.match(
          error.message,
          new RegExp(`^\`resourceLimits\` is not supported on ${runtime}: .+; run on Node\\.js`),
        );
        return true;
      });
  });
});
