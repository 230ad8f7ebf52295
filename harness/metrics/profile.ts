/** Assembles a profile's result from what the agent measured and what the target observed. */
import type { DriverName } from '../load/agent-protocol.ts';
import { SCHEMA_VERSION, type ClusterEvent, type HopGapStats, type ProfileResult, type ResourceSample, type RunManifest } from '../results/schema.ts';
import { createHistogram, decodeHistogram, latencyStats } from './histogram.ts';
import type { RawMeasurement } from './recorder.ts';
import { clientLimited } from './client-limited.ts';
import { systemCost, type CostScope } from './cost.ts';
import { steadyState } from './steady-state.ts';

export interface ProfileInput {
  manifest: RunManifest;
  system: string;
  workers: number;
  keepAlive: boolean;
  driver: DriverName;
  startedAt: string;
  raw: RawMeasurement;
  hops: HopGapStats[];
  events: ClusterEvent[];
  resources: ResourceSample[];
  /** Whose samples the cost counts: the system's pods (see cost.ts). */
  costScope: CostScope;
  interrupted: boolean;
  openLoop: { rate: number; arrivals: 'constant' | 'poisson' } | null;
  repetition: number;
  /** The load agent's peak resident memory. */
  agentMaxRssBytes?: number;
}

export function buildProfileResult(input: ProfileInput): ProfileResult {
  const { raw } = input;
  const seconds = raw.durationMs / 1000;
  const errorCount = raw.requests - raw.ok;
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: 'fogbench.profile',
    runId: input.manifest.runId,
    system: input.system,
    workers: input.workers,
    keepAlive: input.keepAlive,
    driver: input.driver,
    startedAt: input.startedAt,
    durationSeconds: seconds,
    requests: raw.requests,
    cutOff: raw.cutOff,
    interrupted: input.interrupted,
    repetition: input.repetition,
    ok: raw.ok,
    errors: raw.errors,
    errorRate: raw.requests ? errorCount / raw.requests : 0,
    throughput: seconds > 0 ? raw.requests / seconds : 0,
    goodput: seconds > 0 ? raw.ok / seconds : 0,
    mode: input.openLoop ? 'open' : 'closed',
    openLoop:
      input.openLoop && raw.openLoop
        ? {
            ...input.openLoop,
            ...raw.openLoop,
            cap: raw.openLoop.cap ?? input.workers,
            uncorrected: latencyStats(raw.latencyUncorrected ? decodeHistogram(raw.latencyUncorrected) : createHistogram()),
          }
        : null,
    latency: latencyStats(decodeHistogram(raw.latencyAll)),
    ...(raw.latencyCensored !== undefined
      ? { latencyWithTimeouts: { ...latencyStats(decodeHistogram(raw.latencyCensored)), censored: raw.censored ?? 0 } }
      : {}),
    latencyOk: latencyStats(decodeHistogram(raw.latencyOk)),
    ...(raw.clientQueued !== undefined ? { clientQueued: raw.clientQueued } : {}),
    ...(raw.warmup ? { warmup: { ms: raw.warmup.ms, requests: raw.warmup.requests, drainMs: Math.round(raw.warmup.drainMs) } } : {}),
    ...(raw.notes?.length ? { notes: raw.notes } : {}),
    steadyState: steadyState(raw.timeline, seconds),
    timeline: raw.timeline,
    cost: systemCost(input.resources, raw.ok, seconds, input.costScope),
    client: { samples: raw.client ?? [], ...clientLimited(raw.client ?? []), ...(input.agentMaxRssBytes !== undefined ? { maxRssBytes: input.agentMaxRssBytes } : {}) },
    hops: input.hops,
    events: input.events,
    resources: input.resources,
    manifest: input.manifest,
  };
}
