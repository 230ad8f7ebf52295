/**
 * The tables of a run report, built from result data alone. The first three follow the paper's
 * layout (one row per worker count, one column per system) with the paper's figures in their own
 * clearly labelled columns; the rest give the full detail a reviewer needs to check them.
 */
import { ERROR_CLASSES, type ProfileResult, type RunManifest } from '../results/schema.ts';
import { PAPER_LABEL, PAPER_REFERENCE, paperReference } from './paper-reference.ts';
import { meanOverRuns, systemsOf, workersOf, type RunData } from './run-data.ts';
import { col, type Cell, type Column, type Table } from './table.ts';
import { repetitionTables } from './repetition-tables.ts';
import { gatewayCheckTable } from './gateway-table.ts';
import { errorRateOf, NO_ERROR_RATE } from '../metrics/error-rate.ts';

type PaperField = 'throughput' | 'meanLatencyMs' | 'errorRate';

function paperLayout(
  run: RunData,
  id: string,
  title: string,
  unit: { key: string; label: string; format: Column['format'] },
  ours: (p: ProfileResult) => number | null,
  paperField: PaperField,
): Table {
  const systems = systemsOf(run);
  const columns: Column[] = [col('workers', 'workers', 'int')];
  for (const s of systems) {
    columns.push(col(`${s}_${unit.key}`, `${s} ${unit.label}`, unit.format));
    if (PAPER_REFERENCE.some((r) => r.system === s)) columns.push(col(`paper_${s}_${unit.key}`, `${s} ${unit.label} (paper)`, unit.format));
  }
  const workers = [...new Set([...workersOf(run)])];
  const repeated = run.profiles.some((p) => (p.repetition ?? 1) > 1);
  const rows = workers.map((w) => {
    const row: Cell[] = [w];
    for (const s of systems) {
      row.push(meanOverRuns(run.profiles.filter((p) => p.system === s && p.workers === w), ours));
      if (PAPER_REFERENCE.some((r) => r.system === s)) row.push(paperReference(s, w)?.[paperField] ?? null);
    }
    return row;
  });
  return {
    id,
    title,
    caption:
      `Paper layout: one row per number of concurrent workers${repeated ? '; each figure is the mean over the repeated runs (not interrupted ones), as in the charts' : ''}. ` +
      `Columns marked (paper) are the ${PAPER_LABEL} figures, measured on other hardware; shown for reference, not as targets.` +
      (unit.key === 'error_rate' && run.profiles.some((p) => errorRateOf(p) === null) ? ` Empty where a profile sent no request (${NO_ERROR_RATE}).` : ''),
    columns,
    rows,
  };
}

