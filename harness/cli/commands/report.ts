/**
 * `fogbench report`: regenerate every run's report, every sweep's (its points' reports with it)
 * and the index of runs and sweeps; with --serve, then serve the report files on 127.0.0.1 until
 * interrupted. A run or sweep that cannot be reported is named with the reason and skipped: the
 * others are still reported.
 */
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { listRunDirs } from '../../report/read-run.ts';
import { reportFileFilter } from '../../report/served-files.ts';
import { serveStatic } from '../../report/static-server.ts';
import { listSweepDirs } from '../../report/sweep-read.ts';
import { sweepProgress } from '../../report/sweep-summary.ts';
import { writeSweepReport } from '../../report/sweep-writer.ts';
import { writeIndex, writeRunReport } from '../../report/writer.ts';
import { abortOnSignals } from '../signals.ts';

interface RawReportOptions {
  runs: string;
  index?: string;
  run?: string[];
  serve: boolean;
  port: number;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('use a whole number from 0 to 65535');
  return port;
}

const shown = (file: string) => path.relative(process.cwd(), file) || '.';
const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];
const unusableNote = (problems: string[]) =>
  problems.length ? `; ${problems.length} unusable file${problems.length === 1 ? '' : 's'}: ${problems[0]}${problems.length > 1 ? ' …' : ''}` : '';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description("regenerate each run's and each sweep's HTML report and CSV files, and the index of all runs and sweeps")
    .option('--runs <dir>', 'folder holding one folder per run', 'reports/runs')
    .option('--index <file>', 'where to write the index of runs (default: index.html beside the runs folder)')
    .option('--serve', 'then serve the reports on 127.0.0.1 and print the URL', false)
    .option('--port <n>', 'port for --serve (0 = any free port)', parsePort, 8642)
    .action(async (raw: RawReportOptions) => {
      const runsRoot = path.resolve(raw.runs);
      const indexFile = path.resolve(raw.index ?? path.join(runsRoot, '..', 'index.html'));
      const dirs = await listRunDirs(runsRoot);
      let skipped = 0;
      for (const dir of dirs) {
        try {
          const { htmlPath, csvFiles, problems } = await writeRunReport(dir);
          process.stdout.write(`${shown(htmlPath)} (${csvFiles.length} CSV files${unusableNote(problems)})\n`);
        } catch (error) {
          skipped++;
          process.stderr.write(`fogbench: skipped run ${shown(dir)}: ${firstLine(error)}\n`);
        }
      }
      const sweepDirs = await listSweepDirs(runsRoot);
      let sweepsSkipped = 0;
      for (const dir of sweepDirs) {
        try {
          const { htmlPath, csvFiles, data } = await writeSweepReport(dir, { pointReports: 'all' });
          const { complete, planned } = sweepProgress(data);
          process.stdout.write(`${shown(htmlPath)} (sweep: ${complete} of ${planned} points complete, their reports too; ${csvFiles.length} CSV files${unusableNote(data.problems)})\n`);
        } catch (error) {
          sweepsSkipped++;
          process.stderr.write(`fogbench: skipped sweep ${shown(dir)}: ${firstLine(error)}\n`);
        }
      }
      await writeIndex(runsRoot, indexFile, new Date(), {
        onSkip: (dir, reason) => process.stderr.write(`fogbench: the index leaves out ${shown(dir)}: ${firstLine(reason)}\n`),
      });
      const count = (n: number, what: string, skippedOf: number) => `${n} ${what}${n === 1 ? '' : 's'}${skippedOf ? `, ${skippedOf} skipped` : ''}`;
      const sweepsPart = sweepDirs.length ? `; ${count(sweepDirs.length - sweepsSkipped, 'sweep', sweepsSkipped)}` : '';
      process.stdout.write(`${shown(indexFile)} (${count(dirs.length - skipped, 'run', skipped)}${sweepsPart})\n`);
      if (!raw.serve) return;
      const root = path.dirname(indexFile);
      if (path.relative(root, runsRoot).startsWith('..')) {
        process.stderr.write(`note: ${runsRoot} is outside ${root}; the index links to runs that --serve cannot reach\n`);
      }
      // Only the report's own files: the index's folder may hold anything else.
      const served = await serveStatic(root, raw.port, { allow: reportFileFilter(path.relative(root, indexFile), path.relative(root, runsRoot)) });
      const signals = abortOnSignals();
      const page = path.basename(indexFile) === 'index.html' ? '' : encodeURIComponent(path.basename(indexFile));
      process.stdout.write(`serving the reports in ${root} at ${served.url}${page} (Ctrl-C to stop)\n`);
      try {
        await new Promise<void>((resolve) => signals.signal.addEventListener('abort', () => resolve(), { once: true }));
      } finally {
        await served.close();
        signals.dispose();
      }
    });
}
