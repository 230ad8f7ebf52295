/**
 * The content of one run's report (charts, tables, CSV-only data) and its HTML page. Pure: the
 * writer supplies the CSS, the viewer script and where the vendored scripts are.
 */
import { hopChart } from './charts/hop-charts.ts';
import { resourceCharts } from './charts/resource-charts.ts';
import { summaryCharts } from './charts/summary-charts.ts';
import { profileLabel, timelineCharts } from './charts/timeline-charts.ts';
import type { Chart } from './charts/chart.ts';
import { escapeHtml, renderChart, renderPage, renderTable } from './html.ts';
import { PAPER_LABEL } from './paper-reference.ts';
import type { RunData } from './run-data.ts';
import { dataExports, runTables } from './run-tables.ts';
import { faultSection, faultTables } from './fault-section.ts';
import { replicationSection, replicationTables } from './replication-section.ts';
import type { Table } from './table.ts';
import { judgeClaims, type Verdict } from '../replication/verdicts.ts';

export interface RunReportContent {
  charts: Chart[];
  tables: Table[];
  /** Exported as CSV only (per-second data). */
  exports: Table[];
  /** The paper's claims judged on this run (written to verdicts.json beside the page). */
  verdicts: Verdict[];
}

export function buildRunReport(run: RunData): RunReportContent {
  const hop = hopChart(run);
  const verdicts = judgeClaims(run.profiles);
  return {
    charts: [...summaryCharts(run), ...timelineCharts(run.profiles), ...(hop ? [hop] : []), ...resourceCharts(run.profiles)],
    tables: [...runTables(run), ...replicationTables(run, verdicts), ...faultTables(run)],
    exports: dataExports(run),
    verdicts,
  };
}

export interface PageAssets {
  css: string;
  viewerScript: string;
  vendorScripts: string[];
  /** Folder (relative to the page) holding `<table id>.csv`. */
  csvHref: string;
}

function notices(run: RunData): string {
  const items: string[] = [];
  if (run.profiles.length === 0) items.push('No profile results were found: the run produced nothing to report yet.');
  if (run.missing.length > 0) {
    items.push(
      `Partial run: ${run.missing.length} of ${run.manifest?.profiles.length ?? '?'} profile${run.manifest?.profiles.length === 1 ? '' : 's'} ${run.missing.length === 1 ? 'has' : 'have'} no result ` +
        `(${run.missing.map(profileLabel).join('; ')}). The run probably stopped early; everything below is from the profiles that finished.`,
    );
  }
  const interrupted = run.profiles.filter((p) => p.interrupted === true);
  if (interrupted.length > 0) {
    items.push(`Interrupted: ${interrupted.map(profileLabel).join('; ')} stopped early (Ctrl-C); their figures cover a shorter window.`);
  }
  for (const p of run.profiles.filter((x) => x.client?.limited)) {
    items.push(`Client-limited: ${profileLabel(p)}: ${p.client.reason}. Its figures describe the load generator more than the system.`);
  }
  for (const p of run.profiles.filter((x) => !x.client?.limited && (x.client?.saturatedSeconds ?? 0) > 0)) {
    items.push(`Load generator partly saturated: ${profileLabel(p)}: ${p.client.reason}.`);
  }
  for (const p of run.profiles.filter((x) => x.errors.timeout > 0 || (x.openLoop?.dropped ?? 0) > 0)) {
    const w = p.latencyWithTimeouts;
    items.push(
      `Timeouts: ${profileLabel(p)}: ${p.errors.timeout} requests timed out${p.openLoop ? ` and ${p.openLoop.dropped} were never sent` : ''}; latency figures are over completed responses and leave them out` +
        (w ? `; including them at censored values, mean ≥ ${w.mean.toFixed(1)} ms and p99 ≥ ${w.p99.toFixed(1)} ms.` : '.'),
    );
  }
  for (const p of run.profiles.filter((x) => x.steadyState && !x.steadyState.steady)) {
    items.push(`No steady state: ${profileLabel(p)}: ${p.steadyState!.note}; its means mix two regimes (a longer warm-up or profile helps).`);
  }
  for (const p of run.profiles.filter((x) => x.openLoop?.queued)) {
    items.push(`Open loop capped: ${profileLabel(p)}: ${p.openLoop!.queued} of ${p.openLoop!.scheduled} sends waited in the client for one of ${p.openLoop!.cap ?? p.workers} slots.`);
  }
  for (const p of run.profiles) {
    const lost = p.hops.filter((h) => (h.missing ?? 0) > 0 || (h.negative ?? 0) > 0);
    if (lost.length) items.push(`Time between services: ${profileLabel(p)}: ${lost.map((h) => `${h.from} → ${h.to} ${h.missing ?? 0} missing spans, ${h.negative ?? 0} negative gaps`).join('; ')}.`);
  }
  for (const p of run.profiles) for (const note of p.notes ?? []) items.push(`${profileLabel(p)}: ${note}.`);
  for (const p of run.profiles) {
    const check = p.gatewayCheck;
    if (check && ('error' in check || !check.agrees)) items.push(`Gateway counters, ${profileLabel(p)}: ${'error' in check ? check.error : check.note}.`);
  }
  for (const problem of run.problems) items.push(`Could not use ${problem}.`);
  if (run.manifest?.dataset.synthetic) items.push('The dataset of this run is synthetic (generated), not recorded sensor data.');
  if (run.manifest?.options.synthetic === true) items.push('Synthetic results: generated for tests and benchmarks, not measured.');
  if (items.length === 0) return '';
  return `<div class="notice" role="note"><ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul></div>`;
}

