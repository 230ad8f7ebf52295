/**
 * The bench phases: compile → deploy → load → collect, for every system and worker count,
 * writing each profile's result as soon as it is measured. Takes everything it needs as
 * parameters; the CLI owns argv, printing, signals and the exit code.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioSource } from '../dataflow/compile.ts';
import { writeChainBody } from '../dataflow/synthetic-chain.ts';
import { bundleForNode } from '../dataflow/bundle.ts';
import { usageError } from '../errors.ts';
import { childPath } from '../safe-name.ts';
import { openDataset } from '../load/replay.ts';
import { hopGaps } from '../metrics/hops.ts';
import { alignSpans, offsetsOf } from '../metrics/clock-align.ts';
import { buildProfileResult } from '../metrics/profile.ts';
import { checkAgainstGateway } from '../metrics/gateway-check.ts';
import { counterDelta, parseCounter } from '../metrics/prometheus.ts';
import { FUNCTION_NAMESPACE } from '../openfaas/settings.ts';
import { profileFileName, SCHEMA_VERSION, type ProfileResult, type RunManifest } from '../results/schema.ts';
import type { MetricsEndpoint, System, SystemPlan } from '../systems/system.ts';
import type { Deployment, Target } from '../targets/target.ts';
import type { CostScope } from '../metrics/cost.ts';
import type { BenchEvent, BenchOptions } from './options.ts';
import { provenance } from './provenance.ts';
import { runProfile } from './run-profile.ts';
import { attachFaults, checkFaultsBeforeRun, checkFaultSubjects, scheduleFaults } from './fault-schedule.ts';
import { createSpanSink } from './span-sink.ts';
import { deploySystem } from './deploy-system.ts';
import { deploySensorFeed, type DeployedFeed } from './sensor-feed-unit.ts';
import { sleep } from '../timers.ts';
import { makeDirInside } from '../safe-fs.ts';
import { claimBuildFolder, describeAbandoned } from '../build-folders.ts';
import { scrape } from './scrape.ts';

const AGENT_ENTRY = fileURLToPath(new URL('../load/agent-main.ts', import.meta.url));

const repetitions = (options: BenchOptions) => Array.from({ length: options.repeat }, (_, i) => i + 1);

export interface BenchDeps {
  target: Target;
  systems: Record<string, System>;
  onEvent: (event: BenchEvent) => void;
  signal: AbortSignal;
}

export interface BenchOutcome {
  runDir: string;
  manifest: RunManifest;
  profiles: ProfileResult[];
  interrupted: boolean;
  /**
   * What ended the run before its last profile (a load agent that crashed, a deployment that
   * failed), when some profiles were measured before it: they are in `profiles` and on disk, and
   * the caller reports them before the failure. Without any profile, runBench throws instead.
   */
  failure: Error | null;
}

