// The figures of the results table: what each one is, how it is shown and
// what it is held to. Sections fill them in; the report prints them.
import { pairedRatio, summarize, type Summary } from './stats.js';

/** Every figure of the table, in table order. A figure that cannot be measured is still listed, marked skipped. */
export const FIGURES = {
  stopNotice: 'Stop notice, thread parked in event.wait()',
  stopNoticeSeed: "Stop notice vs the seed's sleep-then-check loop (1000 ms step)",
  isSet: 'isSet() every iteration of a hot loop, per iteration',
  isSetVsBare: 'isSet() every iteration vs a loop with no check',
  isSetStride: 'isSet() every 1,024th iteration vs a loop with no check',
  poolThroughput: 'Pool throughput, trivial tasks, 2 workers',
  poolThroughputRaw: 'Pool throughput vs a raw worker_threads pool',
  roundTrip: 'One-at-a-time round trip, 2 workers',
  poolTiming: 'Pool throughput with stats() timing on vs off',
  cancelFinally: 'Cancel a running CPU-bound task: its finally ran',
  cancelSettle: 'Cancel a running CPU-bound task: cancel → settled',
  cancelNext: 'Next task after a cancel, 1-worker pool',
  startFresh: 'Thread start → target running, fresh',
  startWarm: 'Thread start → target running, warm',
  startBackToBack: 'Thread start, back to back (each after the last joined)',
  startBackToBackModule: 'Thread start, back to back, module target',
  startBackToBackShared: 'Thread start, back to back, module target, shareModules',
  startTypeScript: 'Thread start → .ts module target running, warm, under tsx',
  memory: 'Memory per idle thread (RSS)',
  memoryStop: 'Memory per idle thread parked on its stopEvent() (RSS)',
  queueThreadToThread: 'Queue, small items thread → thread (1 producer, 1 consumer)',
  queueToMain: 'Queue, small items thread → main with for await',
  queueHandoff: 'Queue hand-off: put → a parked get returns',
  queueFanInOut: 'Queue(64), 4 producers × 4 consumers',
  queueFanExact: 'Queue(64), 4 × 4: nothing lost or duplicated',
  queueBigItem: 'Queue, one 64 MiB item: RSS left after it is dropped',
  wireSmall: 'Wire format round trip, { id, name }',
  wireString: 'Wire format round trip, 1 KiB string',
  wireBytes: 'Wire format round trip, 1 MiB Uint8Array',
  moveVsPiscina: 'Checksum 4 MiB buffers, 2 workers, move() both ways',
  moveVsMain: 'Checksum 4 MiB buffers, 2 workers with move() vs the main thread alone',
  copyVsClone: 'Checksum 4 MiB buffers copied both ways: cost of the copies per task',
} as const;

/** Short labels for the chart's ratio panel: what is divided by what. */
export const CHART_LABELS: Record<keyof typeof FIGURES, string> = {
  stopNotice: 'Stop notice ÷ raw futex wake',
  stopNoticeSeed: 'Stop notice ÷ seed loop (1 s polling)',
  isSet: 'isSet() loop ÷ raw Atomics.load loop',
  isSetVsBare: 'isSet() loop ÷ loop with no check',
  isSetStride: 'isSet() every 1,024th ÷ no check',
  poolThroughput: 'Pool throughput ÷ piscina',
  poolThroughputRaw: 'Pool throughput ÷ raw pipelined pool',
  roundTrip: 'Round trip ÷ piscina',
  poolTiming: 'Throughput, timing on ÷ off',
  cancelFinally: 'finally ran after cancel',
  cancelSettle: 'Cancel → settled ÷ piscina',
  cancelNext: 'Next task after cancel ÷ piscina',
  startFresh: 'Start, fresh ÷ raw new Worker',
  startWarm: 'Start, warm ÷ raw new Worker',
  startBackToBack: 'Start, back to back ÷ raw new Worker',
  startBackToBackModule: 'Start, back to back, module ÷ raw',
  startBackToBackShared: 'Start, back to back, module, shared ÷ raw',
  startTypeScript: '.ts target under tsx ÷ .mjs under node',
  memory: 'Idle thread RSS ÷ raw Worker',
  memoryStop: 'Thread on stopEvent() RSS ÷ raw Worker',
  queueThreadToThread: 'Queue thread → thread ÷ MessageChannel',
  queueToMain: 'Queue → main (for await) ÷ MessageChannel',
  queueHandoff: 'Queue hand-off ÷ raw futex wake',
  queueFanInOut: 'Queue(64) 4 × 4 items/s',
  queueFanExact: 'Queue(64) 4 × 4 exact',
  queueBigItem: '64 MiB item: RSS left ÷ RSS held',
  wireSmall: 'Wire { id, name } ÷ structuredClone',
  wireString: 'Wire 1 KiB string ÷ structuredClone',
  wireBytes: 'Wire 1 MiB bytes ÷ structuredClone',
  moveVsPiscina: 'move() MiB/s ÷ piscina + Piscina.move',
  moveVsMain: 'move() MiB/s ÷ main thread alone',
  copyVsClone: 'Copy cost per task ÷ structuredClone',
};