export function renderRunPage(run: RunData, content: RunReportContent, assets: PageAssets): string {
  const m = run.manifest;
  const table = (id: string) => {
    const t = content.tables.find((x) => x.id === id);
    return t ? renderTable(t, { csvHref: `${assets.csvHref}${t.id}.csv` }) : '';
  };
  const charts = (prefix: string) =>
    content.charts
      .filter((c) => c.id.startsWith(prefix))
      .map(renderChart)
      .join('\n');
  const section = (id: string, title: string, inner: string) => (inner.trim() ? `<section id="${id}"><h2>${escapeHtml(title)}</h2>\n${inner}\n</section>` : '');
  const facts = [
    ['created', m?.createdAt ?? 'unknown'],
    ['target', m ? `${m.target.kind} (${m.target.nodes.length} nodes; shaping: ${m.target.shaping})` : 'unknown'],
    ['systems', m?.systems.join(', ') ?? 'unknown'],
    ['profiles', `${run.profiles.length} of ${m?.profiles.length ?? run.profiles.length}`],
    ['fogbench', m ? `${m.fogbench.version}${m.fogbench.gitSha ? ` @ ${m.fogbench.gitSha.slice(0, 12)}${m.fogbench.gitDirty ? ' (dirty)' : ''}` : ''}` : 'unknown'],
  ];
  const gatewayTable = content.tables.some((t) => t.id === 'gateway-counters') ? `${table('gateway-counters')}\n` : '';
  const exportLinks = content.exports.map((t) => `<a href="${escapeHtml(`${assets.csvHref}${t.id}.csv`)}" download>${escapeHtml(t.id)}.csv</a>`).join(', ');
  const body = `<header>
<p class="crumbs"><a href="../../index.html">all runs</a></p>
<h1>fogbench run <code>${escapeHtml(run.runId)}</code></h1>
<dl class="facts">${facts.map(([k, v]) => `<dt>${escapeHtml(k ?? '')}</dt><dd>${escapeHtml(v ?? '')}</dd>`).join('')}</dl>
${notices(run)}
<nav><a href="#summary">Summary</a> · ${run.profiles.length ? '<a href="#replication">Replication</a> · ' : ''}<a href="#timelines">Timelines</a> · <a href="#hops">Time between services</a> · <a href="#nodes">Nodes</a> · <a href="#details">Details</a> · <a href="#run">Run</a></nav>
</header>
<main>
${section('summary', 'Summary', `<p class="caption">Figures labelled <em>paper</em> are from the ${escapeHtml(PAPER_LABEL)}, for reference.</p>\n${table('error-rate')}\n${table('throughput')}\n${table('mean-latency')}\n<div class="charts">${charts('summary-')}</div>`)}
${replicationSection(run, table)}
${faultSection(run, table)}
${section('timelines', 'Timelines', charts('timeline-'))}
${section('hops', 'Time between services', `${charts('hop-')}\n${table('hop-gaps')}`)}
${section('nodes', 'Nodes', charts('resources-'))}
${section('details', 'Details', `${table('profiles')}\n${table('errors-by-class')}\n${gatewayTable}${table('events')}\n${table('paper-reference')}`)}
${section('run', 'Run', `${table('manifest')}\n${table('timeouts')}\n${table('nodes')}\n<p class="caption">Per-second data for analysis: ${exportLinks}.</p>`)}
</main>`;
  return renderPage({
    title: `fogbench run ${run.runId}`,
    css: assets.css,
    body,
    vendorScripts: assets.vendorScripts,
    data: { 'fogbench-charts': Object.fromEntries(content.charts.map((c) => [c.id, c.spec])) },
    viewerScript: assets.viewerScript,
  });
}
