/** The terminal summary, laid out like the paper's Table III, as a pure function of results. */
import { compareSystems, groupProfiles } from '../metrics/aggregate.ts';
import type { RepeatedStat } from '../metrics/repetitions.ts';
import type { ProfileResult } from '../results/schema.ts';
import { paperReference } from '../report/paper-reference.ts';
import { errorRateOf, NO_ERROR_RATE } from '../metrics/error-rate.ts';

/** Aligned columns: the first two (system, workers) to the left, figures to the right. */
function renderColumns(header: string[], rows: string[][], rule: boolean): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...(rule ? [widths.map((w) => '-'.repeat(w)).join('  ')] : []), ...rows.map(line)].join('\n');
}

/** Events that say the system under test broke during the window (faults' own events aside). */
const TROUBLE = new Set(['exit', 'restart', 'oom-kill', 'unhealthy', 'eviction']);

const fmt = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
/** An error rate in percent, or "-" when there is none (a profile that sent nothing: errorRateOf). */
const fmtRate = (rate: number | null) => (rate !== null && Number.isFinite(rate) ? `${(rate * 100).toFixed(2)}%` : '-');

/**
 * A latency figure, or "-" when nothing was measured: a profile with no responses records its
 * latencies as 0, which read as a very fast system (issue 14, audit item 7).
 */
const fmtLatency = (stats: { count: number } | undefined, v: number) => (stats && stats.count > 0 ? fmt(v, 2) : '-');

