/**
 * Can a run be judged against a baseline at all? Only when they measured the same thing the
 * same way: the same target on a host of the same size (the fog's `scale: auto` sizes every
 * node's quota by the host's cores, so a 4-core runner doubles the quotas of a 2-core one), the
 * same node quotas, window length, warm-up, keep-alive, loop mode and rate, payload (dataset and
 * batch), and, for every system a check names, a baseline that has it. Pure: manifests in,
 * reasons out, each a phrase a person can act on.
 */
import type { RunManifest } from '../results/schema.ts';

/** What a run will be, known before it runs (the bench checks a baseline before deploying anything). */
export interface PlannedRun {
  targetKind: string;
  hostCpus: number;
  durationMs: number;
  warmupMs: number;
  keepAlive: boolean;
  rate: number | null;
  batchSize: number;
  systems: string[];
}

const seconds = (ms: unknown) => (typeof ms === 'number' ? `${ms / 1000} s` : 'unknown');

export function plannedOf(m: RunManifest): PlannedRun {
  const o = m.options;
  return {
    targetKind: m.target.kind,
    hostCpus: m.host.cpus,
    durationMs: Number(o.durationMs),
    warmupMs: typeof o.warmupMs === 'number' ? o.warmupMs : 0,
    keepAlive: o.keepAlive === true,
    rate: typeof o.rate === 'number' ? o.rate : null,
    batchSize: m.dataset.batchSize,
    systems: m.systems,
  };
}

/** Reasons `run` cannot be compared with `baseline`, for the systems the checks name; empty when it can. */
export function incomparable(run: PlannedRun, baseline: PlannedRun, checkedSystems: readonly string[]): string[] {
  const why: string[] = [];
  if (run.targetKind !== baseline.targetKind) why.push(`target ${run.targetKind} vs ${baseline.targetKind}`);
  if (run.hostCpus !== baseline.hostCpus) {
    why.push(`host cores ${run.hostCpus} vs ${baseline.hostCpus} (the fog's scale: auto sizes node quotas by the host's cores)`);
  }
  if (run.durationMs !== baseline.durationMs) why.push(`profile duration ${seconds(run.durationMs)} vs ${seconds(baseline.durationMs)}`);
  if (run.warmupMs !== baseline.warmupMs) why.push(`warm-up ${seconds(run.warmupMs)} vs ${seconds(baseline.warmupMs)}`);
  if (run.keepAlive !== baseline.keepAlive) why.push(`keep-alive ${run.keepAlive ? 'on' : 'off'} vs ${baseline.keepAlive ? 'on' : 'off'}`);
  if (run.rate !== baseline.rate) {
    const loop = (r: number | null) => (r === null ? 'closed loop' : `open loop at ${r} req/s`);
    why.push(`${loop(run.rate)} vs ${loop(baseline.rate)}`);
  }
  if (run.batchSize !== baseline.batchSize) why.push(`batch of ${run.batchSize} vs ${baseline.batchSize} readings per request`);
  const missing = [...new Set(checkedSystems)].filter((s) => !baseline.systems.includes(s));
  if (missing.length) why.push(`the baseline has no ${missing.join(', ')} (its systems: ${baseline.systems.join(', ') || 'none'})`);
  return why;
}

/** Differences of the measured runs beyond the plan: the target's node quotas and the dataset. */
export function incomparableManifests(run: RunManifest, baseline: RunManifest, checkedSystems: readonly string[]): string[] {
  const why = incomparable(plannedOf(run), plannedOf(baseline), checkedSystems);
  const quotas = (m: RunManifest) => m.target.nodes.map((n) => `${n.name}=${n.cpus ?? 'unlimited'}`).sort().join(', ');
  if (run.target.kind === baseline.target.kind && quotas(run) !== quotas(baseline)) why.push(`node CPU quotas ${quotas(run)} vs ${quotas(baseline)}`);
  if (run.dataset.sha256 !== baseline.dataset.sha256) why.push(`dataset ${run.dataset.file} vs ${baseline.dataset.file} (different contents)`);
  return why;
}
