/**
 * The time spent between services (the paper's figures 11–12): for each pair of successive
 * services in the chain, from the first one ending its function to the next one starting its
 * own. That gap is made of two parts, also kept: until the next service has the request's
 * headers (`toRequest`: encoding the result, the return path, the call, the network), and from
 * there until its function starts (`body`: the payload's transfer and decoding). Function start
 * and end are stamped at the same points in both systems (spans.ts), and both parts are measured
 * from stamps both systems write (request received, function start and end).
 *
 * The spans are those of the window's requests, all of them (span-sink.ts keeps requests, not
 * spans). Every candidate request is accounted for once: a gap, or `failed` (the first service
 * failed or did not run its function, or the next one got an error envelope and did not run its
 * own), or `cut` (no span of the next service, and the request was still running when the
 * window closed: its spans may come after the collection), or `missing` (no span of the next
 * service although the request had finished inside the window: a lost span, or a request that
 * never got there). Spans from different nodes are only compared on one clock: locally they
 * share the host's, on kube they are aligned by measured offsets (clock-align.ts) whose
 * uncertainty each gap carries; a gap below zero by more than that is counted as `negative`.
 */
import type { Span } from '../dataflow/spans.ts';
import type { DurationStats, HopGapStats } from '../results/schema.ts';
import type { NodeOffset } from './clock-align.ts';
import { mean, quantile } from './quantiles.ts';

export function durationStats(values: number[]): DurationStats {
  const sorted = [...values].sort((x, y) => x - y);
  const n = sorted.length;
  return {
    count: n,
    mean: n ? mean(sorted) : 0,
    min: sorted[0] ?? 0,
    q1: n ? quantile(sorted, 0.25) : 0,
    p50: n ? quantile(sorted, 0.5) : 0,
    q3: n ? quantile(sorted, 0.75) : 0,
    p90: n ? quantile(sorted, 0.9) : 0,
    p99: n ? quantile(sorted, 0.99) : 0,
    max: sorted[n - 1] ?? 0,
  };
}

/** The window the spans were selected for (host clock, epoch ms), when known. */
export interface HopWindow {
  /** The window's end: a request with a span ending after it was cut by the window's end. */
  endMs?: number;
}

/**
 * A hop's statistics and `cut`: requests of the window with no span of the next service that
 * were still running when the window closed (counted apart from `missing`, which are lost).
 * `requests` = `count` + `failed` + `missing` + `cut`.
 */
export type HopGaps = HopGapStats & { cut: number };

/** The function of this span ran (and its input was not an upstream error). */
const ranFunction = (s: Span) => s.outcome !== 'forwarded-error' && s.outcome !== 'rejected';

/**
 * @param offsets the node clock offsets the spans were aligned with, for their uncertainty
 *   (none: one clock, no uncertainty).
 */
export function hopGaps(
  spans: readonly Span[],
  chain: readonly string[],
  offsets: readonly NodeOffset[] = [],
  window: HopWindow = {},
): HopGaps[] {
  const byRequest = new Map<string, Map<string, Span>>();
  const lastEnd = new Map<string, number>();
  for (const span of spans) {
    let m = byRequest.get(span.requestId);
    if (!m) byRequest.set(span.requestId, (m = new Map()));
    m.set(span.service, span);
    lastEnd.set(span.requestId, Math.max(lastEnd.get(span.requestId) ?? -Infinity, span.end));
  }
  // Still running when the window closed: some span of it ended after the window's end.
  const runningAtEnd = (requestId: string) => window.endMs !== undefined && lastEnd.get(requestId)! > window.endMs;
  const uncertaintyOf = new Map(offsets.map((o) => [o.node, o.uncertaintyMs ?? 0]));
  const known = offsets.length > 0;
  const stats: HopGaps[] = [];
  for (let i = 0; i + 1 < chain.length; i++) {
    const from = chain[i]!;
    const to = chain[i + 1]!;
    const gaps: number[] = [];
    const toRequest: number[] = [];
    const body: number[] = [];
    let requests = 0;
    let failed = 0;
    let missing = 0;
    let cut = 0;
    let negative = 0;
    let uncertainty = 0;
    for (const [requestId, m] of byRequest) {
      const a = m.get(from);
      if (!a) continue;
      requests++;
      const b = m.get(to);
      if (a.outcome === 'function-error' || !ranFunction(a)) {
        failed++;
        continue;
      }
      if (!b) {
        // The call itself failed (timeout, unreachable): a failed hop; otherwise a lost span.
        if (a.outcome === 'timeout' || a.outcome === 'network') failed++;
        else if (runningAtEnd(requestId)) cut++;
        else missing++;
        continue;
      }
      if (!ranFunction(b)) {
        failed++;
        continue;
      }
      // On one clock (same node, or no offsets needed) the gap has no clock uncertainty.
      const u = a.node === b.node || !known ? 0 : (uncertaintyOf.get(a.node) ?? 0) + (uncertaintyOf.get(b.node) ?? 0);
      uncertainty = Math.max(uncertainty, u);
      const gap = b.fnStart - a.fnEnd;
      if (gap < -u) negative++;
      gaps.push(gap);
      toRequest.push(b.start - a.fnEnd);
      body.push(b.fnStart - b.start);
    }
    const g = durationStats(gaps);
    stats.push({
      from,
      to,
      count: g.count,
      mean: g.mean,
      min: g.min,
      max: g.max,
      q1: g.q1,
      p50: g.p50,
      q3: g.q3,
      p90: g.p90,
      p99: g.p99,
      definition: 'function-end-to-function-start',
      toRequest: durationStats(toRequest),
      body: durationStats(body),
      requests,
      failed,
      missing,
      cut,
      negative,
      clockUncertaintyMs: known ? Math.round(uncertainty * 1000) / 1000 : 0,
    });
  }
  return stats;
}
