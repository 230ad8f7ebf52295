/**
 * Parse + temperature filter of the full generated month (Urban Observatory CSV, ~540k rows,
 * ~84 MB), against the issue #3 target of 500k rows/s: ratio = measured / target. Generates
 * the month into datasets/cache/ first when it is missing (not timed). Side by side, for
 * scale: csv-parse alone on the same file (no validation, no filter), and openDataset, which
 * also serialises every row for replay (what a benchmark run pays once at start).
 */
import { createReadStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { readDataset } from '../../datasets/loader.ts';
import { displayPath, ensureGeneratedMonth } from '../../datasets/paths.ts';
import { classifyReading } from '../../datasets/semantics.ts';
import { DEFAULT_BATCH_SIZE, openDataset } from '../load/replay.ts';
import type { Benchmark, PerfLine } from './benchmark.ts';

const TARGET_ROWS_PER_SECOND = 500_000;
const ROUNDS = 3;

const rate = (rows: number, seconds: number) => `${Math.round(rows / seconds).toLocaleString('en-GB')} rows/s`;

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = performance.now();
  const value = await run();
  return { value, seconds: (performance.now() - start) / 1000 };
}

async function parseAndFilter(file: string) {
  let kept = 0;
  let dropped = 0;
  const summary = await readDataset(file, (_sensor, variable, units, _timestamp, value) => {
    const verdict = classifyReading(variable, units, value);
    if (verdict.kind === 'temperature') kept++;
    else if (verdict.kind === 'dropped') dropped++;
  });
  return { rows: summary.rows, bytes: summary.bytes, kept, dropped };
}

async function csvParseOnly(file: string): Promise<number> {
  let records = 0;
  const parser = parse({ bom: true });
  parser.on('readable', () => {
    while (parser.read() !== null) records++;
  });
  createReadStream(file, { highWaterMark: 1 << 20 }).pipe(parser);
  await finished(parser);
  return records - 1;
}

export const datasetParseBenchmark: Benchmark = {
  name: 'dataset-parse',
  description: 'parse + temperature filter of the full generated month (target >= 500k rows/s)',
  async run(log) {
    const { file, generated } = await ensureGeneratedMonth();
    log(generated ? `generated ${displayPath(file)}` : `using cached ${displayPath(file)}`);

    const rounds: { seconds: number; rows: number; bytes: number; kept: number; dropped: number }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const { value, seconds } = await timed(() => parseAndFilter(file));
      rounds.push({ seconds, ...value });
      log(`round ${i + 1}: ${value.rows} rows in ${seconds.toFixed(2)} s`);
    }
    const sorted = [...rounds].sort((a, b) => a.seconds - b.seconds);
    const best = sorted[0]!;
    const median = sorted[Math.floor(sorted.length / 2)]!;

    const baseline = await timed(() => csvParseOnly(file));
    log(`csv-parse alone: ${baseline.value} records in ${baseline.seconds.toFixed(2)} s`);
    const replay = await timed(() => openDataset(file, { batchSize: DEFAULT_BATCH_SIZE }));
    log(`openDataset: ${replay.value.description.rows} rows in ${replay.seconds.toFixed(2)} s`);

    const lines: PerfLine[] = [
      {
        label: `parse + filter, full month (${displayPath(file)}, Urban Observatory CSV) vs 500k rows/s target`,
        figures: {
          rows: `${best.rows} (${best.kept} temperatures kept, ${best.dropped} dropped)`,
          size: `${(best.bytes / 1024 / 1024).toFixed(1)} MiB`,
          best: `${best.seconds.toFixed(2)} s = ${rate(best.rows, best.seconds)}`,
          median: `${median.seconds.toFixed(2)} s = ${rate(median.rows, median.seconds)} (of ${ROUNDS} rounds)`,
        },
        ratio: best.rows / best.seconds / TARGET_ROWS_PER_SECOND,
        target: { op: '>=', value: 1 },
      },
      {
        label: 'for scale, same file: csv-parse alone (records only) and openDataset (parse + serialise for replay)',
        figures: {
          'csv-parse alone': `${baseline.seconds.toFixed(2)} s = ${rate(baseline.value, baseline.seconds)}`,
          openDataset: `${replay.seconds.toFixed(2)} s = ${rate(replay.value.description.rows, replay.seconds)}`,
        },
      },
    ];
    return lines;
  },
};