export function renderSummaryTable(profiles: readonly ProfileResult[]): string {
  const repeated = profiles.some((p) => p.repetition > 1);
  const header = ['system', 'workers', ...(repeated ? ['run'] : []), 'requests', 'req/s', 'ok req/s', 'mean ms', 'p50 ms', 'p90 ms', 'p99 ms', 'errors', 'CPU ms/ok'];
  // Worker count first, so each system's profile sits beside the other's.
  const ordered = [...profiles].sort((a, b) => a.workers - b.workers || a.repetition - b.repetition);
  const rows = ordered.map((p) => [
    p.system + (p.interrupted ? '*' : '') + (p.client?.limited ? '!' : '') + (p.steadyState && !p.steadyState.steady ? '~' : ''),
    String(p.workers),
    ...(repeated ? [String(p.repetition)] : []),
    String(p.requests),
    fmt(p.throughput, 2),
    fmt(p.goodput, 2),
    ...[p.latency.mean, p.latency.p50, p.latency.p90, p.latency.p99].map((v) => fmtLatency(p.latency, v) + (leavesOut(p) ? '†' : '')),
    fmtRate(errorRateOf(p)),
    p.cost?.cpuSecondsPerOk != null ? fmt(p.cost.cpuSecondsPerOk * 1000, 2) : '-',
  ]);
  const out = [renderColumns(header, rows, true)];
  const label = (p: ProfileResult) => `${p.system} w${p.workers}${repeated ? ` r${p.repetition}` : ''}`;
  if (profiles.some((p) => p.interrupted)) out.push('* interrupted: figures cover the part of the profile that ran');
  for (const p of profiles.filter((x) => errorRateOf(x) === null)) out.push(`- ${label(p)}: ${NO_ERROR_RATE}, no latency`);
  for (const p of profiles.filter((x) => x.client?.limited)) {
    out.push(`! client-limited, ${label(p)}: ${p.client.reason}; these figures describe the load generator, not the system`);
  }
  for (const p of profiles.filter((x) => !x.client?.limited && (x.client?.saturatedSeconds ?? 0) > 0)) {
    out.push(`  client partly saturated, ${label(p)}: ${p.client.reason}; the figures of those seconds carry it`);
  }
  for (const p of profiles.filter(leavesOut)) {
    const w = p.latencyWithTimeouts;
    out.push(
      `† ${label(p)}: ${p.errors.timeout} timed out${p.openLoop ? `, ${p.openLoop.dropped} never sent` : ''}, ${p.cutOff} cut off at the window's end, left out of the latency above (completed responses only)` +
        (w ? `; including them at their censored values (${w.censored}): mean ${fmtLatency(w, w.mean)} ms, p50 ${fmtLatency(w, w.p50)}, p99 ${fmtLatency(w, w.p99)} ms, lower bounds` : ''),
    );
  }
  // A process killed or restarted inside the window explains errors and dips better than any
  // figure: say so under the table, not only in the report.
  for (const p of profiles) {
    const troubles = (p.events ?? []).filter((e) => TROUBLE.has(e.kind) && e.t >= 0 && e.t <= p.durationSeconds);
    if (troubles.length === 0) continue;
    const shown = troubles.slice(0, 6).map((e) => `${e.subject} ${e.kind} at ${e.t.toFixed(1)} s`);
    out.push(`events, ${label(p)}: ${shown.join('; ')}${troubles.length > shown.length ? ` and ${troubles.length - shown.length} more (see the report)` : ''}`);
  }
  for (const p of profiles.filter((x) => x.steadyState && !x.steadyState.steady)) {
    out.push(`~ not steady, ${label(p)}: ${p.steadyState!.note}; its means mix two regimes`);
  }
  const open = profiles.filter((p) => p.openLoop);
  for (const p of open) {
    const o = p.openLoop!;
    out.push(
      `open loop ${label(p)}: ${o.rate} req/s ${o.arrivals}, ${o.scheduled} sends due, ${o.late} late, ${o.dropped} never sent, ${p.cutOff} cut off; ` +
        `latency from the intended send (above) p99 ${fmtLatency(p.latency, p.latency.p99)} ms, from the actual send p99 ${fmtLatency(o.uncorrected, o.uncorrected.p99)} ms`,
    );
    if (o.queued) {
      out.push(`  capped: ${o.queued} of ${o.scheduled} sends waited in the client for one of ${o.cap ?? p.workers} requests in flight (their wait is in the latency); raise --workers for an open loop`);
    }
  }
  const warm = profiles.find((p) => p.warmup)?.warmup;
  if (warm) out.push(`warm-up: ${fmt(warm.ms / 1000, 1)} s of the same load before each profile, not counted; its last requests finished before the window opened`);
  else if (profiles.length && profiles.every((p) => p.warmup === undefined)) out.push('warm-up: none');
  for (const p of profiles) for (const note of p.notes ?? []) out.push(`note, ${label(p)}: ${note}`);
  const errorClasses = profiles
    .filter((p) => p.requests > p.ok)
    .map((p) => {
      const parts = Object.entries(p.errors).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`);
      return `${p.system} w${p.workers}: ${parts.join(', ')}`;
    });
  if (errorClasses.length) out.push('', 'errors by class:', ...errorClasses.map((l) => `  ${l}`));
  const comparison = renderComparison(profiles);
  if (comparison) out.push('', comparison);
  const checks = profiles.filter((p) => p.gatewayCheck);
  if (checks.length) {
    out.push('', 'gateway counters (gateway_function_invocation_total) vs the harness:');
    for (const p of checks) {
      const c = p.gatewayCheck!;
      out.push(`  ${p.system} w${p.workers}${repeated ? ` r${p.repetition}` : ''}: ` + ('error' in c ? c.error : `${c.agrees ? 'agree' : 'DISAGREE'}: gateway ${c.gateway.total} calls (${c.gateway.ok} 2xx), harness ${c.harness.answered} answered (${c.harness.ok} ok), tolerance ${c.tolerance}`));
    }
  }
  if (repeated) out.push('', renderRepetitionTable(profiles));
  out.push('', 'latency: over completed responses (any status), defined as hey (the load generator of the paper) reports it, whichever driver ran; † marks profiles where the timed-out, unsent or cut-off requests it leaves out would move it;');
  out.push('req/s: responses of any status per second; CPU ms/ok: CPU time of the system\'s own pods per successful request');
  out.push('(load generator, link emulation and other systems left out). ! client-limited  ~ not steady  * interrupted');
  return out.join('\n');
}

/**
 * The profile's latency figures leave out requests that had no response but a (censored)
 * latency, and it matters: any timeout or unsent request, or cut-off requests that would move
 * the mean or p99 by more than 1 % (every closed-loop window ends with up to one request per
 * worker in flight; as long as they are as old as the rest, they change nothing worth a mark).
 */
export function leavesOut(p: ProfileResult): boolean {
  if (p.errors.timeout > 0 || (p.openLoop?.dropped ?? 0) > 0) return true;
  const w = p.latencyWithTimeouts;
  if (!w || w.censored === 0) return false;
  return w.mean > p.latency.mean * 1.01 || w.p99 > p.latency.p99 * 1.01;
}

/**
 * openfaas against p2p per worker count, from the same run (means over repetitions), beside
 * the paper's own ratio: the one comparison the tool exists for.
 */
export function renderComparison(profiles: readonly ProfileResult[]): string | null {
  const groups = groupProfiles(profiles);
  const workers = [...new Set(groups.map((g) => g.workers))].sort((a, b) => a - b);
  const rows: string[][] = [];
  for (const w of workers) {
    const p2p = groups.find((g) => g.system === 'p2p' && g.workers === w);
    const of = groups.find((g) => g.system === 'openfaas' && g.workers === w);
    if (!p2p || !of) continue;
    const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a / b) ? (a / b).toFixed(2) : '-');
    const paperP2p = paperReference('p2p', w);
    const paperOf = paperReference('openfaas', w);
    rows.push([
      '',
      String(w),
      fmt(p2p.stats.throughput.mean, 2),
      fmt(of.stats.throughput.mean, 2),
      ratio(of.stats.throughput.mean, p2p.stats.throughput.mean),
      paperP2p && paperOf ? ratio(paperOf.throughput, paperP2p.throughput) : '-',
      fmt(p2p.stats['latency.mean'].mean, 2),
      fmt(of.stats['latency.mean'].mean, 2),
      ratio(of.stats['latency.mean'].mean, p2p.stats['latency.mean'].mean),
      paperP2p && paperOf ? ratio(paperOf.meanLatencyMs, paperP2p.meanLatencyMs) : '-',
      fmtRate(p2p.stats.errorRate.mean),
      fmtRate(of.stats.errorRate.mean),
      ratio(meanCost(of.runs), meanCost(p2p.runs)),
    ]);
  }
  if (!rows.length) return null;
  const header = ['', 'workers', 'p2p req/s', 'openfaas req/s', 'ratio', 'paper', 'p2p mean ms', 'openfaas mean ms', 'ratio', 'paper', 'p2p errors', 'openfaas errors', 'CPU/ok ratio'];
  return ['openfaas / p2p per worker count (ratio: openfaas over p2p, this run; paper: the same ratio in the Dyninka paper):', renderColumns(header, rows, true)].join('\n');
}

function meanCost(runs: readonly ProfileResult[]): number {
  const costs = runs.map((r) => r.cost?.cpuSecondsPerOk).filter((c): c is number => typeof c === 'number');
  return costs.length ? costs.reduce((a, b) => a + b, 0) / costs.length : NaN;
}

const withCi = (s: RepeatedStat, digits: number, scale = 1) =>
  !Number.isFinite(s.mean) ? '-' : s.ciMean ? `${(s.mean * scale).toFixed(digits)} [${(s.ciMean.lo * scale).toFixed(digits)}, ${(s.ciMean.hi * scale).toFixed(digits)}]` : (s.mean * scale).toFixed(digits);
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
