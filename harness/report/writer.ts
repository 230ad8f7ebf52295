/**
 * The report's only file I/O: reads a run folder, writes its `index.html`, `csv/*.csv`,
 * `verdicts.json` and the vendored scripts next to it; writes the index of all runs. Files are
 * written to a temporary name and renamed so a browser or the --serve server never sees half a
 * page, and never through a symbolic link found in a run folder (harness/safe-fs.ts).
 */
import { dirname, join, relative, sep } from 'node:path';
import { copyVendor, loadAssets } from './assets.ts';
import { toCsv } from './csv.ts';
import { renderIndexPage } from './index-page.ts';
import { listRunDirs, readRun } from './read-run.ts';
import { buildRunReport, renderRunPage } from './run-report.ts';
import { summarizeRun, type RunSummary } from './run-summary.ts';
import { ensureRealDir, writeFileReplacing } from '../safe-fs.ts';
import { writeVerdicts } from '../replication/verdicts-file.ts';

const CSV_DIR = 'csv';

export async function writeRunReport(runDir: string): Promise<{ htmlPath: string; csvFiles: string[]; problems: string[] }> {
  const run = await readRun(runDir);
  await ensureRealDir(runDir);
  const content = buildRunReport(run);
  const assets = await loadAssets();
  const vendorScripts = await copyVendor(assets, runDir);
  await ensureRealDir(join(runDir, CSV_DIR));
  const csvFiles = await Promise.all(
    [...content.tables, ...content.exports].map(async (table) => {
      const file = join(runDir, CSV_DIR, `${table.id}.csv`);
      await writeFileReplacing(file, toCsv(table));
      return file;
    }),
  );
  // Judged again from what the folder holds, so a regenerated report and its verdicts.json agree.
  if (run.profiles.length) await writeVerdicts(runDir, content.verdicts);
  const htmlPath = join(runDir, 'index.html');
  const html = renderRunPage(run, content, { css: assets.css, viewerScript: assets.viewerScript, vendorScripts, csvHref: `${CSV_DIR}/` });
  await writeFileReplacing(htmlPath, html);
  return { htmlPath, csvFiles, problems: run.problems };
}

export interface IndexOptions {
  /** A run folder that could not be read at all: it is left out of the index. */
  onSkip?: (runDir: string, reason: string) => void;
}

/** Writes the index of every run under `runsRoot` to `outFile`; returns its path. */
export async function writeIndex(runsRoot: string, outFile: string, now: Date = new Date(), options: IndexOptions = {}): Promise<string> {
  const outDir = dirname(outFile);
  await ensureRealDir(outDir);
  const summaries: RunSummary[] = [];
  for (const dir of await listRunDirs(runsRoot)) {
    const href = relative(outDir, join(dir, 'index.html')).split(sep).join('/');
    try {
      summaries.push(summarizeRun(await readRun(dir), href));
    } catch (error) {
      // One unreadable run must not take the index of every other run down with it.
      options.onSkip?.(dir, error instanceof Error ? error.message : String(error));
    }
  }
  const assets = await loadAssets();
  const vendorScripts = await copyVendor(assets, outDir);
  await writeFileReplacing(outFile, renderIndexPage(summaries, { css: assets.css, viewerScript: assets.viewerScript, vendorScripts }, now.toISOString()));
  return outFile;
}
