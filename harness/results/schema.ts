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
  /** `unhealthy`: a liveness probe failed and the container is being killed. */
  /** `fault-start`, `fault-end`: a --fault of the schedule began or was reverted (see `faults`). */
  kind: 'exit' | 'restart' | 'oom-kill' | 'not-ready' | 'ready' | 'unhealthy' | 'eviction' | 'info' | 'fault-start' | 'fault-end';
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
  /** Set when the sample is of one container of that pod (gateway, provider, watchdog, function). */
  container?: string;
  /** CPU used in this second as a fraction of one core. */
  cpu: number;
  /**
   * Length of the interval (s) the rate covers, ending at `t`, when the target knows it (kube:
   * the metrics-server window); without it, the interval runs from the series' previous sample.
   */
  intervalS?: number;
  /** CPU quota of the node as a fraction of one core, if limited. */
  cpuLimit: number | null;
  memoryBytes: number;
  memoryLimitBytes: number | null;
}

/** The load generator's own state in one second of a profile. */
export interface ClientSample {
  t: number;
  /** CPU used by the agent process, as a fraction of one core. */
  cpu: number;
  /**
   * Event-loop delay beyond the monitor's own timer resolution (ms): what work in the loop,
   * not the timer's granularity, held it up. (Samples written before this was net included
   * the ~10 ms resolution.)
   */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Seconds the sample covers (the last one is usually shorter than 1). */
  seconds?: number;
  /**
   * The cgroup that limits the load generator's CPU (on fog: the client node), when it has a
   * quota: every process in it (agent, hey) as a fraction of one core, the quota, and the
   * share of its scheduler periods in which the kernel throttled it.
   */
  quota?: { group: string; cpus: number; used: number; throttledShare: number; throttledMs: number };
  /**
   * The agent's child processes (hey, with --driver hey), when it had any: their CPU as a
   * fraction of one core (all their threads), the cores they may use (their CPU affinity; hey
   * runs as many threads as that), how many were alive and their threads at the sample's end.
   */
  children?: { cpu: number; cores: number; processes: number; threads: number };
}

/** Quartiles and tails of one set of durations (ms). */
export interface DurationStats {
  count: number;
  mean: number;
  min: number;
  q1: number;
  p50: number;
  q3: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * Time between services (ms), as the paper defines it: from one service's function ending to
 * the next one's function starting (`mean`, `p50`, ...). It is made of `toRequest` (function
 * end → the next service has the request's headers) and `body` (headers → body fully received,
 * the function starts), shown apart. Results written before `definition` existed measured
 * function end → request received, i.e. `toRequest` only.
 */
export interface HopGapStats {
  from: string;
  to: string;
  /** Gaps measured: requests where `from` ran its function and `to` ran its own. */
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
  q1: number;
  q3: number;
  definition?: 'function-end-to-function-start';
  toRequest?: DurationStats;
  body?: DurationStats;
  /** The window's requests (entry span started inside it) with a span of `from`: the hop's candidates. */
  requests?: number;
  /** `from` failed or did not run its function, or `to` got an error envelope instead: no gap. */
  failed?: number;
  /** `from` ran its function, the request finished inside the window, but no span of `to` arrived (lost span, or the request never got there). */
  missing?: number;
  /** `from` ran its function but the request was still running when the window closed: `to`'s span may never come. */
  cut?: number;
  /** Gaps below zero by more than the clock uncertainty: clocks or spans disagree. */
  negative?: number;
  /**
   * ± ms the node clock offsets leave on each gap (kube: both nodes' offset uncertainties;
   * 0 when both spans come from one clock). A gap smaller than this is not resolved.
   */
  clockUncertaintyMs?: number | null;
}

