/** The terminal summary, laid out like the paper's Table III, as a pure function of results. */
import { compareSystems, groupProfiles } from '../metrics/aggregate.ts';
import type { RepeatedStat } from '../metrics/repetitions.ts';
import type { ProfileResult } from '../results/schema.ts';

/** Aligned columns: the first two (system, workers) to the left, figures to the right. */
function renderColumns(header: string[], rows: string[][], rule: boolean): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...(rule ? [widths.map((w) => '-'.repeat(w)).join('  ')] : []), ...rows.map(line)].join('\n');
}

const fmt = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

export function renderSummaryTable(profiles: readonly ProfileResult[]): string {
  const repeated = profiles.some((p) => p.repetition > 1);
  const header = ['system', 'workers', ...(repeated ? ['run'] : []), 'requests', 'req/s', 'ok req/s', 'mean ms', 'p50 ms', 'p90 ms', 'p99 ms', 'errors', 'CPU ms/ok'];
  const rows = profiles.map((p) => [
    p.system + (p.interrupted ? '*' : '') + (p.client?.limited ? '!' : ''),
    String(p.workers),
    ...(repeated ? [String(p.repetition)] : []),
    String(p.requests),
    fmt(p.throughput, 2),
    fmt(p.goodput, 2),
    fmt(p.latency.mean, 2),
    fmt(p.latency.p50, 2),
    fmt(p.latency.p90, 2),
    fmt(p.latency.p99, 2),
    `${fmt(p.errorRate * 100, 2)}%`,
    p.cost?.cpuSecondsPerOk != null ? fmt(p.cost.cpuSecondsPerOk * 1000, 2) : '-',
  ]);
  const out = [renderColumns(header, rows, true)];
  if (profiles.some((p) => p.interrupted)) out.push('* interrupted: figures cover the part of the profile that ran');
  for (const p of profiles.filter((x) => x.client?.limited)) {
    out.push(`! client-limited, ${p.system} w${p.workers}: ${p.client.reason}; these figures describe the load generator, not the system`);
  }
  const open = profiles.filter((p) => p.openLoop);
  for (const p of open) {
    const o = p.openLoop!;
    out.push(
      `open loop ${p.system} w${p.workers}: ${o.rate} req/s ${o.arrivals}, ${o.scheduled} sends due, ${o.late} late, ${o.dropped} dropped; ` +
        `latency from the intended send (above) p99 ${p.latency.p99.toFixed(2)} ms, from the actual send p99 ${o.uncorrected.p99.toFixed(2)} ms`,
    );
  }
  const errorClasses = profiles
    .filter((p) => p.requests > p.ok)
    .map((p) => {
      const parts = Object.entries(p.errors).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`);
      return `${p.system} w${p.workers}: ${parts.join(', ')}`;
    });
  if (errorClasses.length) out.push('', 'errors by class:', ...errorClasses.map((l) => `  ${l}`));
  if (repeated) out.push('', renderRepetitionTable(profiles));
  out.push('', 'latency: every response, as hey reports it; req/s: responses of any status per second;');
  out.push('CPU ms/ok: CPU time the system\'s nodes spent per successful request (client node excluded).');
  return out.join('\n');
}

const withCi = (s: RepeatedStat, digits: number, scale = 1) =>
  s.ciMean ? `${(s.mean * scale).toFixed(digits)} [${(s.ciMean.lo * scale).toFixed(digits)}, ${(s.ciMean.hi * scale).toFixed(digits)}]` : (s.mean * scale).toFixed(digits);
const medianWithCi = (s: RepeatedStat, digits: number) =>
  s.ciMedian ? `${s.median.toFixed(digits)} [${s.ciMedian.lo.toFixed(digits)}, ${s.ciMedian.hi.toFixed(digits)}]` : `${s.median.toFixed(digits)} [n<6]`;

/** Means with 95 % Student-t intervals and medians with order-statistic intervals, per profile. */
export function renderRepetitionTable(profiles: readonly ProfileResult[]): string {
  const groups = groupProfiles(profiles);
  const header = ['system', 'workers', 'runs', 'req/s mean [95% CI]', 'req/s median [95% CI]', 'mean ms [95% CI]', 'p99 ms [95% CI]', 'errors % [95% CI]'];
  const rows = groups.map((g) => [
    g.system,
    String(g.workers),
    String(g.runs.length),
    withCi(g.stats.throughput, 2),
    medianWithCi(g.stats.throughput, 2),
    withCi(g.stats['latency.mean'], 2),
    withCi(g.stats['latency.p99'], 2),
    withCi(g.stats.errorRate, 2, 100),
  ]);
  const out = ['repetitions (intervals: mean, Student t; median, order statistics, from 6 runs):', renderColumns(header, rows, false)];
  const systems = [...new Set(groups.map((g) => g.system))];
  if (systems.includes('p2p') && systems.includes('openfaas')) {
    out.push('', 'p2p / openfaas, ratio of means [95% CI]:');
    for (const r of compareSystems(groups, 'p2p', 'openfaas', ['throughput', 'latency.p50', 'latency.p99'])) {
      out.push(`  w${r.workers} ${r.metric}: ${r.ratio.toFixed(3)}${r.ci ? ` [${r.ci.lo.toFixed(3)}, ${r.ci.hi.toFixed(3)}]` : ''}`);
    }
  }
  return out.join('\n');
}
