/**
 * `fogbench dataset`: generate the synthetic month (or a slice of it) and print statistics of
 * any dataset file. See docs/dataset.md.
 */
import { Command, Option } from 'commander';
import { DATASET_FORMATS, type DatasetFormat } from '../../../datasets/formats.ts';
import { cachedMonthPath, DEFAULT_MONTH, DEFAULT_SEED, displayPath } from '../../../datasets/paths.ts';
import { datasetStats, formatStats } from '../../../datasets/stats.ts';
import { writeGeneratedDataset } from '../../../datasets/write-generated.ts';
import { usageError } from '../../errors.ts';

interface GenerateFlags {
  month: string;
  seed: string;
  format: DatasetFormat;
  from?: string;
  hours?: string;
  out?: string;
  only?: 'temperature';
}

export function registerDataset(program: Command): void {
  const dataset = program.command('dataset').description('Generate and inspect temperature datasets (Urban Observatory format)');

  dataset
    .command('generate')
    .description('Write a deterministic synthetic month of building-sensor readings (same seed, same bytes)')
    .option('--month <YYYY-MM>', 'month to simulate', DEFAULT_MONTH)
    .option('--seed <seed>', 'random seed', String(DEFAULT_SEED))
    .addOption(new Option('--format <format>', 'uo: Urban Observatory v1.1 CSV; compact: sensor,variable,units,timestamp,value CSV; ndjson').choices(DATASET_FORMATS).default('uo'))
    .option('--from <"YYYY-MM-DD HH:mm">', 'write only readings from this UTC minute on (the rows are those of the full month)')
    .option('--hours <n>', 'write only this many hours (from --from, or from the month start)')
    .addOption(new Option('--only <variables>', 'temperature: only the temperature readings, as the paper filtered its month').choices(['temperature']))
    .option('--out <file>', 'output file (default: datasets/cache/synthetic-<month>-seed<seed>[-compact][-temperature].csv)')
    .action(async (flags: GenerateFlags) => {
      const hours = flags.hours === undefined ? undefined : parseWhole('--hours', flags.hours);
      const windowed = flags.from !== undefined || hours !== undefined;
      if (windowed && !flags.out) throw usageError('--from/--hours write a slice of the month: name the file with --out');
      const out = flags.out ?? cachedMonthPath(flags.month, flags.seed, flags.format, flags.only);
      const started = performance.now();
      const written = await writeGeneratedDataset(out, {
        month: flags.month,
        seed: flags.seed,
        format: flags.format,
        ...(flags.from !== undefined ? { from: flags.from } : {}),
        ...(hours !== undefined ? { hours } : {}),
        ...(flags.only ? { only: flags.only } : {}),
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stdout.write(
        `wrote ${displayPath(written.file)} (synthetic, ${flags.format}, ${written.bytes} bytes, sha256 ${written.sha256}) in ${seconds} s\n` +
          `counts per variable: npm run dataset -- stats ${displayPath(written.file)}\n`,
      );
    });

  dataset
    .command('stats')
    .description('Print rows per variable and what the temperature filter keeps, drops and ignores')
    .argument('<file>', 'dataset file (Urban Observatory CSV, compact CSV or NDJSON)')
    .option('--json', 'print the statistics as JSON')
    .action(async (file: string, flags: { json?: boolean }) => {
      const stats = await datasetStats(file);
      process.stdout.write(flags.json ? `${JSON.stringify(stats, null, 2)}\n` : `${formatStats(stats)}\n`);
    });
}

function parseWhole(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw usageError(`${flag} must be a positive whole number, got "${text}"`);
  return n;
}