/** The gateway's own counters over a profile's window, against the harness's (openfaas only). */
export interface GatewayCheck {
  counter: string;
  /** The function the client calls. */
  entry: string;
  /** Responses with a status the client received, and the successful ones. */
  harness: { answered: number; ok: number };
  /** The entry function's invocations the gateway counted, and its 2xx ones. */
  gateway: { total: number; ok: number };
  /** Largest difference explained by requests straddling the window's edges. */
  tolerance: number;
  agrees: boolean;
  note: string;
  /** Every function's invocations by status code over the window (steps included). */
  byFunction: Record<string, Record<string, number>>;
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
    /** Never sent: still waiting in the client's queue when the window closed. */
    dropped: number;
    /**
     * Requests allowed in flight at once (the profile's `workers`); a send finding them all
     * busy waits in the client's queue, counted here, its wait inside the corrected latency.
     */
    cap?: number;
    /** Sends that had to wait for the cap; > 0 means the load was not fully open. */
    queued?: number;
    uncorrected: LatencyStats;
  } | null;
  /**
   * Latency over completed responses (any status), as hey reports it. Requests that timed out,
   * were cut off or never sent are not in it: see `latencyWithTimeouts`.
   */
  latency: LatencyStats;
  /**
   * Latency over completed responses plus, as censored values (their latency is at least this),
   * timed-out requests at the client timeout and requests cut off or never sent at their age
   * when the window closed (from the intended send, open loop). Its mean and percentiles are
   * lower bounds whenever `censored` > 0. Absent in results written before it existed.
   */
  latencyWithTimeouts?: LatencyStats & { censored: number };
  /**
   * Requests the client held back because a connection was not free at once (closed loop: 0
   * since the driver opens what it needs; open loop: the cap's queue). Absent in older results.
   */
  clientQueued?: number;
  /** The load sent before the window (same driver and workers), not counted; its requests all ended before the window opened. */
  warmup?: { ms: number; requests: number; drainMs: number };
  /** What the driver could not measure as the others do (e.g. hey's CSV has no failed requests). */
  notes?: string[];
  /** Whether the per-second throughput settled inside the window (see metrics/steady-state.ts). */
  steadyState?: { steady: boolean; driftPercent: number | null; latencyDriftPercent?: number | null; note: string };
  /** Latency of successful responses only. */
  latencyOk: LatencyStats;
  timeline: TimelineBucket[];
  /**
   * What the system's nodes spent (client node excluded), from the resource samples:
   * CPU-seconds in all and per successful request, the cost figure to compare systems by.
   */
  cost: {
    cpuSeconds: number;
    cpuSecondsPerOk: number | null;
    /** The series counted: the system's pods (fog, loopback: unit names; kube: namespace/pod). */
    nodes: string[];
    /** What was counted, in words (e.g. "pods of the p2p deployment"). */
    scope?: string;
    /** Seconds of the window covered by no sample and estimated from the nearest one, summed over the series. */
    extrapolatedSeconds?: number;
  };
  /**
   * The load generator watching itself; `limited` when it, not the system, set the pace in more
   * than 10 % of the seconds; `saturatedSeconds` counts every such second (1 in 10 is shown too).
   */
  client: { samples: ClientSample[]; limited: boolean; reason: string | null; saturatedSeconds?: number; /** The agent's peak resident memory. */ maxRssBytes?: number };
  hops: HopGapStats[];
  /** openfaas: the gateway's Prometheus counters as a second count of calls; absent elsewhere. */
  gatewayCheck?: GatewayCheck | { error: string };
  /** --fault: each fault of the schedule, what it did to this system and how the system recovered. */
  faults?: FaultOutcome[];
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

/**
 * The timers that can turn a slow request into an error inside a system, in one shape for
 * every system so they can be shown side by side (manifest `timeouts`, the report).
 */
export interface SystemTimeouts {
  /** The whole request's deadline inside the system, and what enforces it. */
  deadlineMs: number;
  deadlineBy: string;
  /** The longest wait for one call to the next step, and whose. */
  callMs: number;
  callBy: string;
  /** Other timers on the request's path (name: ms). */
  others: Record<string, number>;
}

