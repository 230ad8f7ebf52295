/**
 * Report generation for a full paper matrix: 2 systems x 4 worker counts, 10 minutes of
 * per-second data each, 6 nodes of resource samples. Measures the time `writeRunReport` takes
 * (first call in the process, which also bundles the viewer, and a second, warm call) and the
 * size of the HTML page. Budgets from issue #6: <= 3 s and <= 3 MB; ratios are measured/budget.
 */
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRunReport } from '../report/writer.ts';
import { syntheticRun } from '../report/synthetic-run.ts';
import { profileFileName } from '../results/schema.ts';
import type { Benchmark, PerfLine } from './benchmark.ts';

const TIME_BUDGET_S = 3;
const SIZE_BUDGET_BYTES = 3 * 1024 * 1024;

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

export const reportGenerationBenchmark: Benchmark = {
  name: 'report-generation',
  description: 'HTML report of a full paper matrix (8 profiles x 10 min per-second data): time and size',
  async run(log) {
    const root = await mkdtemp(join(tmpdir(), 'fogbench-perf-report-'));
    try {
      const runDir = join(root, 'paper-matrix');
      log('building a synthetic 8-profile x 600 s run');
      const { manifest, profiles } = syntheticRun({ runId: 'perf-paper-matrix', seconds: 600, workerNodes: 4 });
      await mkdir(join(runDir, 'profiles'), { recursive: true });
      await writeFile(join(runDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
      for (const p of profiles) await writeFile(join(runDir, 'profiles', profileFileName(p.system, p.workers)), JSON.stringify(p));
      const inputBytes = await folderBytes(runDir);
      log('writing the report (cold, then warm)');
      let started = performance.now();
      const { htmlPath, csvFiles } = await writeRunReport(runDir);
      const coldS = (performance.now() - started) / 1000;
      started = performance.now();
      await writeRunReport(runDir);
      const warmS = (performance.now() - started) / 1000;
      const htmlBytes = (await stat(htmlPath)).size;
      const vendorBytes = await folderBytes(join(runDir, 'vendor'));
      let csvBytes = 0;
      for (const f of csvFiles) csvBytes += (await stat(f)).size;
      const lines: PerfLine[] = [
        {
          label: 'report generation time, 8 profiles x 600 s (first call in process / budget 3 s)',
          figures: { 'first call': `${coldS.toFixed(2)} s`, 'warm call': `${warmS.toFixed(2)} s`, 'result files read': mb(inputBytes) },
          ratio: coldS / TIME_BUDGET_S,
          target: { op: '<=', value: 1 },
        },
        {
          label: 'report HTML size, 8 profiles x 600 s (index.html / budget 3 MB)',
          figures: { 'index.html': mb(htmlBytes), 'vendor/ (vega, vega-lite, vega-embed, shared)': mb(vendorBytes), [`csv/ (${csvFiles.length} files)`]: mb(csvBytes) },
          ratio: htmlBytes / SIZE_BUDGET_BYTES,
          target: { op: '<=', value: 1 },
        },
      ];
      return lines;
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
};
