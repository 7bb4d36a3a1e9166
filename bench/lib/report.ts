// results.md: the machine line, the table of figures, then notes and details.
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import {
  FIGURES,
  formatRatio,
  formatSide,
  formatTarget,
  meetsTarget,
  type FigureKey,
  type FigureRow,
} from './figures.js';

/** The header row of the results table; the quick test looks for it. */
export const TABLE_HEADER = '| Figure | skein | Reference | Ratio (skein ÷ reference) | Target | Met |';

/** One line saying what machine and run the figures come from. */
export function machineLine(date = new Date()): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const memory = `${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
  const when = `${date.toISOString().replace('T', ' ').slice(0, 16)} UTC`;
  return `${cpu}, ${availableParallelism()} cores, ${memory}, ${process.platform} ${release()} ${process.arch}, Node ${process.version}, ${when}`;
}

/** What the report is made of. */
export interface Report {
  readonly machine: string;
  readonly mode: 'full' | 'quick';
  readonly seconds: number;
  readonly rows: readonly FigureRow[];
  /** Figures a section could not measure at all, and why. */
  readonly failed: ReadonlyMap<FigureKey, string>;
  readonly notes: readonly string[];
  readonly details: readonly string[];
  readonly libraries: readonly string[];
}

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|');

function tableRow(row: FigureRow): string {
  const met = meetsTarget(row);
  const reference =
    'skipped' in row.reference
      ? `skipped: ${row.reference.skipped}`
      : `${row.referenceName}: ${formatSide(row.reference, row.unit)}`;
  const cells = [
    FIGURES[row.key],
    formatSide(row.skein, row.unit),
    reference,
    formatRatio(row.ratio),
    formatTarget(row.target, row.unit),
    'skipped' in row.skein ? 'skipped' : met === undefined ? '—' : met ? '✓' : '✗',
  ];
  return `| ${cells.map(escapeCell).join(' | ')} |`;
}

/** The Markdown of results.md. Every figure of {@link FIGURES} has a row: measured, or marked skipped. */
export function renderReport(report: Report): string {
  const byKey = new Map(report.rows.map((row) => [row.key, row]));
  const lines = [
    '# skein benchmarks',
    '',
    `Machine: ${report.machine}.`,
    `Run: \`npm run bench${report.mode === 'quick' ? ' -- --quick' : ''}\` (${report.mode}), ${report.seconds.toFixed(0)} s; ${report.libraries.join(', ')}.`,
    '',
    TABLE_HEADER,
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const key of Object.keys(FIGURES) as FigureKey[]) {
    const row = byKey.get(key);
    if (row !== undefined) lines.push(tableRow(row));
    else
      lines.push(
        `| ${FIGURES[key]} | skipped: ${escapeCell(report.failed.get(key) ?? 'not measured')} | | | | skipped |`,
      );
  }
  lines.push(
    '',
    'Each figure is the median of several runs, with the range (min–max) of the runs in parentheses. ' +
      'skein and its reference run in turn, round after round, and the ratio is the median of the ' +
      'run-by-run ratios, so drift of this shared machine cancels out. Lower is better except for throughput.',
    '',
    '## How each figure was taken',
    '',
    ...report.rows.filter((row) => row.note !== undefined).map((row) => `- ${FIGURES[row.key]}: ${row.note}.`),
  );
  if (report.notes.length > 0) lines.push('', '## Skipped', '', ...report.notes.map((note) => `- ${note}`));
  if (report.details.length > 0) lines.push('', '## Details', ...report.details.flatMap((block) => ['', block]));
  lines.push('', '![skein benchmarks](results.svg)', '');
  return lines.join('\n');
}
