/**
 * Can a run be judged against a baseline at all? Only when they measured the same thing the
 * same way: the same target on a host of the same size (the fog's `scale: auto` sizes every
 * node's quota by the host's cores, so a 4-core runner doubles the quotas of a 2-core one), the
 * same node quotas and link shaping, window length, warm-up, keep-alive, load driver, client
 * timeout, loop mode (rate, arrivals, seed), faults, payload (dataset and batch), scenario
 * (content and config), p2p's deadline when p2p is checked, OpenFaaS replicas, timeouts and
 * function runtime when an OpenFaaS system is checked, and,
 * for every system a check names, a baseline that has it. Pure: manifests in, reasons out, each
 * a phrase a person can act on.
 */
import type { BenchOptions } from '../bench/options.ts';
import { DEFAULT_TIMEOUTS } from '../openfaas/settings.ts';
import type { RunManifest } from '../results/schema.ts';

/**
 * What a run will be, known before it runs (the bench checks a baseline before deploying
 * anything). The optional fields are compared only when both sides have them: a plan made by an
 * older caller leaves them out, and the manifests, which hold them all, are compared again after
 * the run (`incomparableManifests`).
 */
export interface PlannedRun {
  targetKind: string;
  hostCpus: number;
  durationMs: number;
  warmupMs: number;
  keepAlive: boolean;
  rate: number | null;
  batchSize: number;
  systems: string[];
  /**
   * The worker counts it runs (each system at each): a baseline must hold the profiles relative
   * checks on them need (run-gate.ts lackingProfiles). Never compared: another set of worker
   * counts measures each one the same way.
   */
  workers?: number[];
  /** The driver that measured (resolved: never `auto`): each has its own client costs and error classes. */
  driver?: string;
  /** Client timeout per request: where a slow response becomes a timeout (an error) instead of a latency. */
  timeoutMs?: number;
  /** Open loop only: how sends are spaced, and the Poisson schedule's seed. */
  arrivals?: string;
  seed?: number;
  /** The --fault schedule, as written. */
  faults?: string[];
  /** OpenFaaS replicas per function, and its gateway upstream and watchdog exec timeouts (ms). */
  replicas?: number;
  openfaasTimeoutsMs?: { gateway: number; function: number };
  /** OpenFaaS: the server its functions ran in (harness/openfaas/runtime.ts). */
  functionRuntime?: string;
  /** p2p's end-to-end deadline: its chain budget (ms). */
  p2pDeadlineMs?: number;
}

/** Before --deadline, p2p's chain budget defaulted to 19 s and the watchdogs' exec_timeout to the template's 10 s. */
const P2P_CHAIN_BUDGET_BEFORE_DEADLINE_MS = 19_000;

const seconds = (ms: unknown) => (typeof ms === 'number' ? `${ms / 1000} s` : 'unknown');

/**
 * The OpenFaaS timeouts a run used, defaults filled in (an empty override is the chart's and the
 * template's): the watchdogs' exec_timeout is the run's --deadline, or, in a run from before it,
 * the `function` override.
 */
function openfaasTimeoutsMs(overrides: unknown, deadlineMs: unknown): { gateway: number; function: number } {
  const o = (typeof overrides === 'object' && overrides !== null ? overrides : {}) as Partial<Record<'gateway' | 'function', number>>;
  const fn = typeof deadlineMs === 'number' ? deadlineMs : (o.function ?? DEFAULT_TIMEOUTS.functionSeconds * 1000);
  return { gateway: o.gateway ?? DEFAULT_TIMEOUTS.gatewaySeconds * 1000, function: fn };
}

const faultTexts = (faults: unknown): string[] =>
  Array.isArray(faults) ? faults.map((f) => (typeof f === 'object' && f !== null && 'text' in f ? String((f as { text: unknown }).text) : String(f))) : [];

