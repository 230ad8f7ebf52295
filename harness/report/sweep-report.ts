/**
 * The report of a sweep (pure): the cost model fitted per system and worker count, observed vs
 * fitted points, throughput-ratio heatmaps, the model's prediction for the --predict scenario
 * against its measurement, and every point with a link to its own run report.
 */
import { NO_ERROR_RATE } from '../metrics/error-rate.ts';
import { formatSize } from '../dataflow/synthetic-chain.ts';
import { COST_TERMS, MIB } from '../metrics/cost-model.ts';
import { METRIC_LABEL, METRIC_UNIT, MIN_OK_FOR_FIT, predictionRows, SWEEP_METRICS, sweepFits, sweepRows, throughputRatios, type PredictionRow, type SweepFit, type SweepRow } from '../metrics/sweep-analysis.ts';
import type { Chart } from './charts/chart.ts';
import { fitChart, ratioChart, TERM_LABEL, termsChart, termUnit } from './charts/sweep-charts.ts';
import { escapeHtml, renderChart, renderPage, renderTable } from './html.ts';
import type { PageAssets } from './run-report.ts';
import type { SweepData } from './sweep-read.ts';
import { col, type Table } from './table.ts';

export interface SweepReportContent {
  charts: Chart[];
  tables: Table[];
  rows: SweepRow[];
  fits: SweepFit[];
  predictions: PredictionRow[];
  systems: string[];
}

/** What the analysis needs of a sweep: its manifest's systems and its complete points. */
export type SweepInputData = Pick<SweepData, 'manifest' | 'points' | 'predict'>;

export function sweepSystems(data: SweepInputData): string[] {
  const listed = (data.manifest.options.systems as string[] | undefined) ?? [];
  const seen = new Set(data.points.flatMap((p) => p.profiles.map((r) => r.system)));
  return [...listed.filter((s) => seen.has(s)), ...[...seen].filter((s) => !listed.includes(s)).sort()];
}

export function analyseSweep(data: SweepInputData): Omit<SweepReportContent, 'charts' | 'tables'> {
  const systems = sweepSystems(data);
  const rows = sweepRows(data.points);
  const fits = sweepFits(rows, systems);
  const predictions = data.predict ? predictionRows(fits, data.predict) : [];
  return { rows, fits, predictions, systems };
}

function termsTable(fits: readonly SweepFit[]): Table {
  return {
    id: 'sweep-cost-terms',
    title: 'Fitted cost terms',
    caption:
      'Per system, worker count and figure: y = fixed + per MB (client) · S + per hop · L + per MB per hop · B + per MB beyond a link\'s burst · Z, with L the chain length, S the MB the client exchanges per request ' +
      '(mean of request and response), B the MB the hops carry (each hop: the mean of what goes into the step and what comes back, the rest of the chain\'s answer where the steps relay it, ' +
      'the step\'s own output where an orchestrator collects it; L · S for a chain) and Z the MB of those transfers past a shaped link\'s bucket (tbf passes a burst at once, the rest at its rate; ' +
      'a term only when some point sends most of its bytes past it). Weighted least squares, weights 1/ŷ² (errors relative, as run-to-run noise is); ' +
      '95 % Student-t intervals on n − p degrees of freedom. A term the points cannot separate is left out (–). "Scatter" is the relative standard deviation of a point around the model.',
    columns: [
      col('figure'),
      col('system'),
      col('workers', 'workers', 'int'),
      col('term'),
      col('unit'),
      col('estimate', 'estimate', 'number'),
      col('lo95', '95% low', 'number'),
      col('hi95', '95% high', 'number'),
      col('points', 'points', 'int'),
      col('df', 'df', 'int'),
      col('scatter', 'scatter', 'percent'),
    ],
    rows: fits.flatMap((f) =>
      COST_TERMS.map((name) => {
        const term = f.fit?.terms.find((t) => t.name === name);
        const omitted = !f.fit || f.fit.omitted.some((o) => o.name === name);
        return [
          METRIC_LABEL[f.metric],
          f.system,
          f.workers,
          TERM_LABEL[name],
          termUnit(f.metric, name),
          omitted ? null : (term?.estimate ?? null),
          omitted ? null : (term?.lo ?? null),
          omitted ? null : (term?.hi ?? null),
          f.fit?.n ?? 0,
          f.fit?.df ?? null,
          f.fit?.relativeSd ?? null,
        ];
      }),
    ),
  };
}

