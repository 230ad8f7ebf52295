/**
 * Records every request outcome of a profile: whole-profile HDR histograms (completed
 * responses, successful ones, and completed + censored) and per-second buckets with their own
 * small histograms for the timelines.
 *
 * Every request ends as exactly one of: a response (ok or an error status), a client-side
 * failure (timeout, refused, reset, other), cut off (in flight when the window closed) or, in
 * open loop, dropped (never sent). Timed-out, cut-off and dropped requests have no response
 * time, but they do have a latency of at least some value: the client timeout, or their age
 * when the window closed. They go into the "with timeouts" histogram as such censored values,
 * so that a system collapsing into timeouts does not look faster for it.
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

export interface OpenLoopCounts {
  scheduled: number;
  late: number;
  dropped: number;
  /** Requests allowed in flight at once. */
  cap: number;
  /** Sends that waited in the client for the cap. */
  queued: number;
}

export interface RawMeasurement {
  durationMs: number;
  requests: number;
  ok: number;
  errors: ErrorCounts;
  /** Requests still in flight when the profile ended: neither successes nor errors. */
  cutOff: number;
  /** Completed responses only. */
  latencyAll: string;
  latencyOk: string;
  /** Completed responses plus censored values (timeouts, cut off, dropped); absent from older agents. */
  latencyCensored?: string;
  /** How many values of latencyCensored are censored (lower bounds). */
  censored?: number;
  timeline: TimelineBucket[];
  /** Open loop only: latency from the actual send (the corrected one, from the intended send, is latencyAll). */
  latencyUncorrected?: string;
  openLoop?: OpenLoopCounts;
  /** Requests that waited inside the client for a connection or a slot. */
  clientQueued?: number;
  /** Driver notes a reader must see (e.g. what hey's CSV leaves out). */
  notes?: string[];
  /** The generator's own CPU and event-loop delay, per second. */
  client?: ClientSample[];
  /** The warm-up before the window: its length, requests, and how long its last requests took to finish. */
  warmup?: { ms: number; requests: number; drainMs: number };
}

export function emptyErrorCounts(): ErrorCounts {
  return Object.fromEntries(ERROR_CLASSES.map((c) => [c, 0])) as ErrorCounts;
}

export class ProfileRecorder {
  private readonly all = createHistogram(3, false);
  private readonly withCensored = createHistogram(3, false);
  private uncorrected: ReturnType<typeof createHistogram> | undefined;
  private openLoop: OpenLoopCounts | undefined;
  private readonly okOnly = createHistogram(3, false);
  private readonly seconds: SecondBucket[] = [];
  private readonly errors = emptyErrorCounts();
  private requests = 0;
  private ok = 0;
  private censoredCount = 0;
  private queued = 0;
  private readonly notes: string[] = [];

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

  /**
   * A request ended at `atMs` after `latencyMs`. For a timeout, `latencyMs` is the time the
   * client waited before giving up: kept as a censored latency.
   */
  record(outcome: Outcome, latencyMs: number, atMs: number): void {
    if (atMs - this.startMs > this.windowMs) {
      // It was in flight when the window closed: cut off, at the age it had then.
      this.cutOff(latencyMs - (atMs - this.startMs - this.windowMs));
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
    if (RESPONSE_CLASSES.has(outcome)) {
      recordMs(this.all, latencyMs);
      recordMs(this.withCensored, latencyMs);
      recordMs(bucket.latency, latencyMs);
    } else if (outcome === 'timeout') {
      this.censor(latencyMs);
    }
    // Refused, reset and other failures end without a response and are not slow requests:
    // they are counted by class and kept out of every latency.
  }

  /** A request in flight when the window closed, `ageMs` old then (from its intended send in open loop). */
  cutOff(ageMs: number): void {
    this.late++;
    this.censor(ageMs);
  }

  /** A latency known only to be at least `ms` (timed out, cut off, never sent). */
  censor(ms: number): void {
    this.censoredCount++;
    recordMs(this.withCensored, Math.max(0, ms));
  }

  /** A request that had to wait inside the client before it could be sent. */
  queuedInClient(): void {
    this.queued++;
  }

  /** Something about this measurement a reader must be told. */
  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  /** Open loop: the latency from the actual send of a request that got a response. */
  recordUncorrected(latencyMs: number): void {
    recordMs((this.uncorrected ??= createHistogram(3, false)), latencyMs);
  }

  /** Open loop: how the schedule went (sends due, sent late, never sent, queued for the cap). */
  setSchedule(stats: OpenLoopCounts): void {
    this.openLoop = { ...stats };
  }

  /** Live counters for progress display. */
  counters(): { requests: number; ok: number; errors: number } {
    return { requests: this.requests, ok: this.ok, errors: this.requests - this.ok };
  }

  /**
   * @param cutOff requests the driver stopped at the window's end without telling the recorder
   *   (drivers that know their ages call cutOff() for each instead and pass 0).
   */
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
      latencyCensored: encodeHistogram(this.withCensored),
      censored: this.censoredCount,
      clientQueued: this.queued,
      timeline,
      ...(this.notes.length ? { notes: [...this.notes] } : {}),
      ...(this.openLoop ? { latencyUncorrected: encodeHistogram(this.uncorrected ?? createHistogram()), openLoop: this.openLoop } : {}),
    };
  }

  private bucket(second: number): SecondBucket {
    let b = this.seconds[second];
    if (!b) this.seconds[second] = b = { completed: 0, ok: 0, errors: {}, latency: createHistogram(2) };
    return b;
  }
}