export function profileTable(run: RunData): Table {
  const columns = [
    col('system', 'system'),
    col('workers', 'workers', 'int'),
    col('run', 'run', 'int'),
    col('keep_alive', 'keep-alive'),
    col('driver', 'driver'),
    col('duration_s', 'duration (s)', 'number'),
    col('requests', 'requests', 'int'),
    col('ok', 'ok', 'int'),
    col('errors', 'errors', 'int'),
    col('cut_off', 'cut off', 'int'),
    col('interrupted', 'interrupted'),
    col('error_rate', 'error rate', 'percent'),
    col('throughput_rps', 'throughput (req/s)', 'number'),
    col('goodput_rps', 'goodput (req/s)', 'number'),
    col('mean_ms', 'mean (ms)', 'ms'),
    col('stdev_ms', 'stdev (ms)', 'ms'),
    col('min_ms', 'min (ms)', 'ms'),
    col('p50_ms', 'p50 (ms)', 'ms'),
    col('p90_ms', 'p90 (ms)', 'ms'),
    col('p99_ms', 'p99 (ms)', 'ms'),
    col('p999_ms', 'p99.9 (ms)', 'ms'),
    col('max_ms', 'max (ms)', 'ms'),
    col('ok_p50_ms', 'ok-only p50 (ms)', 'ms'),
    col('ok_p99_ms', 'ok-only p99 (ms)', 'ms'),
    col('censored', 'censored (timed out, cut off, not sent)', 'int'),
    col('with_timeouts_mean_ms', 'incl. timeouts mean (ms, ≥)', 'ms'),
    col('with_timeouts_p99_ms', 'incl. timeouts p99 (ms, ≥)', 'ms'),
    col('cpu_s_per_ok', 'system CPU-s per ok request', 'number'),
    col('client_limited', 'client-limited'),
    col('client_saturated_s', 'client saturated (s)', 'int'),
    col('steady', 'steady state'),
  ];
  const rows = run.profiles.map((p): Cell[] => [
    p.system,
    p.workers,
    p.repetition ?? 1,
    p.keepAlive,
    p.driver,
    p.durationSeconds,
    p.requests,
    p.ok,
    p.requests - p.ok,
    p.cutOff ?? null,
    p.interrupted ?? null,
    errorRateOf(p),
    p.throughput,
    p.goodput,
    p.latency.mean,
    p.latency.stdev,
    p.latency.min,
    p.latency.p50,
    p.latency.p90,
    p.latency.p99,
    p.latency.p999,
    p.latency.max,
    p.latencyOk.count > 0 ? p.latencyOk.p50 : null,
    p.latencyOk.count > 0 ? p.latencyOk.p99 : null,
    p.latencyWithTimeouts?.censored ?? null,
    p.latencyWithTimeouts && p.latencyWithTimeouts.count > 0 ? p.latencyWithTimeouts.mean : null,
    p.latencyWithTimeouts && p.latencyWithTimeouts.count > 0 ? p.latencyWithTimeouts.p99 : null,
    p.cost?.cpuSecondsPerOk ?? null,
    p.client?.limited ?? null,
    p.client?.saturatedSeconds ?? null,
    p.steadyState ? (p.steadyState.steady ? 'yes' : `no (${p.steadyState.driftPercent !== null && p.steadyState.driftPercent > 0 ? '+' : ''}${p.steadyState.driftPercent ?? '?'} %)`) : null,
  ]);
  // Parts that each fit a 1400 px window: counts and rates, latency, then what qualifies them; the CSV has all.
  const key = [0, 1, 2];
  const latencyFrom = columns.findIndex((c) => c.key === 'mean_ms');
  const latencyTo = columns.findIndex((c) => c.key === 'ok_p99_ms');
  const index = columns.map((_, i) => i);
  return {
    id: 'profiles',
    parts: [
      { title: 'Counts and rates', columns: index.filter((i) => i < latencyFrom) },
      { title: 'Latency (ms), over completed responses', columns: [...key, ...index.filter((i) => i >= latencyFrom && i <= latencyTo)] },
      { title: 'Timeouts included, cost, load generator, steady state', columns: [...key, ...index.filter((i) => i > latencyTo)] },
    ],
    title: 'Profiles: throughput and latency percentiles',
    caption:
      'Latency over completed responses of any status (defined as hey, the load generator of the paper, reports it, whichever driver ran) unless marked ok-only; requests that timed out, were cut off or never sent are not in it. ' +
      '"Incl. timeouts" adds them at censored values (the client timeout, or their age when the window closed): lower bounds, which a system collapsing into timeouts cannot make look faster. ' +
      'Cut off: requests still in flight when the window closed, counted neither as successes nor errors. Throughput counts every response; goodput only successful ones. ' +
      `Error rate empty: ${NO_ERROR_RATE}, and no latency either. ` +
      'Steady state: the first third\'s throughput against the last third\'s (within 10 %, or counting noise).',
    columns,
    rows,
  };
}

export function errorClassTable(run: RunData): Table {
  return {
    id: 'errors-by-class',
    title: 'Errors by class',
    caption: 'http4xx/http5xx: error status without a dataflow envelope; envelope: a dataflow error reached the client; timeout, refused, reset, other: client-side failures.',
    columns: [col('system', 'system'), col('workers', 'workers', 'int'), col('run', 'run', 'int'), ...ERROR_CLASSES.map((c) => col(c, c, 'int')), col('total', 'total', 'int')],
    rows: run.profiles.map((p) => [p.system, p.workers, p.repetition ?? 1, ...ERROR_CLASSES.map((c) => p.errors[c] ?? 0), ERROR_CLASSES.reduce((sum, c) => sum + (p.errors[c] ?? 0), 0)]),
  };
}

