/**
 * Records every request outcome of a profile: whole-profile HDR histograms (all responses and
 * successful ones) and per-second buckets with their own small histograms for the timelines.
 */
import { ERROR_CLASSES, type ClientSample, type ErrorClass, type ErrorCounts, type TimelineBucket } from '../results/schema.ts';
import { createHistogram, encodeHistogram, recordMs, type Histogram } from './histogram.ts';

export type Outcome = 'ok' | ErrorClass;

/** Error classes that still produced an HTTP response, and so a latency. */
const RESPONSE_CLASSES: ReadonlySet<Outcome> = new Set(['ok', 'http4xx', 'http5xx', 'envelope']);

interface SecondBucket {
  completed: number;
  ok: number;
  errors: Partial<ErrorCounts>;
  latency: Histogram;
}

export interface RawMeasurement {
  durationMs: number;
  requests: number;
  ok: number;
  errors: ErrorCounts;
  /** Requests still in flight when the profile ended: neither successes nor errors. */
  cutOff: number;
  latencyAll: string;
  latencyOk: string;
  timeline: TimelineBucket[];
  /** Open loop only: latency from the actual send (the corrected one, from the intended send, is latencyAll). */
  latencyUncorrected?: string;
  openLoop?: { scheduled: number; late: number; dropped: number };
  /** The generator's own CPU and event-loop delay, per second. */
  client?: ClientSample[];
}

export function emptyErrorCounts(): ErrorCounts {
  return Object.fromEntries(ERROR_CLASSES.map((c) => [c, 0])) as ErrorCounts;
}

export class ProfileRecorder {
  private readonly all = createHistogram();
  private uncorrected: ReturnType<typeof createHistogram> | undefined;
  private openLoop: { scheduled: number; late: number; dropped: number } | undefined;
  private readonly okOnly = createHistogram();
  private readonly seconds: SecondBucket[] = [];
  private readonly errors = emptyErrorCounts();
  private requests = 0;
  private ok = 0;

  private late = 0;

  /**
   * @param startMs performance.now() at the start of the measured window.
   * @param windowMs length of the window: a response that arrives after it (a timer that fired
   *   late on a busy event loop) is not counted, but reported with the cut-off requests.
   */
  constructor(
    private readonly startMs: number,
    private readonly windowMs = Infinity,
  ) {}

  record(outcome: Outcome, latencyMs: number, atMs: number): void {
    if (atMs - this.startMs > this.windowMs) {
      this.late++;
      return;
    }
    this.requests++;
    const bucket = this.bucket(Math.max(0, Math.floor((atMs - this.startMs) / 1000)));
    bucket.completed++;
    if (outcome === 'ok') {
      this.ok++;
      bucket.ok++;
      recordMs(this.okOnly, latencyMs);
    } else {
      this.errors[outcome]++;
      bucket.errors[outcome] = (bucket.errors[outcome] ?? 0) + 1;
    }
    // Connection failures have no response time worth mixing with real latencies.
    if (RESPONSE_CLASSES.has(outcome)) {
      recordMs(this.all, latencyMs);
      recordMs(bucket.latency, latencyMs);
    }
  }

  /** Open loop: the latency from the actual send of a request that got a response. */
  recordUncorrected(latencyMs: number): void {
    recordMs((this.uncorrected ??= createHistogram()), latencyMs);
  }

  /** Open loop: how the schedule went (sends due, sent late, never sent before the end). */
  setSchedule(stats: { scheduled: number; late: number; dropped: number }): void {
    this.openLoop = { ...stats };
  }

  /** Live counters for progress display. */
  counters(): { requests: number; ok: number; errors: number } {
    return { requests: this.requests, ok: this.ok, errors: this.requests - this.ok };
  }

  finish(endMs: number, cutOff: number): RawMeasurement {
    const durationMs = Math.min(endMs - this.startMs, this.windowMs);
    // Whole seconds, without floating-point dust (2000.0000000004 ms is 2 seconds).
    const lastSecond = Math.max(0, Math.ceil(Math.round(durationMs) / 1000) - 1);
    const timeline: TimelineBucket[] = [];
    for (let t = 0; t <= lastSecond; t++) {
      const b = this.seconds[t];
      const n = b?.latency.totalCount ?? 0;
      timeline.push({
        t,
        completed: b?.completed ?? 0,
        ok: b?.ok ?? 0,
        errors: b ? { ...b.errors } : {},
        p50: n ? b!.latency.getValueAtPercentile(50) / 1000 : null,
        p99: n ? b!.latency.getValueAtPercentile(99) / 1000 : null,
        mean: n ? b!.latency.mean / 1000 : null,
      });
    }
    return {
      durationMs,
      requests: this.requests,
      ok: this.ok,
      errors: { ...this.errors },
      cutOff: cutOff + this.late,
      latencyAll: encodeHistogram(this.all),
      latencyOk: encodeHistogram(this.okOnly),
      timeline,
      ...(this.openLoop ? { latencyUncorrected: encodeHistogram(this.uncorrected ?? createHistogram()), openLoop: this.openLoop } : {}),
    };
  }

  private bucket(second: number): SecondBucket {
    let b = this.seconds[second];
    if (!b) this.seconds[second] = b = { completed: 0, ok: 0, errors: {}, latency: createHistogram(2) };
    return b;
  }
}