export function plannedOf(m: RunManifest): PlannedRun {
  const o = m.options;
  // The timeouts the openfaas system recorded as applied, when it did; else the options' overrides over today's defaults.
  const details = m.systemDetails?.openfaas ?? m.systemDetails?.['openfaas-chain'];
  const applied = details?.timeouts as { gatewaySeconds?: number; functionSeconds?: number } | undefined;
  return {
    targetKind: m.target.kind,
    hostCpus: m.host.cpus,
    durationMs: Number(o.durationMs),
    warmupMs: typeof o.warmupMs === 'number' ? o.warmupMs : 0,
    keepAlive: o.keepAlive === true,
    rate: typeof o.rate === 'number' ? o.rate : null,
    batchSize: m.dataset.batchSize,
    systems: m.systems,
    ...(typeof o.driver === 'string' ? { driver: o.driver } : {}),
    ...(typeof o.timeoutMs === 'number' ? { timeoutMs: o.timeoutMs } : {}),
    ...(typeof o.arrivals === 'string' ? { arrivals: o.arrivals } : {}),
    ...(typeof o.seed === 'number' ? { seed: o.seed } : {}),
    // A manifest from before --fault existed ran no faults.
    faults: faultTexts(o.faults),
    ...(typeof o.replicas === 'number' ? { replicas: o.replicas } : {}),
    openfaasTimeoutsMs:
      typeof applied?.gatewaySeconds === 'number' && typeof applied.functionSeconds === 'number'
        ? { gateway: applied.gatewaySeconds * 1000, function: applied.functionSeconds * 1000 }
        : openfaasTimeoutsMs(o.openfaasTimeouts, o.deadlineMs),
    // Runs from before --function-runtime ran the bare server.
    functionRuntime: typeof details?.functionRuntime === 'string' ? details.functionRuntime : typeof o.functionRuntime === 'string' ? o.functionRuntime : 'bare',
    p2pDeadlineMs: typeof o.deadlineMs === 'number' ? o.deadlineMs : typeof o.chainBudgetMs === 'number' ? o.chainBudgetMs : P2P_CHAIN_BUDGET_BEFORE_DEADLINE_MS,
  };
}

/** The plan of a bench about to run, for the check made before anything is deployed. */
export function plannedFromOptions(options: BenchOptions, facts: { hostCpus: number }): PlannedRun {
  return {
    targetKind: options.target,
    hostCpus: facts.hostCpus,
    durationMs: options.durationMs,
    warmupMs: options.warmupMs,
    keepAlive: options.keepAlive,
    rate: options.rate,
    batchSize: options.batchSize,
    systems: options.systems,
    workers: options.workers,
    driver: options.driver,
    timeoutMs: options.timeoutMs,
    arrivals: options.arrivals,
    seed: options.seed,
    faults: (options.faults ?? []).map((f) => f.text),
    replicas: options.replicas,
    openfaasTimeoutsMs: openfaasTimeoutsMs(options.openfaasTimeouts, options.deadlineMs),
    functionRuntime: options.functionRuntime,
    p2pDeadlineMs: options.deadlineMs,
  };
}

/** Both sides know it and they differ. */
const differ = <T>(a: T | undefined, b: T | undefined) => a !== undefined && b !== undefined && JSON.stringify(a) !== JSON.stringify(b);

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
  // Each driver has its own per-request client cost, connection handling and error accounting.
  if (differ(run.driver, baseline.driver)) why.push(`load driver ${run.driver} vs ${baseline.driver}`);
  // A shorter timeout turns slow responses into errors and caps the latency they count for.
  if (differ(run.timeoutMs, baseline.timeoutMs)) why.push(`client timeout ${seconds(run.timeoutMs)} vs ${seconds(baseline.timeoutMs)}`);
  if (run.rate !== baseline.rate) {
    const loop = (r: number | null) => (r === null ? 'closed loop' : `open loop at ${r} req/s`);
    why.push(`${loop(run.rate)} vs ${loop(baseline.rate)}`);
  } else if (run.rate !== null) {
    // Open loop at the same rate: constant and Poisson spacing queue differently; a Poisson
    // schedule is only the same schedule with the same seed.
    if (differ(run.arrivals, baseline.arrivals)) why.push(`open-loop arrivals ${run.arrivals} vs ${baseline.arrivals}`);
    else if (run.arrivals === 'poisson' && differ(run.seed, baseline.seed)) why.push(`Poisson schedule seed ${run.seed} vs ${baseline.seed}`);
  }
  if (differ(run.faults, baseline.faults)) {
    const list = (f: string[] | undefined) => (f?.length ? f.join(' ') : 'none');
    why.push(`faults ${list(run.faults)} vs ${list(baseline.faults)}`);
  }
  if (run.batchSize !== baseline.batchSize) why.push(`batch of ${run.batchSize} vs ${baseline.batchSize} readings per request`);
  // Replicas and timeouts change only what an OpenFaaS system measures: a p2p-only gate ignores them.
  if (checkedSystems.some((s) => s.startsWith('openfaas'))) {
    if (differ(run.replicas, baseline.replicas)) why.push(`OpenFaaS replicas per function ${run.replicas} vs ${baseline.replicas}`);
    if (differ(run.openfaasTimeoutsMs, baseline.openfaasTimeoutsMs)) {
      const t = (x: PlannedRun['openfaasTimeoutsMs']) => `gateway ${seconds(x!.gateway)}, function ${seconds(x!.function)}`;
      why.push(`OpenFaaS timeouts ${t(run.openfaasTimeoutsMs)} vs ${t(baseline.openfaasTimeoutsMs)}`);
    }
    if (differ(run.functionRuntime, baseline.functionRuntime)) why.push(`OpenFaaS function runtime ${run.functionRuntime} vs ${baseline.functionRuntime}`);
  }
  // A shorter deadline turns slow requests into errors inside the system.
  if (checkedSystems.includes('p2p') && differ(run.p2pDeadlineMs, baseline.p2pDeadlineMs)) {
    why.push(`p2p deadline (chain budget) ${seconds(run.p2pDeadlineMs)} vs ${seconds(baseline.p2pDeadlineMs)}`);
  }
  const missing = [...new Set(checkedSystems)].filter((s) => !baseline.systems.includes(s));
  if (missing.length) why.push(`the baseline has no ${missing.join(', ')} (its systems: ${baseline.systems.join(', ') || 'none'})`);
  return why;
}

