/**
 * The report's only file I/O: reads a run folder, writes its `index.html`, `csv/*.csv`,
 * `verdicts.json` and the vendored scripts next to it; writes the index of all runs and sweeps. Files are
 * written to a temporary name and renamed so a browser or the --serve server never sees half a
 * page, and never through a symbolic link found in a run folder (harness/safe-fs.ts).
 */
import { dirname, join, relative, sep } from 'node:path';
import { copyVendor, loadAssets } from './assets.ts';
import { toCsv } from './csv.ts';
import { renderIndexPage } from './index-page.ts';
import { listRunDirs, readRun } from './read-run.ts';
import type { RunData } from './run-data.ts';
import { buildRunReport, renderRunPage } from './run-report.ts';
import { summarizeRun, type RunSummary } from './run-summary.ts';
import { listSweepDirs, readSweep } from './sweep-read.ts';
import { summarizeSweep, type SweepSummary } from './sweep-summary.ts';
import type { Table } from './table.ts';
import { ensureRealDir, writeFileReplacing } from '../safe-fs.ts';
import { writeVerdicts } from '../replication/verdicts-file.ts';

/** Where a report's tables go as CSV, beside its index.html (the page links to it). */
export const CSV_DIR = 'csv';

/** Writes each table to `<dir>/csv/<table id>.csv`; returns their paths, in the order given. */
export async function writeCsvTables(dir: string, tables: readonly Table[]): Promise<string[]> {
  await ensureRealDir(join(dir, CSV_DIR));
  return Promise.all(
    tables.map(async (table) => {
      const file = join(dir, CSV_DIR, `${table.id}.csv`);
      await writeFileReplacing(file, toCsv(table));
      return file;
    }),
  );
}

/**
 * Writes the report of the run in `runDir`. `read`: the run as readRun already read it from that
 * folder (a sweep's points); writing the report changes none of the files it was read from.
 */
export async function writeRunReport(runDir: string, read?: RunData): Promise<{ htmlPath: string; csvFiles: string[]; problems: string[] }> {
  const run = read ?? (await readRun(runDir));
  await ensureRealDir(runDir);
  const content = buildRunReport(run);
  const assets = await loadAssets();
  const vendorScripts = await copyVendor(assets, runDir);
  const csvFiles = await writeCsvTables(runDir, [...content.tables, ...content.exports]);
  // Judged again from what the folder holds, so a regenerated report and its verdicts.json agree.
  if (run.profiles.length) await writeVerdicts(runDir, content.verdicts);
  const htmlPath = join(runDir, 'index.html');
  const html = renderRunPage(run, content, { css: assets.css, viewerScript: assets.viewerScript, vendorScripts, csvHref: `${CSV_DIR}/` });
  await writeFileReplacing(htmlPath, html);
  return { htmlPath, csvFiles, problems: run.problems };
}

export interface IndexOptions {
  /** A run or sweep folder that could not be read at all: it is left out of the index. */
  onSkip?: (dir: string, reason: string) => void;
}

/** Writes the index of every run and sweep under `runsRoot` to `outFile`; returns its path. */
export async function writeIndex(runsRoot: string, outFile: string, now: Date = new Date(), options: IndexOptions = {}): Promise<string> {
  const outDir = dirname(outFile);
  await ensureRealDir(outDir);
  const href = (dir: string) => relative(outDir, join(dir, 'index.html')).split(sep).join('/');
  // One unreadable folder must not take the index of every other one down with it.
  const skip = (dir: string, error: unknown) => options.onSkip?.(dir, error instanceof Error ? error.message : String(error));
  const summarizeEach = async <T>(dirs: string[], summarize: (dir: string) => Promise<T>): Promise<T[]> => {
    const out: T[] = [];
    for (const dir of dirs) await summarize(dir).then((summary) => out.push(summary), (error: unknown) => skip(dir, error));
    return out;
  };
  const runs: RunSummary[] = await summarizeEach(await listRunDirs(runsRoot), async (dir) => summarizeRun(await readRun(dir), href(dir)));
  const sweeps: SweepSummary[] = await summarizeEach(await listSweepDirs(runsRoot), async (dir) => summarizeSweep(await readSweep(dir), href(dir)));
  const assets = await loadAssets();
  const vendorScripts = await copyVendor(assets, outDir);
  await writeFileReplacing(outFile, renderIndexPage(runs, sweeps, { css: assets.css, viewerScript: assets.viewerScript, vendorScripts }, now.toISOString()));
  return outFile;
}
