// The duration histogram behind pool.stats(): percentiles read back within
// a bucket's width (6.25%), never below the true value, never above the max.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DurationHistogram } from '../../dist/internal.js';

/** The exact p-th percentile (nearest rank) of sorted `values`. */
function exact(sorted: number[], fraction: number): number {
  return sorted[Math.ceil(fraction * sorted.length) - 1]!;
}

describe('DurationHistogram', () => {
  it('reads back p50, p90 and p99 within 6.25% above the true values, from 1 µs to hours', () => {
    for (const scale of [0.002, 0.05, 1, 37, 5_000, 3_600_000]) {
      const histogram = new DurationHistogram();
      const values: number[] = [];
      // A spread of durations around `scale`, deterministic.
      for (let i = 1; i <= 1_000; i++) {
        const value = scale * (0.5 + ((i * 7919) % 1_000) / 500);
        values.push(value);
        histogram.record(value);
      }
      values.sort((a, b) => a - b);
      const read = histogram.percentiles();
      assert.equal(read.count, 1_000);
      assert.equal(read.max, values.at(-1));
      for (const [name, fraction] of [
        ['p50', 0.5],
        ['p90', 0.9],
        ['p99', 0.99],
      ] as const) {
        const truth = exact(values, fraction);
        assert.ok(read[name] >= truth, `${name} at scale ${scale}: ${read[name]} is below ${truth}`);
        assert.ok(
          read[name] <= truth * 1.0625,
          `${name} at scale ${scale}: ${read[name]} is more than 6.25% above ${truth}`,
        );
      }
    }
  });

  it('counts what is below 1 µs, zero, negative or NaN in the first bucket, and reads 0 when empty', () => {
    const histogram = new DurationHistogram();
    assert.deepEqual(histogram.percentiles(), { count: 0, p50: 0, p90: 0, p99: 0, max: 0 });
    for (const value of [0, -3, Number.NaN, 0.0004]) histogram.record(value);
    const read = histogram.percentiles();
    assert.equal(read.count, 4);
    assert.equal(read.p99, 0.0004, 'never above the max');
  });
});