function pointsTable(rows: readonly SweepRow[]): Table {
  return {
    id: 'sweep-points',
    title: 'Sweep points',
    caption:
      `Every profile of every complete point. A profile with fewer than ${MIN_OK_FOR_FIT} successful requests in its window is left out of the fits.` +
      (rows.some((r) => r.errorRate === null) ? ` Errors empty: ${NO_ERROR_RATE}.` : ''),
    columns: [
      col('point'),
      col('system'),
      col('workers', 'workers', 'int'),
      col('length', 'length', 'int'),
      col('payload'),
      col('ok', 'ok', 'int'),
      col('throughput_rps', 'req/s', 'number'),
      col('latency_mean_ok_ms', 'mean latency (ok) ms', 'ms'),
      col('cpu_ms_per_ok', 'CPU ms/ok', 'number'),
      col('error_rate', 'errors', 'percent'),
      col('in_fit', 'in the fit'),
    ],
    rows: rows.map((r) => [
      r.point,
      r.system,
      r.workers,
      r.length,
      r.payloadBytes !== null ? formatSize(r.payloadBytes) : `${(r.clientBytes / 1024).toFixed(1)} KB (mean)`,
      r.ok,
      r.throughput,
      r.latency,
      r.cpu,
      r.errorRate,
      r.excluded === null ? 'yes' : `no: ${r.excluded}`,
    ]),
  };
}

function predictionTable(rows: readonly PredictionRow[], data: SweepInputData): Table {
  const shape = data.predict;
  return {
    id: 'sweep-prediction',
    title: `Predicted vs measured: ${data.manifest.predict?.scenario ?? 'no --predict scenario'}`,
    caption: shape
      ? `The model of each system at the scenario's shape: ${shape.length} steps, ${(shape.clientBytes / 1024).toFixed(1)} KB exchanged with the client (mean of request and response), ` +
        `${(shape.hopBytes / MIB).toFixed(3)} MB into the steps in all (measured by running its functions on the dataset's batches); what the hops carry both ways depends on how the system answers (the MB per hop column). ` +
        `The per-hop term holds the sweep's own work per step, so the scenario's steps get theirs instead (its functions' CPU time in process: ${shape.workMs !== undefined ? `${shape.workMs.toFixed(3)} ms` : 'unknown'} per step): the work adjustment column. ` +
        'Measured: the mean of the scenario\'s runs (each run\'s figure beside it); the interval is for the mean of as many new runs (the model\'s scatter included, over their count).'
      : 'Run the sweep with --predict <scenario file> to measure a scenario outside the sweep and compare.',
    columns: [
      col('figure'),
      col('system'),
      col('workers', 'workers', 'int'),
      col('hop_mb', 'MB the hops carry', 'number'),
      col('shaped_mb', 'MB past the burst', 'number'),
      col('runs', 'each run'),
      col('measured', 'measured (mean)', 'number'),
      col('predicted', 'predicted', 'number'),
      col('lo95', '95% low', 'number'),
      col('hi95', '95% high', 'number'),
      col('work_adjustment', 'work adjustment', 'number'),
      col('error', 'error', 'change'),
      col('inside', 'inside the interval'),
    ],
    rows: rows.map((r) => [
      `${METRIC_LABEL[r.metric]} (${METRIC_UNIT[r.metric]})`,
      r.system,
      r.workers,
      r.hopBytes / MIB,
      r.shapedBytes / MIB,
      r.repetitions.map((v) => v.toPrecision(3)).join(', '),
      r.measured,
      r.predicted.estimate,
      r.predicted.single?.lo ?? null,
      r.predicted.single?.hi ?? null,
      r.workAdjustment,
      r.error,
      r.inside,
    ]),
  };
}

function optionsTable(data: SweepInputData): Table {
  const m = data.manifest;
  const rows: [string, string][] = [
    ['sweep', m.sweepId],
    ['created', m.createdAt],
    ['updated', m.updatedAt],
    ['axes', m.axes.map((a) => `${a.name}=${a.values.join(',')}`).join('  ')],
    ['base spec', m.base],
    ['options hash', m.optionsHash],
    ...Object.entries(m.options).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  ];
  return { id: 'sweep-manifest', title: 'Sweep', caption: 'The options every point shares; a resume with other options is refused.', columns: [col('key'), col('value')], rows };
}

export function buildSweepReport(data: SweepInputData): SweepReportContent {
  const analysis = analyseSweep(data);
  const { rows, fits, systems } = analysis;
  const comparisons = systems.filter((s) => s !== 'p2p').map((s) => ({ label: `${s} / p2p`, cells: throughputRatios(rows, s, 'p2p') }));
  const charts = [
    ...SWEEP_METRICS.map((m) => termsChart(fits, m, systems)),
    ...SWEEP_METRICS.map((m) => fitChart(rows, fits, m, systems)),
    systems.includes('p2p') ? ratioChart(comparisons) : null,
  ].filter((c): c is Chart => c !== null);
  return { ...analysis, charts, tables: [termsTable(fits), predictionTable(analysis.predictions, data), pointsTable(rows), optionsTable(data)] };
}