export function hopTable(run: RunData): Table {
  return {
    id: 'hop-gaps',
    title: 'Time between services (ms)',
    caption:
      'As the paper defines it: from one service\'s function ending to the next one\'s function starting, from spans; split into the part until the next service has the request (encoding the result, return path, call, network) and the body\'s transfer and decoding. ' +
      'Failed: the hop had no gap to measure (a function failed, an error envelope came instead, the call failed); missing: the request finished inside the window but no span of the next service arrived; cut: the request was still running when the window closed; negative: below zero by more than the clock uncertainty (± ms, kube: node clock offsets; 0 on one clock). ' +
      'Runs written before this definition measured to the next request\'s arrival (definition column empty).',
    columns: [
      col('system', 'system'),
      col('workers', 'workers', 'int'),
      col('run', 'run', 'int'),
      col('from', 'from'),
      col('to', 'to'),
      col('count', 'gaps', 'int'),
      col('mean_ms', 'mean', 'ms'),
      col('min_ms', 'min', 'ms'),
      col('q1_ms', 'q1', 'ms'),
      col('p50_ms', 'median', 'ms'),
      col('q3_ms', 'q3', 'ms'),
      col('p90_ms', 'p90', 'ms'),
      col('p99_ms', 'p99', 'ms'),
      col('max_ms', 'max', 'ms'),
      col('to_request_mean_ms', 'to request, mean', 'ms'),
      col('body_mean_ms', 'body transfer, mean', 'ms'),
      col('body_p99_ms', 'body transfer, p99', 'ms'),
      col('failed', 'failed', 'int'),
      col('missing', 'missing spans', 'int'),
      col('cut', 'cut at window end', 'int'),
      col('negative', 'negative', 'int'),
      col('clock_uncertainty_ms', '± clock (ms)', 'ms'),
      col('definition', 'definition'),
    ],
    rows: run.profiles.flatMap((p) =>
      p.hops.map((h): Cell[] => [
        p.system,
        p.workers,
        p.repetition ?? 1,
        h.from,
        h.to,
        h.count,
        h.mean,
        h.min,
        h.q1,
        h.p50,
        h.q3,
        h.p90,
        h.p99,
        h.max,
        h.toRequest?.mean ?? null,
        h.body?.mean ?? null,
        h.body?.p99 ?? null,
        h.failed ?? null,
        h.missing ?? null,
        h.cut ?? null,
        h.negative ?? null,
        h.clockUncertaintyMs ?? null,
        h.definition ?? null,
      ]),
    ),
    parts: [
      { title: 'Function end → next function start', columns: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] },
      { title: 'Parts, failures and clock uncertainty', columns: [0, 1, 2, 3, 4, 5, 14, 15, 16, 17, 18, 19, 20, 21] },
    ],
  };
}

export function eventTable(run: RunData): Table {
  return {
    id: 'events',
    title: 'Cluster events',
    caption: 'Process exits, restarts, OOM kills and readiness changes seen while each profile ran (t in seconds from the profile start).',
    columns: [col('system', 'system'), col('workers', 'workers', 'int'), col('t_s', 't (s)', 'number'), col('at', 'at'), col('kind', 'kind'), col('subject', 'subject'), col('node', 'node'), col('detail', 'detail')],
    rows: run.profiles.flatMap((p) => p.events.map((e): Cell[] => [p.system, p.workers, e.t, e.at, e.kind, e.subject, e.node ?? null, e.detail])),
  };
}

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

export function manifestTable(manifest: RunManifest | null): Table {
  const m = manifest;
  const rows: [string, Cell][] = m
    ? [
        ['run id', m.runId],
        ['created', m.createdAt],
        ['fogbench version', m.fogbench.version],
        ['git commit', m.fogbench.gitSha],
        ['git tree dirty', m.fogbench.gitDirty],
        ['host', `${m.host.hostname} (${m.host.platform} ${m.host.kernel})`],
        ['host CPUs', `${m.host.cpus} × ${m.host.cpuModel}`],
        ['host memory (bytes)', m.host.memoryBytes],
        ['Node.js', m.host.node],
        ...Object.entries(m.tools).map(([tool, version]): [string, Cell] => [`tool: ${tool}`, version]),
        ['scenario', `${m.scenario.name} (${m.scenario.file}, sha256 ${m.scenario.sha256.slice(0, 12)})`],
        ['route', m.scenario.route.join(' → ')],
        ['scenario config', json(m.scenario.config)],
        ['dataset', `${m.dataset.file}${m.dataset.synthetic ? ' (synthetic)' : ''}, sha256 ${m.dataset.sha256.slice(0, 12)}`],
        ['dataset rows', m.dataset.rows],
        ['batch size', m.dataset.batchSize],
        ['target', m.target.kind],
        ['link shaping', m.target.shaping],
        ['target details', json(m.target.details)],
        ['systems', m.systems.join(', ')],
        ['profiles', m.profiles.map((p) => `${p.system}×${p.workers}`).join(', ')],
        ...Object.entries(m.options).map(([key, value]): [string, Cell] => [`option: ${key}`, typeof value === 'object' ? json(value) : (value as Cell)]),
      ]
    : [['manifest', 'not found: neither manifest.json nor any profile could be read']];
  return {
    id: 'manifest',
    title: 'Run manifest',
    caption: 'What this run was: versions, host, scenario, dataset, target and options.',
    columns: [col('field', 'field'), col('value', 'value')],
    rows: rows.map(([k, v]) => [k, typeof v === 'number' ? v : v]),
  };
}

/**
 * Every timer that can turn a slow request into an error, system beside system: the shared
 * end-to-end deadline and what enforces it in each, the per-step wait, and the other timers on
 * the path; the client's timeout applies to both. Runs from before the manifest recorded them
 * have no rows.
 */
