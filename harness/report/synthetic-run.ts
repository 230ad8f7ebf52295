/**
 * Builds synthetic, clearly labelled runs (manifest and profiles) for the report's tests and the
 * report-generation benchmark. Nothing here is a measurement: every figure is drawn from a seeded
 * model of a closed-loop load test, but it is internally consistent the way a real profile is
 * (latency stats and the HDR histogram come from the same recorded values, per-second buckets sum
 * to the totals, error counts sum to the error total), so a report that renders these renders
 * real runs too. Runs made here say `synthetic: true` in their options and dataset.
 */
import { durationStats } from '../metrics/hops.ts';
import { steadyState } from '../metrics/steady-state.ts';
import * as hdr from 'hdr-histogram-js';
import {
  ERROR_CLASSES,
  SCHEMA_VERSION,
  type ClusterEvent,
  type ErrorClass,
  type ErrorCounts,
  type HopGapStats,
  type LatencyStats,
  type NodeDescription,
  type ProfileResult,
  type ResourceSample,
  type RunManifest,
  type SystemTimeouts,
  type TimelineBucket,
} from '../results/schema.ts';

export const SYNTHETIC_ROUTE = ['get', 'filter-temperature', 'compute-average', 'display'];

export interface SyntheticRunOptions {
  runId: string;
  systems?: string[];
  workers?: number[];
  /** Seconds of per-second data per profile. */
  seconds?: number;
  /** Worker nodes besides the client and core nodes. */
  workerNodes?: number;
  createdAt?: string;
  seed?: number;
}

/** A tiny seeded PRNG (mulberry32) so fixtures are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-normal sample with the given median; `spread` is sigma of the underlying normal. */
function logNormal(rand: () => number, median: number, spread: number): number {
  const u = Math.max(rand(), 1e-12);
  const v = rand();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(spread * z);
}

function nodes(workerNodes: number): NodeDescription[] {
  const list: NodeDescription[] = [
    { name: 'client', role: 'client', cpus: 1, memoryBytes: 2 * 1024 ** 3 },
    { name: 'core', role: 'core', cpus: 2, memoryBytes: 4 * 1024 ** 3 },
  ];
  for (let i = 1; i <= workerNodes; i++) list.push({ name: `fog-${i}`, role: 'worker', cpus: 1, memoryBytes: 2 * 1024 ** 3 });
  return list;
}

export const SYNTHETIC_CLIENT_TIMEOUT_MS = 20_000;
export const SYNTHETIC_DEADLINE_MS = 10_000;

/** The timers every system of a synthetic run has, as bench records them (issue 21). */
export function syntheticTimeouts(systems: readonly string[]): NonNullable<RunManifest['timeouts']> {
  const timers: SystemTimeouts = { deadlineMs: SYNTHETIC_DEADLINE_MS, deadlineBy: 'the synthetic deadline', callMs: SYNTHETIC_DEADLINE_MS, callBy: 'the synthetic call timer', others: {} };
  return { clientMs: SYNTHETIC_CLIENT_TIMEOUT_MS, systems: Object.fromEntries(systems.map((s) => [s, timers])) };
}

export function syntheticManifest(options: SyntheticRunOptions): RunManifest {
  const systems = options.systems ?? ['p2p', 'openfaas'];
  const workers = options.workers ?? [1, 5, 10, 50];
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: 'fogbench.manifest',
    runId: options.runId,
    createdAt: options.createdAt ?? '2026-01-01T00:00:00.000Z',
    fogbench: { version: '0.1.0', gitSha: null, gitDirty: null },
    host: { hostname: 'synthetic', platform: 'linux', kernel: 'n/a', cpus: 2, cpuModel: 'synthetic', memoryBytes: 8 * 1024 ** 3, node: 'v20' },
    tools: {},
    scenario: { name: 'temperature', file: 'scenarios/temperature.ts', sha256: '0'.repeat(64), route: SYNTHETIC_ROUTE, config: {} },
    dataset: { file: 'synthetic', sha256: '0'.repeat(64), synthetic: true, rows: 0, rowsByVariable: {}, batchSize: 50 },
    target: { kind: 'synthetic', nodes: nodes(options.workerNodes ?? 4), shaping: 'none (synthetic data)', details: {} },
    options: { synthetic: true, seconds: options.seconds ?? 60 },
    systems,
    timeouts: syntheticTimeouts(systems),
    profiles: systems.flatMap((system) => workers.map((w) => ({ system, workers: w, repetition: 1 }))),
  };
}

function newHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

/** LatencyStats (ms) from a histogram recorded in microseconds, the way a driver reports them. */
export function latencyStats(histogram: hdr.Histogram): LatencyStats {
  const ms = (us: number) => us / 1000;
  const empty = histogram.totalCount === 0;
  return {
    count: histogram.totalCount,
    mean: empty ? 0 : ms(histogram.mean),
    stdev: empty ? 0 : ms(histogram.stdDeviation),
    min: empty ? 0 : ms(histogram.minNonZeroValue),
    max: ms(histogram.maxValue),
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    p99: ms(histogram.getValueAtPercentile(99)),
    p999: ms(histogram.getValueAtPercentile(99.9)),
    hdr: hdr.encodeIntoCompressedBase64(histogram),
  };
}

function zeroErrors(): ErrorCounts {
  return Object.fromEntries(ERROR_CLASSES.map((c) => [c, 0])) as ErrorCounts;
}

function percentileOf(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

/** Model parameters: OpenFaaS degrades with load, p2p scales further (the paper's shape). */
function model(system: string, workers: number) {
  const openfaas = system === 'openfaas';
  const serviceMs = openfaas ? 60 : 35;
  const capacity = openfaas ? 40 : 90; // req/s the modelled cluster can sustain
  const offered = workers * (1000 / serviceMs);
  const throughput = Math.min(offered, capacity);
  const errorRate = openfaas ? (workers >= 50 ? 0.6 : workers >= 10 ? 0.08 : 0.002) : workers >= 50 ? 0.02 : 0.001;
  const errorClasses: ErrorClass[] = openfaas ? ['http5xx', 'timeout', 'http5xx', 'reset'] : ['envelope', 'reset'];
  return { throughput, errorRate, errorClasses, hopMedianMs: openfaas ? 9 : 1.5 };
}

export function syntheticProfile(manifest: RunManifest, system: string, workers: number, seed = 1): ProfileResult {
  const seconds = Number(manifest.options.seconds ?? 60);
  const rand = random(seed * 7919 + workers * 31 + (system === 'openfaas' ? 17 : 3));
  const m = model(system, workers);
  const all = newHistogram();
  const okOnly = newHistogram();
  const errors = zeroErrors();
  const timeline: TimelineBucket[] = [];
  let requests = 0;
  let ok = 0;
  // The gateway-restart window: OpenFaaS at the top load loses a stretch of seconds (figures 9-10).
  const outage = system === 'openfaas' && workers >= 50 ? { from: Math.floor(seconds * 0.4), to: Math.floor(seconds * 0.4) + 5 } : null;
  for (let t = 0; t < seconds; t++) {
    const inOutage = outage !== null && t >= outage.from && t < outage.to;
    const completed = Math.max(0, Math.round(m.throughput * (0.85 + 0.3 * rand()) * (inOutage ? 0.1 : 1)));
    const bucketErrors: Partial<ErrorCounts> = {};
    const latencies: number[] = [];
    let bucketOk = 0;
    for (let i = 0; i < completed; i++) {
      const failed = rand() < (inOutage ? 0.95 : m.errorRate);
      const median = (workers * 1000) / Math.max(m.throughput, 1);
      const latencyMs = Math.max(0.05, logNormal(rand, median, failed ? 0.9 : 0.35));
      const us = Math.round(latencyMs * 1000);
      all.recordValue(us);
      latencies.push(latencyMs);
      if (failed) {
        const cls = m.errorClasses[Math.floor(rand() * m.errorClasses.length)] ?? 'other';
        errors[cls] += 1;
        bucketErrors[cls] = (bucketErrors[cls] ?? 0) + 1;
      } else {
        okOnly.recordValue(us);
        bucketOk += 1;
      }
    }
    latencies.sort((a, b) => a - b);
    requests += completed;
    ok += bucketOk;
    timeline.push({
      t,
      completed,
      ok: bucketOk,
      errors: bucketErrors,
      p50: completed ? percentileOf(latencies, 50) : null,
      p99: completed ? percentileOf(latencies, 99) : null,
      mean: completed ? latencies.reduce((a, b) => a + b, 0) / completed : null,
    });
  }
  const events: ClusterEvent[] = [];
  const at = (t: number) => new Date(Date.parse(manifest.createdAt) + t * 1000).toISOString();
  if (outage) {
    events.push({ t: outage.from, at: at(outage.from), kind: 'oom-kill', subject: 'gateway', node: 'core', detail: 'memory limit reached' });
    events.push({ t: outage.from + 1, at: at(outage.from + 1), kind: 'restart', subject: 'gateway', node: 'core', detail: 'restart count 1' });
    events.push({ t: outage.to, at: at(outage.to), kind: 'ready', subject: 'gateway', node: 'core', detail: 'health check passed' });
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: 'fogbench.profile',
    mode: 'closed',
    openLoop: null,
    repetition: 1,
    cost: { cpuSeconds: 0, cpuSecondsPerOk: null, nodes: [] },
    client: { samples: [], limited: false, reason: null },
    runId: manifest.runId,
    system,
    workers,
    keepAlive: false,
    driver: 'synthetic',
    startedAt: manifest.createdAt,
    durationSeconds: seconds,
    requests,
    // A closed loop leaves each worker's last request in flight when the window closes.
    cutOff: workers,
    interrupted: false,
    ok,
    errors,
    errorRate: requests ? (requests - ok) / requests : 0,
    throughput: requests / seconds,
    goodput: ok / seconds,
    latency: latencyStats(all),
    latencyWithTimeouts: { ...latencyStats(all), censored: errors.timeout },
    latencyOk: latencyStats(okOnly),
    steadyState: steadyState(timeline),
    timeline,
    hops: syntheticHops(rand, m.hopMedianMs, ok, manifest.scenario.route),
    events,
    resources: syntheticResources(rand, manifest.target.nodes, seconds, m.throughput / 100),
    manifest,
  };
}

function syntheticHops(rand: () => number, medianMs: number, count: number, route: string[]): HopGapStats[] {
  const hops: HopGapStats[] = [];
  const n = Math.min(count, 2000);
  for (let i = 0; i + 1 < route.length; i++) {
    const gaps = Array.from({ length: n }, () => logNormal(rand, medianMs, 0.5)).sort((a, b) => a - b);
    const from = route[i] ?? '';
    const to = route[i + 1] ?? '';
    if (gaps.length === 0) continue;
    hops.push({
      from,
      to,
      count: gaps.length,
      mean: gaps.reduce((a, b) => a + b, 0) / gaps.length,
      p50: percentileOf(gaps, 50),
      p90: percentileOf(gaps, 90),
      p99: percentileOf(gaps, 99),
      min: gaps[0] ?? 0,
      max: gaps[gaps.length - 1] ?? 0,
      q1: percentileOf(gaps, 25),
      q3: percentileOf(gaps, 75),
      definition: 'function-end-to-function-start',
      toRequest: durationStats(gaps.map((g) => g * 0.8)),
      body: durationStats(gaps.map((g) => g * 0.2)),
      requests: gaps.length,
      failed: 0,
      missing: 0,
      cut: 0,
      negative: 0,
      clockUncertaintyMs: 0,
    });
  }
  return hops;
}

function syntheticResources(rand: () => number, nodeList: NodeDescription[], seconds: number, load: number): ResourceSample[] {
  const samples: ResourceSample[] = [];
  for (let t = 0; t < seconds; t++) {
    for (const node of nodeList) {
      const limit = node.cpus;
      const base = node.role === 'client' ? 0.2 : 0.1;
      samples.push({
        t,
        node: node.name,
        cpu: Math.min(limit ?? 4, base + Math.min(0.9, load) * (0.5 + 0.5 * rand())),
        cpuLimit: limit,
        memoryBytes: Math.round((150 + 50 * rand() + t * 0.05) * 1024 * 1024),
        memoryLimitBytes: node.memoryBytes,
      });
    }
  }
  return samples;
}

/** A whole synthetic run: the manifest and every profile it lists. */
export function syntheticRun(options: SyntheticRunOptions): { manifest: RunManifest; profiles: ProfileResult[] } {
  const manifest = syntheticManifest(options);
  const profiles = manifest.profiles.map((p) => syntheticProfile(manifest, p.system, p.workers, options.seed ?? 1));
  return { manifest, profiles };
}
