// Summaries of repeated runs: every figure is the median of several runs with
// their range, and every ratio is taken between runs made side by side.

/** A figure measured several times: the median run and the range of all runs. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** How many runs the summary is made of. */
  readonly runs: number;
}

/** The median of `values` (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median and min–max of `values`, one value per run. */
export function summarize(values: readonly number[]): Summary {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), runs: values.length };
}

/**
 * The ratio of two figures measured side by side: the median of the
 * run-by-run ratios `a[i] / b[i]`, so that drift of the machine between runs
 * cancels out. Both arrays hold one value per run, in the same order.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): Summary {
  if (a.length !== b.length || a.length === 0) {
    throw new RangeError(`paired ratio needs the same number of runs on each side, got ${a.length} and ${b.length}`);
  }
  return summarize(a.map((value, i) => value / b[i]!));
}

/**
 * Run `rounds` rounds of `contestants`, each contestant once per round, in an
 * order that rotates from round to round (A B C, B C A, C A B, ...) so that
 * no contestant always runs first, after a warm-up or on a cooler machine.
 * Returns each contestant's per-round values, keyed by name.
 */
export async function interleave<K extends string>(
  rounds: number,
  contestants: ReadonlyArray<readonly [K, () => Promise<number> | number]>,
): Promise<Record<K, number[]>> {
  const values = Object.fromEntries(contestants.map(([name]) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contestants.length; k++) {
      const [name, measure] = contestants[(round + k) % contestants.length]!;
      values[name].push(await measure());
    }
  }
  return values;
}

/**
 * Like {@link interleave}, but the contestants take turns sample by sample:
 * each run takes `samplesPerRun` samples of every contestant, alternating
 * (in an order that rotates), and its value is the median of each
 * contestant's samples. For figures short enough that the load of a shared
 * machine changes between two runs.
 */
export async function interleaveSamples<K extends string>(
  runs: number,
  samplesPerRun: number,
  contestants: ReadonlyArray<readonly [K, (sample: number) => Promise<number> | number]>,
): Promise<Record<K, number[]>> {
  const values = Object.fromEntries(contestants.map(([name]) => [name, [] as number[]])) as Record<K, number[]>;
  for (let run = 0; run < runs; run++) {
    const samples = contestants.map(() => [] as number[]);
    for (let i = 0; i < samplesPerRun; i++) {
      for (let k = 0; k < contestants.length; k++) {
        const index = (run * samplesPerRun + i + k) % contestants.length;
        samples[index]!.push(await contestants[index]![1](i));
      }
    }
    contestants.forEach(([name], index) => {
      values[name].push(median(samples[index]!));
    });
  }
  return values;
}