export function renderSweepPage(data: SweepData, content: SweepReportContent, assets: PageAssets): string {
  const m = data.manifest;
  const table = (id: string, links?: string[]) => {
    const t = content.tables.find((x) => x.id === id);
    return t ? renderTable(t, { csvHref: `${assets.csvHref}${t.id}.csv`, ...(links ? { rowLinks: links } : {}) }) : '';
  };
  const charts = (prefix: string) => content.charts.filter((c) => c.id.startsWith(prefix)).map(renderChart).join('\n');
  const section = (id: string, title: string, inner: string) => (inner.trim() ? `<section id="${id}"><h2>${escapeHtml(title)}</h2>\n${inner}\n</section>` : '');
  const notices: string[] = [];
  if (data.pending.length) notices.push(`Incomplete sweep: ${data.pending.length} of ${m.points.length + (m.predict ? 1 : 0)} points have no complete result yet (${data.pending.join(', ')}); run the same command again to resume it.`);
  for (const f of content.fits.filter((x) => x.metric === 'latency' && x.excluded.length)) {
    notices.push(`${f.system} at ${f.workers} worker${f.workers === 1 ? '' : 's'}: left out of the fit: ${f.excluded.map((e) => `${e.point} (${e.reason})`).join('; ')}.`);
  }
  for (const f of content.fits.filter((x) => x.metric === 'latency' && x.fit && x.fit.df <= 0)) {
    notices.push(`${f.system} at ${f.workers} worker${f.workers === 1 ? '' : 's'}: ${f.fit!.n} points for ${f.fit!.fittedTerms.length} terms: an exact fit, no intervals.`);
  }
  for (const p of data.problems) notices.push(`Could not use ${p}.`);
  const seconds = Object.values(m.seconds ?? {}).reduce((s, v) => s + v, 0);
  const facts = [
    ['axes', m.axes.map((a) => `${a.name} = ${a.values.join(', ')}`).join('; ')],
    ['base', m.base],
    ['systems', content.systems.join(', ')],
    ['workers', String((m.options.workers as number[] | undefined)?.join(', ') ?? '?')],
    ['each profile', `${Number(m.options.durationMs ?? 0) / 1000} s measured after ${Number(m.options.warmupMs ?? 0) / 1000} s of warm-up`],
    ['target', String(m.options.target ?? '?')],
    ['points', `${data.points.length + (data.predict ? 1 : 0)} of ${m.points.length + (m.predict ? 1 : 0)} complete, ${Math.round(seconds)} s of running`],
  ];
  const pointLinks = content.tables.find((t) => t.id === 'sweep-points')!.rows.map((r) => `points/${String(r[0])}/index.html`);
  const body = `<header>
<h1>fogbench sweep <code>${escapeHtml(m.sweepId)}</code></h1>
<dl class="facts">${facts.map(([k, v]) => `<dt>${escapeHtml(k ?? '')}</dt><dd>${escapeHtml(v ?? '')}</dd>`).join('')}</dl>
${notices.length ? `<div class="notice" role="note"><ul>${notices.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul></div>` : ''}
<nav><a href="#model">Cost model</a> · <a href="#fit">Observed vs fitted</a> · <a href="#ratio">Throughput ratio</a> · <a href="#prediction">Prediction</a> · <a href="#points">Points</a> · <a href="#sweep">Sweep</a></nav>
</header>
<main>
${section('model', 'Cost model', `${table('sweep-cost-terms')}\n<div class="charts">${charts('sweep-terms-')}</div>`)}
${section('fit', 'Observed vs fitted', `<div class="charts">${charts('sweep-fit-')}</div>`)}
${section('ratio', 'Throughput ratio', charts('sweep-throughput-ratio'))}
${section('prediction', 'Prediction', table('sweep-prediction'))}
${section('points', 'Points', table('sweep-points', pointLinks))}
${section('sweep', 'Sweep', table('sweep-manifest'))}
</main>`;
  return renderPage({
    title: `fogbench sweep ${m.sweepId}`,
    css: assets.css,
    body,
    vendorScripts: assets.vendorScripts,
    data: { 'fogbench-charts': Object.fromEntries(content.charts.map((c) => [c.id, c.spec])) },
    viewerScript: assets.viewerScript,
  });
}