export async function runBench(options: BenchOptions, deps: BenchDeps): Promise<BenchOutcome> {
  const { target, onEvent, signal } = deps;
  const systems = options.systems.map((name) => {
    const system = deps.systems[name];
    if (!system) throw usageError(`unknown system "${name}" (available: ${Object.keys(deps.systems).join(', ')})`);
    return system;
  });
  const capabilities = { ...target.capabilities, kind: target.kind };
  for (const system of systems) {
    const refusal = system.refuses?.(capabilities);
    if (refusal) throw usageError(refusal);
  }
  checkFaultsBeforeRun(options.faults ?? [], target, options.durationMs);
  // The run id becomes two folder names. The build one is claimed, made new, and removed however
  // the run ends (build-folders.ts).
  const runDir = childPath(options.runsDir, options.runId, 'run id');
  const build = await claimBuildFolder(options.buildDir, options.runId);
  for (const line of describeAbandoned(build.removed)) onEvent({ type: 'phase', message: line });
  const buildDir = build.dir;
  const profiles: ProfileResult[] = [];
  const plans = new Map<System, SystemPlan>();
  let feed: DeployedFeed | null = null;
  let ended = false;
  /** Once the run folder exists: writes the manifest's flags and gives the outcome. */
  let finish: ((failure: Error | null) => Promise<BenchOutcome>) | null = null;
  try {
    // Read here for the manifest, and so that a bad dataset fails before anything is deployed;
    // the load agent reads it again in its own process.
    const dataset = await openDataset(options.dataset, { batchSize: options.batchSize });
    const source = await loadScenarioSource(options.scenarioFile, { generatedDir: path.join(buildDir, 'scenario') });
    // What the faults name, from the scenario's route: a fault naming nothing stops the run here,
    // before anything is compiled or prepared.
    const faults = options.faults ?? [];
    if (faults.length) {
      const subjects = systems.map((s) => ({ system: s.name, subjects: s.subjects(source.description.route, options, capabilities) }));
      checkFaultSubjects(faults, await target.capabilities.faults!.nodes(), subjects);
    }
    onEvent({ type: 'phase', message: `compiling ${options.scenarioFile}` });
    // A chain: scenario's requests all carry its fixed body (synthetic-chain.ts), not dataset batches.
    const chainBody = source.description.synthetic ? await writeChainBody(source.description.synthetic, path.join(buildDir, 'scenario')) : undefined;
    const agentBundle = path.join(buildDir, 'agent', 'agent.mjs');
    await bundleForNode({ entryFile: AGENT_ENTRY, outfile: agentBundle });

    onEvent({ type: 'phase', message: `preparing the ${target.kind} target` });
    await target.prepare();
    // The paper's data path: the sensors' data is inside the system, read by `get` (config source).
    if (options.dataPath === 'in-system') {
      onEvent({ type: 'phase', message: `deploying the sensor feed (${options.batchSize} readings per request) on the core node` });
      feed = await deploySensorFeed(target, { dataset: options.dataset, readings: options.batchSize, buildDir, readyTimeoutMs: options.readyTimeoutMs, signal });
    }
    const config = feed ? { ...options.config, source: feed.url } : options.config;
    // Each system compiles what it deploys, from the scenario read once above.
    for (const system of systems) {
      onEvent({ type: 'phase', message: `compiling ${system.name}` });
      plans.set(system, await system.plan(source, { ...options, config, buildDir: path.join(buildDir, system.name) }, capabilities));
    }
    const manifest: RunManifest = {
      schemaVersion: SCHEMA_VERSION,
      kind: 'fogbench.manifest',
      runId: options.runId,
      createdAt: new Date().toISOString(),
      ...(await provenance()),
      scenario: source.description,
      dataset: dataset.description,
      target: target.describe(),
      options: { ...options },
      systems: options.systems,
      systemDetails: Object.fromEntries([...plans].map(([system, plan]) => [system.name, { ...plan.provenance, answers: plan.answers }])),
      timeouts: { clientMs: options.timeoutMs, systems: Object.fromEntries([...plans].map(([system, plan]) => [system.name, plan.timeouts])) },
      profiles: repetitions(options).flatMap((repetition) =>
        options.systems.flatMap((system) => options.workers.map((workers) => ({ system, workers, repetition }))),
      ),
    };
    // The run folder appears with its manifest: a run refused or failed before this leaves none.
    // It is made new (nothing in it was planted), so what is written into it stays in it.
    await makeDirInside(options.runsDir, options.runId, { exclusive: true });
    await mkdir(path.join(runDir, 'profiles'));
    await mkdir(path.join(runDir, 'spans'));
    await writeFile(path.join(runDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    finish = async (failure) => {
      // The manifest learns at the end which profiles the load generator limited, and in which it
      // was saturated for some seconds only.
      const flag = (p: ProfileResult) => ({ system: p.system, workers: p.workers, repetition: p.repetition, reason: p.client.reason ?? '' });
      const clientLimited = profiles.filter((p) => p.client.limited).map(flag);
      const clientSaturated = profiles.filter((p) => !p.client.limited && (p.client.saturatedSeconds ?? 0) > 0).map(flag);
      const flags = { clientLimited, ...(clientSaturated.length ? { clientSaturated } : {}) };
      await writeFile(path.join(runDir, 'manifest.json'), JSON.stringify({ ...manifest, flags }, null, 2) + '\n');
      ended = true;
      return { runDir, manifest, profiles, interrupted: signal.aborted, failure };
    };

    // Repetitions go A B A B across systems, each a fresh deployment, so drift hits both alike.
    const order = repetitions(options).flatMap((repetition) => systems.map((system) => ({ repetition, system })));
    for (const { repetition, system } of order) {
      if (signal.aborted) break;
      const plan = plans.get(system)!;
      const spans = createSpanSink({ offsets: () => offsetsOf(target.describe().details) });
      // Spans of each repetition's own deployment only.
      onEvent({ type: 'phase', message: `deploying ${system.name} on ${target.kind}` });
      const { deployment, entry, placement } = await deploySystem(target, plan, {
        readyTimeoutMs: options.readyTimeoutMs,
        onLine: (_unit, line) => spans.push(line),
        signal,
      });
      onEvent({ type: 'phase', message: `${system.name} is up: ${placement.join(' → ')}` });
      const readMetrics = metricsReader(plan, deployment);
      try {
        for (const workers of options.workers) {
          if (signal.aborted) break;
          const file = profileFileName(system.name, workers, options.repeat > 1 ? repetition : undefined);
          const name = file.replace(/\.json$/, '');
          if (options.warmupMs > 0) onEvent({ type: 'phase', message: `${system.name} w${workers}: warming up for ${options.warmupMs / 1000} s (not counted)` });
          const run = await runProfile({
            target,
            deployment,
            agentBundle,
            specFile: path.join(buildDir, `${name}.agent.json`),
            spec: {
              driver: options.driver,
              warmupMs: options.warmupMs,
              load: {
                ...(options.rate !== null ? { rate: options.rate, arrivals: options.arrivals, seed: options.seed } : {}),
                url: `http://${entry.host}:${entry.port}${plan.path}`,
                workers,
                durationMs: options.durationMs,
                keepAlive: options.keepAlive,
                timeoutMs: options.timeoutMs,
                headers: plan.headers,
              },
              bodies: chainBody
                ? { kind: 'fixed', file: chainBody }
                : feed
                  ? { kind: 'fixed', file: await emptyBody(buildDir) }
                  : { kind: 'dataset', file: path.resolve(options.dataset), batchSize: options.batchSize },
              // hey's body file goes with the build folder, however the agent ends.
              scratchDir: buildDir,
              ...(options.hey !== undefined ? { hey: options.hey } : {}),
            },
            spanSink: spans,
            onProgress: ({ elapsedMs, requests, ok, errors }) =>
              onEvent({ type: 'profile-progress', system: system.name, workers, elapsedMs, requests, ok, errors }),
            signal,
            onStart: () => onEvent({ type: 'profile-start', system: system.name, workers, durationMs: options.durationMs, repetition, repeat: options.repeat }),
            ...(readMetrics ? { readMetrics } : {}),
            ...(options.faults?.length
              ? { faults: scheduleFaults(options.faults, target.capabilities.faults!, deployment, (message) => onEvent({ type: 'phase', message: `${system.name} w${workers}: ${message}` })) }
              : {}),
          });
          const result = buildProfileResult({
            manifest,
            system: system.name,
            workers,
            keepAlive: options.keepAlive,
            driver: options.driver,
            startedAt: new Date(run.startEpochMs).toISOString(),
            raw: run.raw,
            // Spans from different nodes are compared only on one clock (kube records offsets,
            // whose uncertainty each gap carries).
            hops: hopGaps(alignSpans(run.spans, offsetsOf(target.describe().details)), plan.chain, offsetsOf(target.describe().details), { endMs: run.startEpochMs + run.raw.durationMs }),
            events: run.events,
            resources: run.resources,
            costScope: costScopeOf(target, system.name, deployment),
            interrupted: run.interrupted,
            openLoop: options.rate !== null ? { rate: options.rate, arrivals: options.arrivals } : null,
            repetition,
            ...(run.agentMaxRssBytes !== undefined ? { agentMaxRssBytes: run.agentMaxRssBytes } : {}),
          });
          if (run.metrics && plan.metrics) result.gatewayCheck = gatewayCheckOf(run.metrics, result, workers, plan.metrics);
          if (run.faults) attachFaults(result, run.faults);
          const resultFile = path.join(runDir, 'profiles', file);
          await writeFile(resultFile, JSON.stringify(result) + '\n');
          await writeFile(path.join(runDir, 'spans', `${name}.ndjson`), run.spans.map((s) => JSON.stringify(s)).join('\n') + '\n');
          profiles.push(result);
          onEvent({ type: 'profile-end', system: system.name, workers, file: resultFile, interrupted: run.interrupted });
          if (!signal.aborted && options.cooldownMs > 0) await sleep(options.cooldownMs, signal);
        }
      } finally {
        await deployment.stop();
      }
    }
    return await finish(null);
  } catch (error) {
    // Ended part-way (a load agent that died, a deployment that failed): the profiles measured
    // before it are kept, and go to the summary and the report with the failure.
    if (finish === null || signal.aborted || profiles.length === 0) throw error;
    return await finish(error as Error);
  } finally {
    // Every step is tried even when one fails: a target that fails to dispose must not leave the
    // secrets and the build folder behind.
    const steps = [async () => feed?.deployment.stop(), () => target.dispose(), ...[...plans.values()].map((plan) => () => plan.dispose()), () => build.release()];
    const failures: unknown[] = [];
    for (const step of steps) await step().catch((error: unknown) => failures.push(error));
    // (An error of the run itself goes on as it is.)
    if (failures.length > 0 && ended) throw failures[0];
  }
}

/** The body of a request that carries no data (the in-system data path). */
async function emptyBody(buildDir: string): Promise<string> {
  const file = path.join(buildDir, 'empty-body');
  await writeFile(file, '');
  return file;
}

/**
 * How the system's metrics endpoint is read: straight from the unit's address where the client
 * reaches it (fog), else through the deployment (kube: the API server's pod proxy).
 */
function metricsReader(plan: SystemPlan, deployment: Deployment): (() => Promise<string>) | undefined {
  const metrics = plan.metrics;
  if (!metrics) return undefined;
  const endpoint = plan.kind === 'units' ? deployment.endpoints.get(metrics.unit) : undefined;
  if (endpoint) return () => scrape(`http://${endpoint.host}:${metrics.port}${metrics.path}`);
  return deployment.read ? () => deployment.read!(metrics.unit, metrics.port, metrics.path) : undefined;
}

/**
 * Whose CPU a profile's cost counts: the system's own pods. On fog and loopback those are the
 * deployment's units (pods); on kube the namespaces the system lives in, so that p2p is not
 * charged for the OpenFaaS control plane idling in its own namespaces, nor OpenFaaS for p2p's.
 */
function costScopeOf(target: Target, system: string, deployment: Deployment): CostScope {
  if (target.kind === 'kube') {
    const own = String(target.describe().details.namespace ?? 'fogbench');
    const namespaces = system === 'openfaas' ? ['openfaas', 'openfaas-fn'] : [own];
    return { namespaces, describe: `pods in namespace${namespaces.length > 1 ? 's' : ''} ${namespaces.join(', ')}` };
  }
  const units = [...deployment.placement.keys()];
  return { units, describe: `the ${system} deployment's ${units.length} pods (load generator, link emulation and idle nodes left out)` };
}

function gatewayCheckOf(
  metrics: NonNullable<Awaited<ReturnType<typeof runProfile>>['metrics']>,
  result: ProfileResult,
  workers: number,
  endpoint: MetricsEndpoint,
): NonNullable<ProfileResult['gatewayCheck']> {
  if ('error' in metrics) return { error: `gateway metrics could not be read: ${metrics.error}` };
  const delta = counterDelta(parseCounter(metrics.before, endpoint.counter), parseCounter(metrics.after, endpoint.counter));
  return checkAgainstGateway(delta, endpoint.entryFunction, FUNCTION_NAMESPACE, {
    ok: result.ok,
    errors: result.errors,
    cutOff: result.cutOff,
    workers,
    throughput: result.throughput,
    firstReadingLagMs: metrics.beforeLagMs,
  });
}