export function timeoutTable(manifest: RunManifest | null): Table {
  const t = manifest?.timeouts;
  const others = (o: Record<string, number>) => Object.entries(o).map(([name, ms]) => `${name} ${ms / 1000} s`).join('; ') || null;
  return {
    id: 'timeouts',
    title: 'Timeouts',
    caption: t ? `Each system's deadline and waits; the client's timeout is ${t.clientMs / 1000} s for both.` : 'Not recorded by this run.',
    columns: [col('system', 'system'), col('deadline_ms', 'end-to-end deadline', 'ms'), col('deadline_by', 'enforced by'), col('call_ms', 'wait per step', 'ms'), col('call_by', 'whose'), col('others', 'other timers')],
    rows: Object.entries(t?.systems ?? {}).map(([system, s]): Cell[] => [system, s.deadlineMs, s.deadlineBy, s.callMs, s.callBy, others(s.others)]),
  };
}

export function nodeTable(manifest: RunManifest | null): Table {
  return {
    id: 'nodes',
    title: 'Nodes',
    caption: 'The nodes of the target as it described itself; link settings are what was really applied.',
    columns: [col('name', 'name'), col('role', 'role'), col('cpus', 'CPUs', 'number'), col('memory_bytes', 'memory (bytes)', 'int'), col('address', 'address'), col('link', 'link')],
    rows: (manifest?.target.nodes ?? []).map((n): Cell[] => [n.name, n.role, n.cpus, n.memoryBytes, n.address ?? null, n.link ? json(n.link) : null]),
  };
}

export function paperReferenceTable(): Table {
  return {
    id: 'paper-reference',
    title: `Reference: ${PAPER_LABEL}`,
    caption: 'The paper\'s published figures, on AWS t2.small-like VMs with hey, 10 minutes per profile. Not measured by this run.',
    columns: [col('workers', 'workers', 'int'), col('system', 'system'), col('throughput_rps', 'throughput (req/s)', 'number'), col('mean_ms', 'mean latency (ms)', 'ms'), col('error_rate', 'error rate', 'percent')],
    rows: PAPER_REFERENCE.map((r) => [r.workers, r.system, r.throughput, r.meanLatencyMs, r.errorRate]),
  };
}

/** Every table of a run report, in page order. */
export function runTables(run: RunData): Table[] {
  return [
    paperLayout(run, 'error-rate', 'Error rate', { key: 'error_rate', label: 'error rate', format: 'percent' }, errorRateOf, 'errorRate'),
    paperLayout(run, 'throughput', 'Throughput (requests per second)', { key: 'throughput_rps', label: 'req/s', format: 'number' }, (p) => p.throughput, 'throughput'),
    paperLayout(run, 'mean-latency', 'Mean latency (ms)', { key: 'mean_ms', label: 'mean ms', format: 'ms' }, (p) => p.latency.mean, 'meanLatencyMs'),
    profileTable(run),
    ...repetitionTables(run),
    errorClassTable(run),
    // Only runs with a gateway (openfaas) have its counters.
    ...[gatewayCheckTable(run)].filter((t) => t.rows.length > 0),
    hopTable(run),
    eventTable(run),
    manifestTable(run.manifest),
    timeoutTable(run.manifest),
    nodeTable(run.manifest),
    paperReferenceTable(),
  ];
}

/** Per-second data, exported as CSV for analysis but too long to print as a table. */
export function dataExports(run: RunData): Table[] {
  return [
    {
      id: 'timeline',
      title: 'Per-second timeline',
      caption: '',
      columns: [col('system'), col('workers'), col('t_s'), col('completed'), col('ok'), col('p50_ms'), col('p99_ms'), col('mean_ms'), ...ERROR_CLASSES.map((c) => col(`errors_${c}`))],
      rows: run.profiles.flatMap((p) => p.timeline.map((b): Cell[] => [p.system, p.workers, b.t, b.completed, b.ok, b.p50, b.p99, b.mean, ...ERROR_CLASSES.map((c) => b.errors[c] ?? 0)])),
    },
    {
      id: 'resources',
      title: 'Per-second node and unit resources',
      caption: '',
      columns: [col('system'), col('workers'), col('t_s'), col('node'), col('unit'), col('cpu_cores'), col('cpu_limit_cores'), col('memory_bytes'), col('memory_limit_bytes')],
      rows: run.profiles.flatMap((p) => p.resources.map((s): Cell[] => [p.system, p.workers, s.t, s.node, s.unit ?? null, s.cpu, s.cpuLimit, s.memoryBytes, s.memoryLimitBytes])),
    },
  ];
}
