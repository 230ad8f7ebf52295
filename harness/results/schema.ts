/**
 * The versioned result schema. A run folder holds `manifest.json` (what the run was) and one
 * `profiles/<system>-w<workers>.json` per profile, written as soon as that profile ends, so a
 * crash later loses nothing already measured. Every profile file embeds the manifest too, so
 * one file alone is self-describing.
 */
export const SCHEMA_VERSION = 1 as const;

/** How a request ended, as counted by the load driver. */
export const ERROR_CLASSES = [
  'http4xx', // non-2xx status from the system that is not a dataflow envelope
  'http5xx',
  'envelope', // a dataflow error envelope (x-fogbench-error) reached the client
  'timeout', // no response within the client timeout
  'refused', // ECONNREFUSED
  'reset', // ECONNRESET / socket hang up / EPIPE
  'other', // any other client-side failure
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];
export type ErrorCounts = Record<ErrorClass, number>;

export interface LatencyStats {
  /** All values in milliseconds. */
  count: number;
  mean: number;
  stdev: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  /** HDR histogram (microseconds), compressed and base64-encoded: mergeable across runs. */
  hdr: string;
}

/** One second of a profile, indexed from the profile's start. */
export interface TimelineBucket {
  t: number;
  /** Responses received in this second (any status). */
  completed: number;
  ok: number;
  errors: Partial<ErrorCounts>;
  /** Latency of responses received in this second (ms); null when none. */
  p50: number | null;
  p99: number | null;
  mean: number | null;
}

/** Something that happened to the system while it was measured (process exit, OOM kill...). */
export interface ClusterEvent {
  /** Seconds since the profile's start (may be negative for events before it). */
  t: number;
  at: string;
  kind: 'exit' | 'restart' | 'oom-kill' | 'not-ready' | 'ready' | 'eviction' | 'info';
  subject: string;
  node?: string;
  detail: string;
}

/** A resource sample of one node (fog target) or pod (kube). */
export interface ResourceSample {
  t: number;
  node: string;
  /** Set when the sample is of one unit (a service's pod) on `node` rather than the whole node. */
  unit?: string;
  /** CPU used in this second as a fraction of one core. */
  cpu: number;
  /** CPU quota of the node as a fraction of one core, if limited. */
  cpuLimit: number | null;
  memoryBytes: number;
  memoryLimitBytes: number | null;
}

/** The load generator's own state in one second of a profile. */
export interface ClientSample {
  t: number;
  /** CPU used, as a fraction of one core. */
  cpu: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

/** Time between one service ending its function and the next one starting (ms). */
export interface HopGapStats {
  from: string;
  to: string;
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
  q1: number;
  q3: number;
}

export interface ProfileResult {
  schemaVersion: typeof SCHEMA_VERSION;
  kind: 'fogbench.profile';
  runId: string;
  system: string;
  workers: number;
  keepAlive: boolean;
  driver: string;
  startedAt: string;
  /** Measured wall time of the profile, seconds. */
  durationSeconds: number;
  /** Requests that got a response or failed (not counting those cut off at the end). */
  requests: number;
  /** Requests still in flight when the window closed: neither successes nor errors. */
  cutOff: number;
  /** True when the profile was stopped early (Ctrl-C): its figures cover a shorter window. */
  interrupted: boolean;
  /** Which run of this profile (1-based) when the bench repeats profiles. */
  repetition: number;
  ok: number;
  errors: ErrorCounts;
  errorRate: number;
  /** Responses per second, any status, as hey reports it (the paper's figure). */
  throughput: number;
  /** Successful responses per second. */
  goodput: number;
  /** Closed loop (workers) or open loop (a schedule of sends at `rate`). */
  mode: 'closed' | 'open';
  /**
   * Open loop only. `latency` is then measured from each request's intended send time
   * (corrected for coordinated omission); `uncorrected` from when it really left.
   */
  openLoop: {
    rate: number;
    arrivals: 'constant' | 'poisson';
    scheduled: number;
    /** Sent more than 10 ms behind schedule. */
    late: number;
    /** Still waiting for a connection when the window closed. */
    dropped: number;
    uncorrected: LatencyStats;
  } | null;
  /** Latency of every response (as hey reports it). */
  latency: LatencyStats;
  /** Latency of successful responses only. */
  latencyOk: LatencyStats;
  timeline: TimelineBucket[];
  /**
   * What the system's nodes spent (client node excluded), from the resource samples:
   * CPU-seconds in all and per successful request, the cost figure to compare systems by.
   */
  cost: { cpuSeconds: number; cpuSecondsPerOk: number | null; nodes: string[] };
  /** The load generator watching itself; `limited` when it, not the system, set the pace. */
  client: { samples: ClientSample[]; limited: boolean; reason: string | null };
  hops: HopGapStats[];
  events: ClusterEvent[];
  resources: ResourceSample[];
  manifest: RunManifest;
}

export interface NodeDescription {
  name: string;
  role: string;
  cpus: number | null;
  memoryBytes: number | null;
  address?: string;
  link?: Record<string, unknown>;
}

export interface TargetDescription {
  kind: string;
  nodes: NodeDescription[];
  /** What link shaping was really applied, in words a reader can check. */
  shaping: string;
  details: Record<string, unknown>;
}

export interface DatasetDescription {
  file: string;
  sha256: string;
  synthetic: boolean;
  rows: number;
  rowsByVariable: Record<string, number>;
  batchSize: number;
}

export interface RunManifest {
  schemaVersion: typeof SCHEMA_VERSION;
  kind: 'fogbench.manifest';
  runId: string;
  createdAt: string;
  fogbench: { version: string; gitSha: string | null; gitDirty: boolean | null };
  host: { hostname: string; platform: string; kernel: string; cpus: number; cpuModel: string; memoryBytes: number; node: string };
  tools: Record<string, string>;
  scenario: { name: string; file: string; sha256: string; route: string[]; config: Record<string, string> };
  dataset: DatasetDescription;
  target: TargetDescription;
  options: Record<string, unknown>;
  systems: string[];
  profiles: { system: string; workers: number; repetition: number }[];
  /** Written again when the run ends: profiles where the load generator set the pace. */
  flags?: { clientLimited: { system: string; workers: number; repetition: number; reason: string }[] };
}

/** `p2p-w10.json`, or `p2p-w10-r2.json` for the second of several repetitions. */
export function profileFileName(system: string, workers: number, repetition?: number): string {
  return `${system}-w${workers}${repetition === undefined ? '' : `-r${repetition}`}.json`;
}
