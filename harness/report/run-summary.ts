/**
 * The few figures per profile the index needs to list runs, compare two of them and draw trends
 * across nightly runs. Pure and free of Node APIs: the index's viewer script bundles this module
 * to recompute a comparison when the reader picks two other runs.
 */
import type { RunData } from './run-data.ts';
import { col, type Cell, type Table } from './table.ts';

export interface ProfileSummary {
  system: string;
  workers: number;
  requests: number;
  throughput: number;
  goodput: number;
  meanMs: number;
  p99Ms: number;
  errorRate: number;
}

export interface RunSummary {
  runId: string;
  /** Link to the run's report, relative to the index page. */
  href: string;
  createdAt: string | null;
  target: string;
  systems: string[];
  gitSha: string | null;
  expectedProfiles: number;
  profiles: ProfileSummary[];
  problems: number;
  synthetic: boolean;
}

export function summarizeRun(run: RunData, href: string): RunSummary {
  const m = run.manifest;
  return {
    runId: run.runId,
    href,
    createdAt: m?.createdAt ?? run.profiles[0]?.startedAt ?? null,
    target: m?.target.kind ?? 'unknown',
    systems: m?.systems ?? [...new Set(run.profiles.map((p) => p.system))],
    gitSha: m?.fogbench.gitSha ?? null,
    expectedProfiles: m?.profiles.length ?? run.profiles.length,
    profiles: run.profiles.map((p) => ({
      system: p.system,
      workers: p.workers,
      requests: p.requests,
      throughput: p.throughput,
      goodput: p.goodput,
      meanMs: p.latency.mean,
      p99Ms: p.latency.p99,
      errorRate: p.errorRate,
    })),
    problems: run.problems.length,
    synthetic: m?.options.synthetic === true || m?.dataset.synthetic === true,
  };
}

/** Newest first; runs without a date last, by id. */
export function sortRuns(runs: RunSummary[]): RunSummary[] {
  return [...runs].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || a.runId.localeCompare(b.runId));
}

export interface ComparisonRow {
  system: string;
  workers: number;
  a: ProfileSummary | null;
  b: ProfileSummary | null;
}

export function compareRuns(a: RunSummary, b: RunSummary): ComparisonRow[] {
  const keys = new Map<string, { system: string; workers: number }>();
  for (const p of [...a.profiles, ...b.profiles]) keys.set(`${p.system}/${p.workers}`, { system: p.system, workers: p.workers });
  const systems = [...new Set([...a.systems, ...b.systems, ...[...keys.values()].map((k) => k.system)])];
  return [...keys.values()]
    .sort((x, y) => systems.indexOf(x.system) - systems.indexOf(y.system) || x.workers - y.workers)
    .map(({ system, workers }) => ({
      system,
      workers,
      a: a.profiles.find((p) => p.system === system && p.workers === workers) ?? null,
      b: b.profiles.find((p) => p.system === system && p.workers === workers) ?? null,
    }));
}

/** (b - a) / a, or null when either side is missing or a is zero. */
function relative(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || a === 0) return null;
  return (b - a) / a;
}

export function comparisonTable(a: RunSummary, b: RunSummary): Table {
  const rows = compareRuns(a, b).map((r): Cell[] => [
    r.system,
    r.workers,
    r.a?.throughput ?? null,
    r.b?.throughput ?? null,
    relative(r.a?.throughput, r.b?.throughput),
    r.a?.meanMs ?? null,
    r.b?.meanMs ?? null,
    relative(r.a?.meanMs, r.b?.meanMs),
    r.a?.p99Ms ?? null,
    r.b?.p99Ms ?? null,
    relative(r.a?.p99Ms, r.b?.p99Ms),
    r.a?.errorRate ?? null,
    r.b?.errorRate ?? null,
    r.a && r.b ? r.b.errorRate - r.a.errorRate : null,
  ]);
  return {
    id: 'comparison',
    title: `Comparison: ${a.runId} (A) → ${b.runId} (B)`,
    caption: 'Δ is B relative to A for throughput and latency, and the difference in percentage points for the error rate. Lower latency and error rate are better; higher throughput is better.',
    columns: [
      col('system', 'system'),
      col('workers', 'workers', 'int'),
      col('a_throughput_rps', 'A req/s', 'number'),
      col('b_throughput_rps', 'B req/s', 'number'),
      col('change_throughput', 'Δ req/s', 'change'),
      col('a_mean_ms', 'A mean ms', 'ms'),
      col('b_mean_ms', 'B mean ms', 'ms'),
      col('change_mean', 'Δ mean', 'change'),
      col('a_p99_ms', 'A p99 ms', 'ms'),
      col('b_p99_ms', 'B p99 ms', 'ms'),
      col('change_p99', 'Δ p99', 'change'),
      col('a_error_rate', 'A errors', 'percent'),
      col('b_error_rate', 'B errors', 'percent'),
      col('change_error_rate', 'Δ errors (points)', 'change'),
    ],
    rows,
  };
}

export function runListTable(runs: RunSummary[]): Table {
  return {
    id: 'runs',
    title: 'Every run in this folder',
    caption: 'Newest first. A partial run stopped before every profile it planned had finished.',
    columns: [
      col('run_id', 'run'),
      col('created', 'created'),
      col('target', 'target'),
      col('systems', 'systems'),
      col('profiles', 'profiles'),
      col('git_sha', 'commit'),
      col('status', 'status'),
    ],
    rows: runs.map((r) => [
      r.runId,
      r.createdAt,
      r.target,
      r.systems.join(', '),
      `${r.profiles.length} of ${r.expectedProfiles}`,
      r.gitSha ? r.gitSha.slice(0, 12) : null,
      [r.profiles.length < r.expectedProfiles ? 'partial' : 'complete', r.problems > 0 ? `${r.problems} unreadable file(s)` : '', r.synthetic ? 'synthetic' : '']
        .filter(Boolean)
        .join(', '),
    ]),
  };
}
