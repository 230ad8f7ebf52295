/**
 * The bench phases: compile → deploy → load → collect, for every system and worker count,
 * writing each profile's result as soon as it is measured. Takes everything it needs as
 * parameters; the CLI owns argv, printing, signals and the exit code.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileScenario } from '../dataflow/compile.ts';
import { bundleForNode } from '../dataflow/bundle.ts';
import { usageError } from '../errors.ts';
import { chooseDriver } from '../load/drivers.ts';
import { openDataset } from '../load/replay.ts';
import { hopGaps } from '../metrics/hops.ts';
import { alignSpans, offsetsOf } from '../metrics/clock-align.ts';
import { buildProfileResult } from '../metrics/profile.ts';
import { profileFileName, SCHEMA_VERSION, type ProfileResult, type RunManifest } from '../results/schema.ts';
import type { System, SystemPlan } from '../systems/system.ts';
import type { Target } from '../targets/target.ts';
import type { BenchEvent, BenchOptions } from './options.ts';
import { provenance } from './provenance.ts';
import { runProfile } from './run-profile.ts';
import { createSpanSink } from './span-sink.ts';
import { deploySystem } from './deploy-system.ts';

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
}

export async function runBench(options: BenchOptions, deps: BenchDeps): Promise<BenchOutcome> {
  const { target, onEvent, signal } = deps;
  const systems = options.systems.map((name) => {
    const system = deps.systems[name];
    if (!system) throw usageError(`unknown system "${name}" (available: ${Object.keys(deps.systems).join(', ')})`);
    return system;
  });
  const driver = chooseDriver(options.driver, { keepAlive: options.keepAlive, rate: options.rate ?? undefined });
  const runDir = path.join(options.runsDir, options.runId);
  const buildDir = path.resolve(options.buildDir, options.runId);
  const profiles: ProfileResult[] = [];

  onEvent({ type: 'phase', message: `compiling ${options.scenarioFile}` });
  // Read here for the manifest, and so that a bad dataset fails before anything is deployed;
  // the load agent reads it again in its own process.
  const dataset = await openDataset(options.dataset, { batchSize: options.batchSize });
  const compiled = await compileScenario(options.scenarioFile, buildDir);
  const agentBundle = path.join(buildDir, 'agent', 'agent.mjs');
  await bundleForNode({ entryFile: AGENT_ENTRY, outfile: agentBundle });

  await mkdir(path.join(runDir, 'profiles'), { recursive: true });
  await mkdir(path.join(runDir, 'spans'), { recursive: true });
  onEvent({ type: 'phase', message: `preparing the ${target.kind} target` });
  try {
    await target.prepare();
    const manifest: RunManifest = {
      schemaVersion: SCHEMA_VERSION,
      kind: 'fogbench.manifest',
      runId: options.runId,
      createdAt: new Date().toISOString(),
      ...(await provenance()),
      scenario: compiled.scenario,
      dataset: dataset.description,
      target: target.describe(),
      options: { ...options, driver },
      systems: options.systems,
      profiles: repetitions(options).flatMap((repetition) =>
        options.systems.flatMap((system) => options.workers.map((workers) => ({ system, workers, repetition }))),
      ),
    };
    await writeFile(path.join(runDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

    const plans = new Map<System, SystemPlan>();
    for (const system of systems) plans.set(system, await system.plan(compiled, { ...options, buildDir }));
    // Repetitions go A B A B across systems, each a fresh deployment, so drift hits both alike.
    const order = repetitions(options).flatMap((repetition) => systems.map((system) => ({ repetition, system })));
    for (const { repetition, system } of order) {
      if (signal.aborted) break;
      const plan = plans.get(system)!;
      const spans = createSpanSink();
      onEvent({ type: 'phase', message: `deploying ${system.name} on ${target.kind}` });
      const { deployment, entry, placement } = await deploySystem(target, plan, {
        readyTimeoutMs: options.readyTimeoutMs,
        onLine: (_unit, line) => spans.push(line),
        signal,
      });
      onEvent({ type: 'phase', message: `${system.name} is up: ${placement.join(' → ')}` });
      try {
        for (const workers of options.workers) {
          if (signal.aborted) break;
          const file = profileFileName(system.name, workers, options.repeat > 1 ? repetition : undefined);
          const name = file.replace(/\.json$/, '');
          onEvent({ type: 'profile-start', system: system.name, workers, durationMs: options.durationMs, repetition, repeat: options.repeat });
          const run = await runProfile({
            target,
            deployment,
            agentBundle,
            specFile: path.join(buildDir, `${name}.agent.json`),
            spec: {
              driver,
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
              bodies: { kind: 'dataset', file: path.resolve(options.dataset), batchSize: options.batchSize },
            },
            spanSink: spans,
            onProgress: ({ elapsedMs, requests, ok, errors }) =>
              onEvent({ type: 'profile-progress', system: system.name, workers, elapsedMs, requests, ok, errors }),
            signal,
          });
          const result = buildProfileResult({
            manifest,
            system: system.name,
            workers,
            keepAlive: options.keepAlive,
            driver,
            startedAt: new Date(run.startEpochMs).toISOString(),
            raw: run.raw,
            // Spans from different nodes are compared only on one clock (kube records offsets).
            hops: hopGaps(alignSpans(run.spans, offsetsOf(target.describe().details)), plan.chain),
            events: run.events,
            resources: run.resources,
            interrupted: run.interrupted,
            openLoop: options.rate !== null ? { rate: options.rate, arrivals: options.arrivals } : null,
            repetition,
          });
          const resultFile = path.join(runDir, 'profiles', file);
          await writeFile(resultFile, JSON.stringify(result) + '\n');
          await writeFile(path.join(runDir, 'spans', `${name}.ndjson`), run.spans.map((s) => JSON.stringify(s)).join('\n') + '\n');
          profiles.push(result);
          onEvent({ type: 'profile-end', system: system.name, workers, file: resultFile, interrupted: run.interrupted });
          if (!signal.aborted && options.cooldownMs > 0) await new Promise((r) => setTimeout(r, options.cooldownMs));
        }
      } finally {
        await deployment.stop();
      }
    }
    // The manifest learns at the end which profiles the load generator limited.
    const clientLimited = profiles
      .filter((p) => p.client.limited)
      .map((p) => ({ system: p.system, workers: p.workers, repetition: p.repetition, reason: p.client.reason ?? '' }));
    await writeFile(path.join(runDir, 'manifest.json'), JSON.stringify({ ...manifest, flags: { clientLimited } }, null, 2) + '\n');
    return { runDir, manifest, profiles, interrupted: signal.aborted };
  } finally {
    await target.dispose();
    await rm(buildDir, { recursive: true, force: true });
  }
}