export interface RunManifest {
  schemaVersion: typeof SCHEMA_VERSION;
  kind: 'fogbench.manifest';
  runId: string;
  createdAt: string;
  fogbench: { version: string; gitSha: string | null; gitDirty: boolean | null };
  host: { hostname: string; platform: string; kernel: string; cpus: number; cpuModel: string; memoryBytes: number; node: string };
  tools: Record<string, string>;
  scenario: {
    name: string; file: string; sha256: string; route: string[]; config: Record<string, string>;
    /** A `chain:` scenario (harness/dataflow/synthetic-chain.ts): its parameters, its text, and the fixed body every request carries. */
    synthetic?: { length: number; payloadBytes: number; workMs: number; spec: string; body: { bytes: number; sha256: string } };
  };
  dataset: DatasetDescription;
  target: TargetDescription;
  options: Record<string, unknown>;
  systems: string[];
  /** What each system was beyond the scenario: for openfaas the binaries (module, version, build info) and settings. */
  systemDetails?: Record<string, Record<string, unknown>>;
  /** Every timer that can turn a slow request into an error: the client's, and each system's side by side. */
  timeouts?: { clientMs: number; systems: Record<string, SystemTimeouts> };
  profiles: { system: string; workers: number; repetition: number }[];
  /**
   * Written again when the run ends: profiles where the load generator set the pace (more than
   * 10 % of their seconds saturated), and those where it was saturated in fewer seconds.
   */
  flags?: {
    clientLimited: { system: string; workers: number; repetition: number; reason: string }[];
    clientSaturated?: { system: string; workers: number; repetition: number; reason: string }[];
  };
}

/** `p2p-w10.json`, or `p2p-w10-r2.json` for the second of several repetitions. */
export function profileFileName(system: string, workers: number, repetition?: number): string {
  return `${system}-w${workers}${repetition === undefined ? '' : `-r${repetition}`}.json`;
}

/** One --fault as written (harness/faults/spec.ts); the manifest's options.faults lists the schedule. */
export interface FaultRecord {
  text: string;
  kind: string;
  subject: string;
  /** cpu: cores; memory: bytes. */
  amount?: number;
  /** After the window opened. */
  atMs: number;
  /** null: instantaneous (kill) or until the profile ends (memory). */
  durationMs: number | null;
}

/** What one fault of the schedule did in one profile, and how the system came back. */
export interface FaultOutcome {
  fault: FaultRecord;
  /**
   * applied; not-applicable (this system has no such unit, e.g. the gateway for p2p); failed
   * (the target tried and could not); not-reached (the window closed first).
   */
  status: 'applied' | 'not-applicable' | 'failed' | 'not-reached';
  /** What it did, or why not, in words. */
  detail: string;
  /** What it acted on: pods, processes, link devices, cgroups. */
  targets: string[];
  /** Seconds since the window opened; null when not applied. */
  startedAt: number | null;
  /** When it was reverted (or, for a kill, when it was done); null when not applied. */
  endedAt: number | null;
  /** How it was undone ("quota restored to 0.3 cores"), or null when there was nothing to undo. */
  reverted: string | null;
  /** Why it ended then: its duration ran out, the profile ended, or the run was disposed first. */
  endedBy: 'instant' | 'duration' | 'profile-end' | null;
  recovery: FaultRecovery | null;
}

/** harness/faults/recovery.ts holds the definition. Seconds are whole seconds of the window. */
export interface FaultRecovery {
  status: 'recovered' | 'not-recovered' | 'unmeasurable';
  reason: string | null;
  /** Medians of the whole seconds before the profile's first applied fault. */
  baseline: { seconds: number; throughput: number; ok: number } | null;
  /** The first second of the healthy run that makes the recovery. */
  recoveredAt: number | null;
  /** From the fault's start, and from its end (0 when the system rode it out). */
  secondsToRecover: number | null;
  secondsAfterEnd: number | null;
  /** The seconds [from, to) counted as disrupted. */
  disrupted: { from: number; to: number };
  /** Requests that failed in the disrupted seconds, and their classes; null (and no classes) when unmeasurable: there are no disrupted seconds without a recovery to end them. */
  failed: number | null;
  errors: Partial<ErrorCounts>;
  /** Successful responses short of the baseline over the disrupted seconds; null when unmeasurable. */
  okShortfall: number | null;
  /** Other faults that began while this one's disruption lasted: their effects are mixed in. */
  overlappedBy: string[];
}
