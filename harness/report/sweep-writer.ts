/**
 * Writes a sweep's report: `<sweep>/index.html` and `csv/*.csv` beside it, the vendored scripts,
 * and the run report of any complete point that has none yet (the points table links to them), or
 * of every complete point (`fogbench report` regenerates them all).
 * The same safe writes as a run's report (harness/safe-fs.ts).
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { copyVendor, loadAssets } from './assets.ts';
import { ensureRealDir, writeFileReplacing } from '../safe-fs.ts';
import { readSweep, type SweepData } from './sweep-read.ts';
import { buildSweepReport, renderSweepPage, type SweepReportContent } from './sweep-report.ts';
import { CSV_DIR, writeCsvTables, writeRunReport } from './writer.ts';

export interface SweepReportOptions {
  /** Already read (the sweep command reads it for the terms it prints). */
  data?: SweepData;
  /** Write every complete point's report again, not only the missing ones. */
  pointReports?: 'missing' | 'all';
}

export async function writeSweepReport(
  dir: string,
  options: SweepReportOptions = {},
): Promise<{ htmlPath: string; content: SweepReportContent; data: SweepData; csvFiles: string[] }> {
  const data = options.data ?? (await readSweep(dir));
  for (const point of [...data.points, ...(data.predict ? [data.predict] : [])]) {
    const pointDir = join(dir, point.href, '..');
    const missing = !(await access(join(pointDir, 'index.html')).then(() => true, () => false));
    // readSweep read the point's run from this folder; no report written since touches what readRun reads.
    if (missing || options.pointReports === 'all') await writeRunReport(pointDir, point.run);
  }
  const content = buildSweepReport(data);
  const assets = await loadAssets();
  await ensureRealDir(dir);
  const vendorScripts = await copyVendor(assets, dir);
  const csvFiles = await writeCsvTables(dir, content.tables);
  const htmlPath = join(dir, 'index.html');
  await writeFileReplacing(htmlPath, renderSweepPage(data, content, { css: assets.css, viewerScript: assets.viewerScript, vendorScripts, csvHref: `${CSV_DIR}/` }));
  return { htmlPath, content, data, csvFiles };
}