/** Key of one figure of {@link FIGURES}. */
export type FigureKey = keyof typeof FIGURES;

/** Units figures are measured in; each has its own formatting. */
export type Unit = 'µs' | 'ms' | 'ns' | 'tasks/s' | 'items/s' | 'MiB' | 'MiB/s' | 'runs';

/**
 * What a figure is held to, from issues 3–5: a bound on the ratio to its
 * reference, or on skein's own value.
 */
export type Target =
  | { readonly on: 'ratio'; readonly atMost: number }
  | { readonly on: 'ratio'; readonly atLeast: number }
  | { readonly on: 'value'; readonly atMost: number }
  | { readonly on: 'every-run' };

/**
 * One side of a figure: a measured summary, a count of runs in which
 * something held (unit `runs`), or the reason it was skipped.
 */
export type Side =
  | { readonly summary: Summary }
  | { readonly count: number; readonly of: number }
  | { readonly skipped: string };

/** A row of the results table. */
export interface FigureRow {
  readonly key: FigureKey;
  readonly unit: Unit;
  readonly skein: Side;
  /** What skein is compared with, named (e.g. "piscina", "raw Atomics wake"). */
  readonly referenceName: string;
  readonly reference: Side;
  /** skein ÷ reference, paired run by run; absent when either side is skipped. */
  readonly ratio?: Summary;
  readonly target?: Target;
  /** A word on how the figure was taken, printed under the table. */
  readonly note?: string;
}

/** A side from its per-run values, or skipped for `whySkipped` when there are none. */
export function sideOf(values: readonly number[] | undefined, whySkipped: string): Side {
  return values === undefined || values.length === 0 ? { skipped: whySkipped } : { summary: summarize(values) };
}

/** `{ ratio }` of two sides' per-run values paired run by run, or `{}` when either side was skipped: spread it into a row. */
export function ratioOf(a: readonly number[] | undefined, b: readonly number[] | undefined): { ratio?: Summary } {
  return a !== undefined && b !== undefined && a.length > 0 && b.length > 0 ? { ratio: pairedRatio(a, b) } : {};
}

/** Whether a row meets its target: `undefined` when it has none or a side was skipped. */
export function meetsTarget(row: FigureRow): boolean | undefined {
  const { target } = row;
  const { skein } = row;
  if (target === undefined || 'skipped' in skein) return undefined;
  switch (target.on) {
    case 'value':
      return 'summary' in skein ? skein.summary.median <= target.atMost : undefined;
    case 'every-run':
      return 'count' in skein ? skein.count === skein.of : undefined;
    case 'ratio':
      if (row.ratio === undefined) return undefined;
      return 'atMost' in target ? row.ratio.median <= target.atMost : row.ratio.median >= target.atLeast;
  }
}

/** The target as the table shows it: `≤ 1.2×`, `≥ 5×`, `≤ 1 ms`, `every run`. */
export function formatTarget(target: Target | undefined, unit: Unit): string {
  if (target === undefined) return '—';
  switch (target.on) {
    case 'every-run':
      return 'every run';
    case 'value':
      return `≤ ${target.atMost} ${unit}`;
    case 'ratio':
      return 'atMost' in target ? `≤ ${target.atMost}×` : `≥ ${target.atLeast}×`;
  }
}

/** A number with three significant digits, thousands grouped: `0.0412`, `41.2`, `31,400`. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude === 0) return '0';
  const decimals = Math.max(0, 2 - Math.floor(Math.log10(magnitude)));
  return value.toFixed(Math.min(decimals, 6));
}

/** A side as `median unit (min–max)`, `n/N runs`, or `skipped: why`. */
export function formatSide(side: Side, unit: Unit): string {
  if ('skipped' in side) return `skipped: ${side.skipped}`;
  if ('count' in side) return `${side.count}/${side.of} runs`;
  const { median, min, max } = side.summary;
  return `${formatNumber(median)} ${unit} (${formatNumber(min)}–${formatNumber(max)})`;
}

/** A ratio summary as `1.05× (0.91–1.30)`. */
export function formatRatio(ratio: Summary | undefined): string {
  if (ratio === undefined) return '—';
  return `${formatNumber(ratio.median)}× (${formatNumber(ratio.min)}–${formatNumber(ratio.max)})`;
}

/** What a section of the suite hands to the report. */
export interface SectionResult {
  readonly rows: FigureRow[];
  /** Lines for the notes under the table (skipped columns, how a figure was taken). */
  readonly notes?: string[];
  /** Markdown blocks for the details after the table (per-library tables, recommendations). */
  readonly details?: string[];
  /** Extra bars for the chart. */
  readonly bars?: BarGroup[];
  /** Contestants that were there but failed: their columns are skipped, and the suite exits non-zero. */
  readonly failures?: string[];
}

/** A panel of the chart: one bar per contestant, in one unit. */
export interface BarGroup {
  readonly title: string;
  readonly unit: Unit;
  readonly better: 'lower' | 'higher';
  readonly bars: ReadonlyArray<{ readonly label: string; readonly summary: Summary }>;
  /** Contestants that could not be measured, with a short reason. */
  readonly skipped?: ReadonlyArray<{ readonly label: string; readonly skipped: string }>;
}
