/**
 * The few figures per profile the index needs to list runs, compare two of them and draw trends
 * across nightly runs. Pure and free of Node APIs: the index's viewer script bundles this module
 * to recompute a comparison when the reader picks two other runs.
 */
import { meanOverRuns, type RunData } from './run-data.ts';
import { col, type Cell, type Table } from './table.ts';
import { errorRateOf } from '../metrics/error-rate.ts';

export interface ProfileSummary {
  system: string;
  workers: number;
  requests: number;
  throughput: number;
  goodput: number;
  meanMs: number;
  p99Ms: number;
  /** Null when no run of it sent a request (errorRateOf). */
  errorRate: number | null;
  /** Stopped early (Ctrl-C): its figures cover a shorter window. */
  interrupted: boolean;
  /** Repeated runs the figures are the mean of (interrupted ones left out when others completed). */
  runs?: number;
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
  /** Profile files found (one per repetition); `profiles` holds one mean per system and workers. */
  measuredProfiles?: number;
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
    measuredProfiles: run.profiles.length,
    profiles: meansOverRepetitions(run.profiles),
    problems: run.problems.length,
    synthetic: m?.options.synthetic === true || m?.dataset.synthetic === true,
  };
}

/**
 * One summary per (system, workers): the mean over its repeated runs, as the report's charts
 * and tables show them, so that comparing two runs compares like with like. Interrupted runs
 * are left out when complete ones exist (a shorter window biases the mean).
 */
function meansOverRepetitions(profiles: RunData['profiles']): ProfileSummary[] {
  const groups = new Map<string, RunData['profiles']>();
  for (const p of profiles) groups.set(`${p.system}\u0000${p.workers}`, [...(groups.get(`${p.system}\u0000${p.workers}`) ?? []), p]);
  return [...groups.values()].map((all) => {
    const complete = all.filter((p) => p.interrupted !== true);
    const runs = complete.length ? complete : all;
    const mean = (read: (p: RunData['profiles'][number]) => number) => runs.reduce((sum, p) => sum + read(p), 0) / runs.length;
    return {
      system: all[0]!.system,
      workers: all[0]!.workers,
      requests: mean((p) => p.requests),
      throughput: mean((p) => p.throughput),
      goodput: mean((p) => p.goodput),
      meanMs: mean((p) => p.latency.mean),
      p99Ms: mean((p) => p.latency.p99),
      errorRate: meanOverRuns(all, errorRateOf),
      interrupted: complete.length === 0,
      runs: runs.length,
    };
  });
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

/** Which side of a comparison row was interrupted or is a mean of repeated runs, in words, or null. */
function interruptedSides(r: ComparisonRow): string | null {
  const sides = [r.a?.interrupted ? 'A' : '', r.b?.interrupted ? 'B' : ''].filter(Boolean);
  const means = [r.a && (r.a.runs ?? 1) > 1 ? `A mean of ${r.a.runs} runs` : '', r.b && (r.b.runs ?? 1) > 1 ? `B mean of ${r.b.runs} runs` : ''].filter(Boolean);
  const parts = [...(sides.length ? [`${sides.join(' and ')} interrupted`] : []), ...means];
  return parts.length === 0 ? null : parts.join('; ');
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
    r.a?.errorRate != null && r.b?.errorRate != null ? r.b.errorRate - r.a.errorRate : null,
    interruptedSides(r),
  ]);
  return {
    id: 'comparison',
    title: `Comparison: ${a.runId} (A) → ${b.runId} (B)`,
    caption:
      'Δ is B relative to A for throughput and latency, and the difference in percentage points for the error rate. Lower latency and error rate are better; higher throughput is better. ' +
      'A profile stopped early by Ctrl-C is marked interrupted: its figures cover a shorter window and compare poorly. ' +
      'A profile run several times (--repeat) is shown as the mean of its runs (n in the note).',
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
      col('note', 'note'),
    ],
    rows,
  };
}

export function runListTable(runs: RunSummary[]): Table {
  return {
    id: 'runs',
    title: 'Every run in this folder',
    caption: 'Newest first. A partial run stopped before every profile it planned had finished; an interrupted one had a profile stopped early by Ctrl-C.',
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
      `${r.measuredProfiles ?? r.profiles.length} of ${r.expectedProfiles}`,
      r.gitSha ? r.gitSha.slice(0, 12) : null,
      [
        r.profiles.some((p) => p.interrupted) ? 'interrupted' : '',
        (r.measuredProfiles ?? r.profiles.length) < r.expectedProfiles ? 'partial' : r.profiles.some((p) => p.interrupted) ? '' : 'complete',
        r.problems > 0 ? `${r.problems} unreadable file(s)` : '',
        r.synthetic ? 'synthetic' : '',
      ]
        .filter(Boolean)
        .join(', '),
    ]),
  };
}
