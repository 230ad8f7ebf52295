/**
 * Synthetic profiles drawn to a script, for tests that need exact shapes: phases of the window
 * with their own rate, error share and class and latency (a collapse at 90 s, a rejection for
 * the first 40 s), the events that went with them, the hops' medians. Like synthetic-run.ts,
 * nothing here is a measurement and a run made here says `synthetic: true`; and like it, every
 * profile is internally consistent (per-second buckets sum to the totals, latency stats and
 * histograms come from the same values), so code that reads these reads real profiles too.
 */
import { durationStats } from '../metrics/hops.ts';
import { createHistogram, latencyStats, recordMs } from '../metrics/histogram.ts';
import { steadyState } from '../metrics/steady-state.ts';
import { ERROR_CLASSES, type ClusterEvent, type ErrorClass, type ErrorCounts, type HopGapStats, type ProfileResult, type RunManifest, type TimelineBucket } from '../results/schema.ts';
import { SYNTHETIC_CLIENT_TIMEOUT_MS, syntheticManifest } from './synthetic-run.ts';

export interface Phase {
  /** Seconds [from, to) of the window; phases cover it in order. */
  from: number;
  to: number;
  /** Requests ending per second (fractions accumulate: 0.5 is one every other second). */
  rate: number;
  /** Share of them that fail (default 0), and as what (default http5xx). */
  errorShare?: number;
  errorClass?: ErrorClass;
  /** Latency of successful responses (ms), and of error answers (default: the same). */
  latencyMs: number;
  errorLatencyMs?: number;
}

export interface PhasedProfileSpec {
  system: string;
  workers: number;
  repetition?: number;
  seconds: number;
  /** Default: one phase over the window at `rate` and `latencyMs`. */
  phases?: Phase[];
  rate?: number;
  latencyMs?: number;
  /** Events without their wall-clock time (derived from t). */
  events?: Omit<ClusterEvent, 'at'>[];
  /** Median gap per hop of the route (ms), and the gaps behind each (default 1000). */
  hopMs?: number[];
  hopCount?: number;
  warmupMs?: number;
  interrupted?: boolean;
  clientLimited?: boolean;
}

/** Whole requests ending in second t at a steady `rate`, fractions carried over. */
const countAt = (rate: number, t: number) => Math.floor(rate * (t + 1) + 1e-9) - Math.floor(rate * t + 1e-9);

const zeroErrors = () => Object.fromEntries(ERROR_CLASSES.map((c) => [c, 0])) as ErrorCounts;
const ANSWERED = new Set<ErrorClass>(['http4xx', 'http5xx', 'envelope']);

