// The results chart, written as SVG by hand: a few panels of horizontal
// bars with min–max whiskers. Small enough not to need a library.
import { CHART_LABELS, formatNumber, meetsTarget, type BarGroup, type FigureRow } from './figures.js';

const kWidth = 800;
const kLabelWidth = 260;
const kPlotWidth = 420;
const kBarHeight = 18;
const kRowHeight = 26;
const kFont = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12"';

const colors = { met: '#2e8b57', missed: '#c0392b', neutral: '#7f8c8d', skein: '#2c6fbb', other: '#a9b4c2' };

/** One bar: its value, the whisker's range, its colour, and the text after it; or a row saying it was skipped. */
type Row = Bar | { readonly label: string; readonly skipped: string };

interface Bar {
  readonly label: string;
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly color: string;
  readonly text: string;
  /** Where to draw a target tick, in the panel's units. */
  readonly target?: number;
}

const escapeXml = (text: string): string =>
  text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/** Map values to x positions on a linear scale from 0, or a log scale over whole decades. */
function makeScale(bars: readonly Bar[], log: boolean): { x: (v: number) => number; ticks: number[] } {
  const values = bars
    .flatMap((b) => [b.value, b.max, ...(b.target === undefined ? [] : [b.target])])
    .filter((v) => v > 0);
  if (!log) {
    const hi = Math.max(...values, 1e-9) * 1.05;
    return { x: (v) => (Math.max(v, 0) / hi) * kPlotWidth, ticks: [] };
  }
  const lo = Math.floor(Math.log10(Math.min(...values, 1)));
  const hi = Math.ceil(Math.log10(Math.max(...values, 1)));
  const span = Math.max(hi - lo, 1);
  const x = (v: number): number => ((Math.log10(Math.max(v, 10 ** lo)) - lo) / span) * kPlotWidth;
  return { x, ticks: Array.from({ length: span + 1 }, (_, i) => 10 ** (lo + i)) };
}

/** One panel at height `top`; returns its SVG and height. */
function panel(top: number, title: string, rows: readonly Row[], log: boolean): { svg: string; height: number } {
  const bars = rows.filter((row): row is Bar => !('skipped' in row));
  const { x, ticks } = makeScale(bars, log);
  const plotTop = top + 24;
  const plotHeight = rows.length * kRowHeight;
  const parts = [`<text x="10" y="${top + 14}" font-weight="bold">${escapeXml(title)}</text>`];
  for (const tick of ticks) {
    const tx = kLabelWidth + x(tick);
    const strong = tick === 1;
    parts.push(
      `<line x1="${tx}" y1="${plotTop - 4}" x2="${tx}" y2="${plotTop + plotHeight}" stroke="${strong ? '#555' : '#ddd'}"/>`,
      `<text x="${tx}" y="${plotTop + plotHeight + 14}" text-anchor="middle" fill="#666">${tick < 0.01 ? `1e${Math.round(Math.log10(tick))}` : Number(tick.toPrecision(1))}×</text>`,
    );
  }
  rows.forEach((bar, i) => {
    const y = plotTop + i * kRowHeight;
    const mid = y + kBarHeight / 2;
    if ('skipped' in bar) {
      parts.push(
        `<text x="${kLabelWidth - 8}" y="${mid + 4}" text-anchor="end" fill="#888">${escapeXml(bar.label)}</text>`,
        `<text x="${kLabelWidth + 4}" y="${mid + 4}" fill="#888" font-style="italic">${escapeXml(bar.skipped)}</text>`,
      );
      return;
    }
    const width = Math.max(x(bar.value), 1);
    parts.push(
      `<text x="${kLabelWidth - 8}" y="${mid + 4}" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${kLabelWidth}" y="${y}" width="${width.toFixed(1)}" height="${kBarHeight}" fill="${bar.color}"/>`,
      `<line x1="${(kLabelWidth + x(bar.min)).toFixed(1)}" y1="${mid}" x2="${(kLabelWidth + x(bar.max)).toFixed(1)}" y2="${mid}" stroke="#222"/>`,
      `<text x="${kLabelWidth + kPlotWidth + 8}" y="${mid + 4}">${escapeXml(bar.text)}</text>`,
    );
    if (bar.target !== undefined) {
      const tx = (kLabelWidth + x(bar.target)).toFixed(1);
      parts.push(
        `<line x1="${tx}" y1="${y - 3}" x2="${tx}" y2="${y + kBarHeight + 3}" stroke="#000" stroke-width="2" stroke-dasharray="3,2"/>`,
      );
    }
  });
  return { svg: parts.join('\n'), height: 24 + plotHeight + (ticks.length > 0 ? 30 : 14) };
}

/** The chart: skein ÷ reference for every figure with a ratio (log scale, target ticks), then the sections' bar groups. */
export function renderChart(rows: readonly FigureRow[], groups: readonly BarGroup[], machine: string): string {
  const ratioBars: Bar[] = rows.flatMap((row) => {
    if (row.ratio === undefined) return [];
    const met = meetsTarget(row);
    const target =
      row.target?.on === 'ratio' ? ('atMost' in row.target ? row.target.atMost : row.target.atLeast) : undefined;
    return [
      {
        label: CHART_LABELS[row.key],
        value: row.ratio.median,
        min: row.ratio.min,
        max: row.ratio.max,
        color: met === undefined ? colors.neutral : met ? colors.met : colors.missed,
        text: `${formatNumber(row.ratio.median)}×`,
        ...(target === undefined ? {} : { target }),
      },
    ];
  });
  const panels: Array<{ svg: string; height: number }> = [];
  let top = 50;
  const add = (title: string, bars: readonly Row[], log: boolean): void => {
    if (bars.length === 0) return;
    const p = panel(top, title, bars, log);
    panels.push(p);
    top += p.height + 16;
  };
  add('skein ÷ reference (log scale; dashed: target; green met, red missed, grey no target)', ratioBars, true);
  for (const group of groups) {
    add(
      `${group.title}, ${group.better} is better`,
      [
        ...group.bars.map(({ label, summary }) => ({
          label,
          value: summary.median,
          min: summary.min,
          max: summary.max,
          color: label === 'skein' ? colors.skein : colors.other,
          text: `${formatNumber(summary.median)} ${group.unit}`,
        })),
        ...(group.skipped ?? []),
      ],
      false,
    );
  }
  const height = top + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${kWidth}" height="${height}" viewBox="0 0 ${kWidth} ${height}" ${kFont}>`,
    `<title>skein benchmarks: ${escapeXml(machine)}</title>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">skein benchmarks</text>`,
    `<text x="10" y="38" fill="#666">${escapeXml(machine)}</text>`,
    ...panels.map((p) => p.svg),
    '</svg>',
    '',
  ].join('\n');
}