/** One node's link as the target described it: bandwidth, added latency and jitter, and how it was applied. */
function linkOf(link: Record<string, unknown> | undefined): string {
  if (!link) return 'unshaped';
  const bandwidth = link.bandwidthMbit === null || link.bandwidthMbit === undefined ? 'no bandwidth limit' : `${String(link.bandwidthMbit)} mbit/s`;
  const jitter = typeof link.jitterMs === 'number' && link.jitterMs > 0 ? ` ± ${link.jitterMs}` : '';
  const how = link.shaping === undefined ? '' : ` (${typeof link.shaping === 'string' ? link.shaping : JSON.stringify(link.shaping)})`;
  return `${bandwidth}, ${String(link.latencyMs ?? 0)}${jitter} ms${how}`;
}

/** The scenario's config as the functions saw it: the scenario's own, overridden by --config. */
function scenarioConfig(m: RunManifest): string {
  const merged: Record<string, unknown> = { ...m.scenario.config, ...((m.options.config as Record<string, unknown> | undefined) ?? {}) };
  const keys = Object.keys(merged).sort();
  return keys.length ? keys.map((k) => `${k}=${String(merged[k])}`).join(', ') : 'none';
}

/**
 * Differences of the measured runs beyond the plan: the target's node quotas and link shaping,
 * the dataset, and the scenario's content and config.
 */
export function incomparableManifests(run: RunManifest, baseline: RunManifest, checkedSystems: readonly string[]): string[] {
  const why = incomparable(plannedOf(run), plannedOf(baseline), checkedSystems);
  const sameTarget = run.target.kind === baseline.target.kind;
  const quotas = (m: RunManifest) => m.target.nodes.map((n) => `${n.name}=${n.cpus ?? 'unlimited'}`).sort().join(', ');
  if (sameTarget && quotas(run) !== quotas(baseline)) why.push(`node CPU quotas ${quotas(run)} vs ${quotas(baseline)}`);
  if (sameTarget) {
    // Link bandwidth and added latency set how long every hop takes; the way a delay is applied
    // (netem, or the userspace relay on kernels without it) has its own per-frame cost.
    const links = (m: RunManifest) => new Map(m.target.nodes.map((n) => [n.name, linkOf(n.link)]));
    const a = links(run);
    const b = links(baseline);
    const names = [...new Set([...a.keys(), ...b.keys()])].sort();
    const changed = names.filter((n) => a.get(n) !== b.get(n));
    if (changed.length) why.push(`link shaping ${changed.map((n) => `${n}: ${a.get(n) ?? 'no such node'} vs ${b.get(n) ?? 'no such node'}`).join('; ')}`);
    else if (run.target.shaping !== baseline.target.shaping) why.push(`link shaping "${run.target.shaping}" vs "${baseline.target.shaping}"`);
  }
  if (run.dataset.sha256 !== baseline.dataset.sha256) why.push(`dataset ${run.dataset.file} vs ${baseline.dataset.file} (different contents)`);
  // The same file name can hold another dataflow; another file can hold the same one.
  if (run.scenario.sha256 !== baseline.scenario.sha256) {
    why.push(`scenario ${run.scenario.file} vs ${baseline.scenario.file} (different contents: sha256 ${run.scenario.sha256.slice(0, 12)} vs ${baseline.scenario.sha256.slice(0, 12)})`);
  } else if (differ(run.scenario.synthetic?.body?.sha256, baseline.scenario.synthetic?.body?.sha256)) {
    why.push(`chain scenario body ${run.scenario.synthetic!.body.bytes} B vs ${baseline.scenario.synthetic!.body.bytes} B (different contents)`);
  }
  if (scenarioConfig(run) !== scenarioConfig(baseline)) why.push(`scenario config ${scenarioConfig(run)} vs ${scenarioConfig(baseline)}`);
  return why;
}
