// `npm run bench [-- --quick] [-- --out DIR]`: measure skein against raw
// worker_threads, piscina, tinypool and workerpool, print each figure as it
// comes, and write results.md and results.svg. Started by run.mjs.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderChart } from './lib/chart.js';
import { parseOptions, usage, UsageError, type Options } from './lib/cli.js';
import {
  FIGURES,
  formatRatio,
  formatSide,
  formatTarget,
  meetsTarget,
  type BarGroup,
  type FigureKey,
  type FigureRow,
  type SectionResult,
} from './lib/figures.js';
import { planFor, type Plan } from './lib/plan.js';
import { isLoaded, loadContenders, type Contender, type Missing } from './lib/pools.js';
import { machineLine, renderReport } from './lib/report.js';
import { BROWSER_HEADING, findSection, replaceSection } from './lib/results-file.js';
import { measureCancel } from './sections/cancel.js';
import { measureIsSet } from './sections/is-set.js';
import { measureMemory } from './sections/memory.js';
import { measureMove } from './sections/move.js';
import { measurePools } from './sections/pools.js';
import { measureQueue } from './sections/queue.js';
import { measureStart } from './sections/start.js';
import { measureStopNotice } from './sections/stop-notice.js';
import { measureWire } from './sections/wire.js';

interface Section {
  /** The name `--only` selects it by. */
  readonly name: string;
  readonly title: string;
  readonly figures: readonly FigureKey[];
  readonly measure: (plan: Plan, contenders: ReadonlyArray<Contender | Missing>) => Promise<SectionResult>;
}

// CPU-only figures first, while no other thread is alive; the pools last.
const sections: readonly Section[] = [
  {
    name: 'is-set',
    title: 'isSet() in a hot loop',
    figures: ['isSet', 'isSetVsBare', 'isSetStride'],
    measure: measureIsSet,
  },
  { name: 'wire', title: 'wire format', figures: ['wireSmall', 'wireString', 'wireBytes'], measure: measureWire },
  { name: 'stop-notice', title: 'stop notice', figures: ['stopNotice', 'stopNoticeSeed'], measure: measureStopNotice },
  {
    name: 'start',
    title: 'thread start',
    figures: ['startFresh', 'startWarm', 'startTypeScript'],
    measure: measureStart,
  },
  { name: 'memory', title: 'memory per idle thread', figures: ['memory', 'memoryStop'], measure: measureMemory },
  {
    name: 'pools',
    title: 'pool throughput and round trip',
    figures: ['poolThroughput', 'poolThroughputRaw', 'roundTrip'],
    measure: measurePools,
  },
  {
    name: 'cancel',
    title: 'cancelling a running task',
    figures: ['cancelFinally', 'cancelSettle', 'cancelNext'],
    measure: measureCancel,
  },
  {
    name: 'queue',
    title: 'Queue',
    figures: ['queueThreadToThread', 'queueToMain', 'queueHandoff', 'queueFanInOut', 'queueFanExact', 'queueBigItem'],
    measure: measureQueue,
  },
  {
    name: 'move',
    title: 'moving data: 4 MiB in, 1 MiB out',
    figures: ['moveVsPiscina', 'moveVsMain', 'copyVsClone'],
    measure: measureMove,
  },
];

function readOptions(): Options {
  try {
    const options = parseOptions(process.argv.slice(2));
    if (options !== 'help') return options;
    process.stdout.write(usage);
    process.exit(0);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n\n${usage}`);
    process.exit(2);
  }
}

function printRow(row: FigureRow): void {
  const met = meetsTarget(row);
  const verdict = met === undefined ? '' : met ? '  ✓' : '  ✗ missed';
  console.log(`  ${FIGURES[row.key]}`);
  console.log(
    `    skein ${formatSide(row.skein, row.unit)} | ${row.referenceName} ${formatSide(row.reference, row.unit)} | ` +
      `ratio ${formatRatio(row.ratio)} | target ${formatTarget(row.target, row.unit)}${verdict}`,
  );
}

async function main(): Promise<number> {
  const options = readOptions();
  const plan = planFor(options.mode);
  const startedAt = performance.now();
  const machine = machineLine();
  console.log(`skein bench (${options.mode}) on ${machine}`);

  const contenders = await loadContenders();
  const rows: FigureRow[] = [];
  const failed = new Map<FigureKey, string>();
  /** Figures of sections left out by `--only`: not failures. */
  const notAsked = new Set<FigureKey>();
  const unknown = options.only?.filter((name) => !sections.some((section) => section.name === name)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown section ${unknown.join(', ')}\n\n${usage}`);
    return 2;
  }
  const failures: string[] = [];
  const notes = new Set<string>();
  const details: string[] = [];
  const bars: BarGroup[] = [];
  for (const missing of contenders.filter((c): c is Missing => !isLoaded(c))) {
    console.log(`note: ${missing.missing}`);
    notes.add(missing.missing);
  }

  for (const section of sections) {
    if (options.only !== undefined && !options.only.includes(section.name)) {
      for (const key of section.figures) {
        failed.set(key, `not measured: only ${options.only.join(', ')} was asked for`);
        notAsked.add(key);
      }
      continue;
    }
    const sectionStart = performance.now();
    console.log(`\n${section.title}`);
    try {
      const result = await section.measure(plan, contenders);
      rows.push(...result.rows);
      for (const row of result.rows) printRow(row);
      for (const note of result.notes ?? []) notes.add(note);
      for (const failure of result.failures ?? []) {
        console.error(`  ${failure}`);
        failures.push(failure);
      }
      details.push(...(result.details ?? []));
      bars.push(...(result.bars ?? []));
    } catch (error) {
      const why = `failed: ${(error as Error).message ?? error}`;
      console.error(`  ${section.title} ${why}\n${(error as Error).stack ?? ''}`);
      for (const key of section.figures) failed.set(key, why);
    }
    console.log(`  (${((performance.now() - sectionStart) / 1e3).toFixed(1)} s)`);
  }

  const seconds = (performance.now() - startedAt) / 1e3;
  const libraries = contenders.map((c) => (isLoaded(c) ? c.label : `${c.name} (skipped)`));
  await mkdir(options.out, { recursive: true });
  let markdown = renderReport({
    machine,
    mode: options.mode,
    seconds,
    rows,
    failed,
    notes: [...notes],
    details,
    libraries,
  });
  // The browser bench's section (`npm run bench:browser`) is carried over: this run does not measure it.
  const previous = await readFile(join(options.out, 'results.md'), 'utf8').catch(() => '');
  const browserSection = findSection(previous, BROWSER_HEADING);
  if (browserSection !== undefined) markdown = replaceSection(markdown, BROWSER_HEADING, browserSection);
  await writeFile(join(options.out, 'results.md'), markdown);
  await writeFile(join(options.out, 'results.svg'), renderChart(rows, bars, machine));
  console.log(`\nwrote ${join(options.out, 'results.md')} and results.svg in ${seconds.toFixed(1)} s`);
  // A missing peer is a skipped column; a section or a pool that failed is an error.
  return failed.size === notAsked.size && failures.length === 0 ? 0 : 1;
}

// Exit explicitly: a peer's pool that failed to close must not keep the suite alive.
process.exit(await main());
