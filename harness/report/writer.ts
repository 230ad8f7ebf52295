/**
 * The report's only file I/O: reads a run folder, writes its `index.html`, `csv/*.csv` and the
 * vendored scripts next to it; writes the index of all runs. Files are written to a temporary
 * name and renamed so a browser or the --serve server never sees half a page.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { copyVendor, loadAssets } from './assets.ts';
import { toCsv } from './csv.ts';
import { renderIndexPage } from './index-page.ts';
import { listRunDirs, readRun } from './read-run.ts';
import { buildRunReport, renderRunPage } from './run-report.ts';
import { summarizeRun } from './run-summary.ts';

const CSV_DIR = 'csv';

async function writeAtomically(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, file);
}

export async function writeRunReport(runDir: string): Promise<{ htmlPath: string; csvFiles: string[] }> {
  const run = await readRun(runDir);
  const content = buildRunReport(run);
  const assets = await loadAssets();
  const vendorScripts = await copyVendor(assets, runDir);
  await mkdir(join(runDir, CSV_DIR), { recursive: true });
  const csvFiles = await Promise.all(
    [...content.tables, ...content.exports].map(async (table) => {
      const file = join(runDir, CSV_DIR, `${table.id}.csv`);
      await writeAtomically(file, toCsv(table));
      return file;
    }),
  );
  const htmlPath = join(runDir, 'index.html');
  const html = renderRunPage(run, content, { css: assets.css, viewerScript: assets.viewerScript, vendorScripts, csvHref: `${CSV_DIR}/` });
  await writeAtomically(htmlPath, html);
  return { htmlPath, csvFiles };
}

/** Writes the index of every run under `runsRoot` to `outFile`; returns its path. */
export async function writeIndex(runsRoot: string, outFile: string, now: Date = new Date()): Promise<string> {
  const outDir = dirname(outFile);
  await mkdir(outDir, { recursive: true });
  const summaries = [];
  for (const dir of await listRunDirs(runsRoot)) {
    const href = relative(outDir, join(dir, 'index.html')).split(sep).join('/');
    summaries.push(summarizeRun(await readRun(dir), href));
  }
  const assets = await loadAssets();
  const vendorScripts = await copyVendor(assets, outDir);
  await writeAtomically(outFile, renderIndexPage(summaries, { css: assets.css, viewerScript: assets.viewerScript, vendorScripts }, now.toISOString()));
  return outFile;
}
