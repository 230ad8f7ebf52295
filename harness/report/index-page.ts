/**
 * The index of all runs (reports/index.html): the list of runs, a comparison of two chosen runs
 * (drawn here for the two newest so it reads without JavaScript; the viewer script redraws it
 * when the reader picks others), trend charts across runs, and the list of sweeps.
 */
import { trendCharts } from './charts/trend-charts.ts';
import { escapeHtml, renderChart, renderPage, renderTable } from './html.ts';
import { comparisonTable, runListTable, sortRuns, type RunSummary } from './run-summary.ts';
import { sortSweeps, sweepListTable, type SweepSummary } from './sweep-summary.ts';

export interface IndexAssets {
  css: string;
  viewerScript: string;
  vendorScripts: string[];
}

function picker(id: string, label: string, runs: RunSummary[], selected: string | undefined): string {
  const options = runs
    .map((r) => `<option value="${escapeHtml(r.runId)}"${r.runId === selected ? ' selected' : ''}>${escapeHtml(r.runId)}${r.createdAt ? ` (${escapeHtml(r.createdAt.slice(0, 16).replace('T', ' '))})` : ''}</option>`)
    .join('');
  return `<label>${escapeHtml(label)} <select id="${id}">${options}</select></label>`;
}

export function renderIndexPage(summaries: RunSummary[], sweepSummaries: SweepSummary[], assets: IndexAssets, generatedAt: string): string {
  const runs = sortRuns(summaries);
  const sweeps = sortSweeps(sweepSummaries);
  const [newest, previous] = runs;
  const a = previous ?? newest;
  const b = newest;
  const comparison =
    a && b
      ? `<div class="pickers">${picker('compare-a', 'A', runs, a.runId)} ${picker('compare-b', 'B', runs, b.runId)}</div>
<div id="comparison">${renderTable(comparisonTable(a, b))}</div>`
      : '<p>No runs yet.</p>';
  const charts = trendCharts(runs);
  const body = `<header>
<h1>fogbench runs</h1>
<p class="caption">${runs.length} run${runs.length === 1 ? '' : 's'}${sweeps.length ? `, ${sweeps.length} sweep${sweeps.length === 1 ? '' : 's'}` : ''}; index generated ${escapeHtml(generatedAt)}. Each report opens on its own, also from a file.</p>
<nav><a href="#runs">Runs</a> · <a href="#compare">Compare two runs</a> · <a href="#trends">Trends</a>${sweeps.length ? ' · <a href="#sweeps">Sweeps</a>' : ''}</nav>
</header>
<main>
<section id="runs"><h2>Runs</h2>${runs.length ? renderTable(runListTable(runs), { rowLinks: runs.map((r) => r.href) }) : '<p>No runs found.</p>'}</section>
<section id="compare"><h2>Compare two runs</h2>${comparison}</section>
${charts.length ? `<section id="trends"><h2>Trends</h2><div class="charts">${charts.map(renderChart).join('\n')}</div></section>` : ''}
${sweeps.length ? `<section id="sweeps"><h2>Sweeps</h2>${renderTable(sweepListTable(sweeps), { rowLinks: sweeps.map((s) => s.href) })}</section>` : ''}
</main>`;
  return renderPage({
    title: 'fogbench runs',
    css: assets.css,
    body,
    vendorScripts: assets.vendorScripts,
    data: { 'fogbench-charts': Object.fromEntries(charts.map((c) => [c.id, c.spec])), 'fogbench-runs': runs },
    viewerScript: assets.viewerScript,
  });
}
