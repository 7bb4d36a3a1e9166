/** Percentiles of a distribution of durations, in milliseconds (0 while nothing was recorded). */
export interface Percentiles {
  /** How many durations were recorded. */
  count: number;
  /** The median: half took at most this long. */
  p50: number;
  /** 90% took at most this long. */
  p90: number;
  /** 99% took at most this long: the slow tail. */
  p99: number;
  /** The longest recorded. */
  max: number;
}

/**
 * Buckets per doubling of the duration: each spans 1/16 of its octave's
 * start, at most 6.25% (the octave and the bucket in it are read off the
 * float's exponent and top mantissa bits: half the cost of a logarithm).
 */
const kBucketsPerOctave = 16;
/** The shortest duration told apart, in ms (1 µs); shorter ones share the first bucket. */
const kFloorMs = 0.001;
/** Octaves above the floor: 1 µs · 2^40 is about 12.7 days; longer ones share the last bucket. */
const kOctaves = 40;

/** The bits of one float64, to read its exponent and mantissa. */
const floatBits = new Float64Array(1);
const floatWords = new Uint32Array(floatBits.buffer);
/** Which of floatWords holds the sign, exponent and top of the mantissa. */
const kHighWord = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * Durations counted in log-linear buckets: recording one is a few
 * arithmetic operations and one increment, whatever has been recorded
 * before, and memory stays fixed (640 counters). A percentile is read
 * back within 6.25% — enough to tell a pool's typical task from its slow
 * tail, which is what piscina's and poolifier's statistics are read for.
 */
export class DurationHistogram {
  readonly #counts = new Float64Array(kBucketsPerOctave * kOctaves + 1);
  #count = 0;
  #max = 0;

  /** Count one duration of `ms` milliseconds (negative or NaN counts as 0). */
  record(ms: number): void {
    // biome-ignore lint/complexity/useMathMinMax: Math.max(NaN, 0) is NaN; this counts NaN as 0.
    const value = ms > 0 ? ms : 0;
    let bucket = 0;
    if (value > kFloorMs) {
      // value / kFloorMs = 2^octave · (1 + mantissa): the octave from the
      // exponent bits, the bucket in it from the mantissa's top 4 bits.
      floatBits[0] = value / kFloorMs;
      const high = floatWords[kHighWord]!;
      bucket = ((high >>> 20) - 1023) * kBucketsPerOctave + ((high >>> 16) & (kBucketsPerOctave - 1)) + 1;
    }
    this.#counts[Math.min(bucket, this.#counts.length - 1)]!++;
    this.#count++;
    if (value > this.#max) this.#max = value;
  }

  /** The 50th, 90th and 99th percentiles: each the upper bound of the bucket it falls in (never above the max). */
  percentiles(): Percentiles {
    return {
      count: this.#count,
      p50: this.#percentile(0.5),
      p90: this.#percentile(0.9),
      p99: this.#percentile(0.99),
      max: this.#max,
    };
  }

  #percentile(fraction: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.ceil(fraction * this.#count);
    let seen = 0;
    for (let bucket = 0; bucket < this.#counts.length; bucket++) {
      seen += this.#counts[bucket]!;
      if (seen >= rank) return Math.min(upperBound(bucket), this.#max);
    }
    return this.#max;
  }
}

/** The longest duration bucket `bucket` holds, in ms. */
function upperBound(bucket: number): number {
  if (bucket === 0) return kFloorMs;
  const octave = Math.floor((bucket - 1) / kBucketsPerOctave);
  const step = ((bucket - 1) % kBucketsPerOctave) + 1;
  return kFloorMs * 2 ** octave * (1 + step / kBucketsPerOctave);
}