export function phasedProfile(manifest: RunManifest, spec: PhasedProfileSpec): ProfileResult {
  const phases = spec.phases ?? [{ from: 0, to: spec.seconds, rate: spec.rate ?? 10, latencyMs: spec.latencyMs ?? 100 }];
  // Plain counts: faster to record into than packed ones, as the load generator's whole-profile histograms.
  const all = createHistogram(3, false);
  const okOnly = createHistogram(3, false);
  const withCensored = createHistogram(3, false);
  const errors = zeroErrors();
  const timeline: TimelineBucket[] = [];
  // Requests ended so far in each phase: its failures are its share of them, rounded as they accumulate.
  const endedIn = new Map<Phase, number>();
  for (let t = 0; t < spec.seconds; t++) {
    const phase = phases.find((p) => t >= p.from && t < p.to);
    const completed = phase ? countAt(phase.rate, t) : 0;
    const before = phase ? (endedIn.get(phase) ?? 0) : 0;
    if (phase) endedIn.set(phase, before + completed);
    const share = phase?.errorShare ?? 0;
    const bucketFailed = Math.round((before + completed) * share) - Math.round(before * share);
    const cls = phase?.errorClass ?? 'http5xx';
    // The second's own latencies: a few values, sorted for its percentiles (a histogram per second costs more than the rest).
    const bucket: number[] = [];
    for (let i = 0; i < completed; i++) {
      const fails = i < bucketFailed;
      const ms = fails ? (phase!.errorLatencyMs ?? phase!.latencyMs) : phase!.latencyMs;
      if (!fails || ANSWERED.has(cls)) {
        recordMs(all, ms);
        recordMs(withCensored, ms);
        bucket.push(ms);
        if (!fails) recordMs(okOnly, ms);
      } else if (cls === 'timeout') recordMs(withCensored, SYNTHETIC_CLIENT_TIMEOUT_MS);
    }
    if (bucketFailed) errors[cls] += bucketFailed;
    const stats = bucket.length ? durationStats(bucket) : null;
    timeline.push({
      t,
      completed,
      ok: completed - bucketFailed,
      errors: bucketFailed ? { [cls]: bucketFailed } : {},
      p50: stats?.p50 ?? null,
      p99: stats?.p99 ?? null,
      mean: stats?.mean ?? null,
    });
  }
  const requests = timeline.reduce((s, b) => s + b.completed, 0);
  const ok = timeline.reduce((s, b) => s + b.ok, 0);
  const at = (t: number) => new Date(Date.parse(manifest.createdAt) + t * 1000).toISOString();
  return {
    schemaVersion: manifest.schemaVersion,
    kind: 'fogbench.profile',
    runId: manifest.runId,
    system: spec.system,
    workers: spec.workers,
    keepAlive: false,
    driver: 'synthetic',
    startedAt: manifest.createdAt,
    durationSeconds: spec.seconds,
    requests,
    cutOff: 0,
    interrupted: spec.interrupted ?? false,
    repetition: spec.repetition ?? 1,
    ok,
    errors,
    errorRate: requests ? (requests - ok) / requests : 0,
    throughput: requests / spec.seconds,
    goodput: ok / spec.seconds,
    mode: 'closed',
    openLoop: null,
    latency: latencyStats(all),
    latencyWithTimeouts: { ...latencyStats(withCensored), censored: errors.timeout },
    latencyOk: latencyStats(okOnly),
    ...(spec.warmupMs ? { warmup: { ms: spec.warmupMs, requests: 0, drainMs: 0 } } : {}),
    steadyState: steadyState(timeline),
    timeline,
    cost: { cpuSeconds: 0, cpuSecondsPerOk: null, nodes: [] },
    client: spec.clientLimited ? { samples: [], limited: true, reason: 'synthetic: the load generator set the pace' } : { samples: [], limited: false, reason: null },
    hops: hopsOf(manifest.scenario.route, spec),
    events: (spec.events ?? []).map((e) => ({ ...e, at: at(e.t) })),
    resources: [],
    manifest,
  };
}

function hopsOf(route: readonly string[], spec: PhasedProfileSpec): HopGapStats[] {
  if (!spec.hopMs) return [];
  const count = spec.hopCount ?? 1000;
  return route.slice(1).map((to, i) => {
    const median = spec.hopMs![i] ?? spec.hopMs![spec.hopMs!.length - 1]!;
    // A spread around the median, the same shape on every hop.
    const gaps = Array.from({ length: count }, (_, k) => median * (0.5 + k / Math.max(1, count - 1)));
    const stats = durationStats(gaps);
    return {
      from: route[i]!,
      to,
      count,
      mean: stats.mean,
      p50: stats.p50,
      p90: stats.p90,
      p99: stats.p99,
      min: stats.min,
      max: stats.max,
      q1: stats.q1,
      q3: stats.q3,
      definition: 'function-end-to-function-start' as const,
      requests: count,
      failed: 0,
      missing: 0,
      cut: 0,
      negative: 0,
      clockUncertaintyMs: 0,
    };
  });
}

/** A run of these profiles: its manifest lists them. */
export function phasedRun(runId: string, specs: readonly PhasedProfileSpec[]): { manifest: RunManifest; profiles: ProfileResult[] } {
  const systems = [...new Set(specs.map((s) => s.system))];
  const workers = [...new Set(specs.map((s) => s.workers))].sort((a, b) => a - b);
  const manifest: RunManifest = {
    ...syntheticManifest({ runId, systems, workers, seconds: Math.max(...specs.map((s) => s.seconds)) }),
    profiles: specs.map((s) => ({ system: s.system, workers: s.workers, repetition: s.repetition ?? 1 })),
  };
  return { manifest, profiles: specs.map((s) => phasedProfile(manifest, s)) };
}
