/**
 * The time spent between services (the paper's figures 11–12): for each pair of successive
 * services in the chain, the gap between the first ending its function and the next one
 * receiving the request. Spans from different nodes are only compared on a shared clock
 * (locally) or after the skew estimate is recorded (kube).
 */
import type { Span } from '../dataflow/spans.ts';
import type { HopGapStats } from '../results/schema.ts';
import { mean, quantile } from './quantiles.ts';

export function hopGaps(spans: readonly Span[], chain: readonly string[]): HopGapStats[] {
  const byRequest = new Map<string, Map<string, Span>>();
  for (const span of spans) {
    let m = byRequest.get(span.requestId);
    if (!m) byRequest.set(span.requestId, (m = new Map()));
    m.set(span.service, span);
  }
  const stats: HopGapStats[] = [];
  for (let i = 0; i + 1 < chain.length; i++) {
    const from = chain[i]!;
    const to = chain[i + 1]!;
    const gaps: number[] = [];
    for (const m of byRequest.values()) {
      const a = m.get(from);
      const b = m.get(to);
      if (a && b && a.outcome === 'ok' && b.outcome !== 'rejected') gaps.push(b.start - a.fnEnd);
    }
    gaps.sort((x, y) => x - y);
    stats.push({
      from,
      to,
      count: gaps.length,
      mean: gaps.length ? mean(gaps) : 0,
      min: gaps[0] ?? 0,
      max: gaps[gaps.length - 1] ?? 0,
      q1: gaps.length ? quantile(gaps, 0.25) : 0,
      p50: gaps.length ? quantile(gaps, 0.5) : 0,
      q3: gaps.length ? quantile(gaps, 0.75) : 0,
      p90: gaps.length ? quantile(gaps, 0.9) : 0,
      p99: gaps.length ? quantile(gaps, 0.99) : 0,
    });
  }
  return stats;
}
