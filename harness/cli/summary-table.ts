/** The terminal summary, laid out like the paper's Table III, as a pure function of results. */
import type { ProfileResult } from '../results/schema.ts';

const fmt = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

export function renderSummaryTable(profiles: readonly ProfileResult[]): string {
  const header = ['system', 'workers', 'requests', 'req/s', 'ok req/s', 'mean ms', 'p50 ms', 'p90 ms', 'p99 ms', 'errors'];
  const rows = profiles.map((p) => [
    p.system + (p.interrupted ? '*' : '') + (p.client?.limited ? '!' : ''),
    String(p.workers),
    String(p.requests),
    fmt(p.throughput, 2),
    fmt(p.goodput, 2),
    fmt(p.latency.mean, 2),
    fmt(p.latency.p50, 2),
    fmt(p.latency.p90, 2),
    fmt(p.latency.p99, 2),
    `${fmt(p.errorRate * 100, 2)}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
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
  out.push('', 'latency: every response, as hey reports it; req/s: responses of any status per second.');
  return out.join('\n');
}
