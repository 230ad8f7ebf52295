/**
 * `fogbench report`: regenerate every run's report and the index of runs; with --serve, then
 * serve the reports folder on 127.0.0.1 until interrupted.
 */
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { listRunDirs } from '../../report/read-run.ts';
import { serveStatic } from '../../report/static-server.ts';
import { writeIndex, writeRunReport } from '../../report/writer.ts';

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

export function registerReport(program: Command): void {
  program
    .command('report')
    .description("regenerate each run's HTML report and CSV files, and the index of all runs")
    .option('--runs <dir>', 'folder holding one folder per run', 'reports/runs')
    .option('--index <file>', 'where to write the index of runs (default: index.html beside the runs folder)')
    .option('--serve', 'then serve the reports on 127.0.0.1 and print the URL', false)
    .option('--port <n>', 'port for --serve (0 = any free port)', parsePort, 8642)
    .action(async (raw: RawReportOptions) => {
      const runsRoot = path.resolve(raw.runs);
      const indexFile = path.resolve(raw.index ?? path.join(runsRoot, '..', 'index.html'));
      const dirs = await listRunDirs(runsRoot);
      for (const dir of dirs) {
        const { htmlPath, csvFiles } = await writeRunReport(dir);
        process.stdout.write(`${path.relative(process.cwd(), htmlPath)} (${csvFiles.length} CSV files)\n`);
      }
      await writeIndex(runsRoot, indexFile);
      process.stdout.write(`${path.relative(process.cwd(), indexFile)} (${dirs.length} run${dirs.length === 1 ? '' : 's'})\n`);
      if (!raw.serve) return;
      const root = path.dirname(indexFile);
      if (path.relative(root, runsRoot).startsWith('..')) {
        process.stderr.write(`note: ${runsRoot} is outside ${root}; the index links to runs that --serve cannot reach\n`);
      }
      const served = await serveStatic(root, raw.port);
      process.stdout.write(`serving ${root} at ${served.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void served.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
