/**
 * Deploys a scenario's openfaas system on a fog target of its own, with the real gateway,
 * provider and of-watchdog, for tests; and p2p beside it when asked, on the same fog.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deploySystem, type DeployedSystem } from '../../harness/bench/deploy-system.ts';
import { deploySensorFeed, type DeployedFeed } from '../../harness/bench/sensor-feed-unit.ts';
import { loadScenarioSource } from '../../harness/dataflow/compile.ts';
import { isSpan, type Span } from '../../harness/dataflow/spans.ts';
import type { FunctionRuntime } from '../../harness/openfaas/runtime.ts';
import { openfaasSystem } from '../../harness/openfaas/system.ts';
import { p2pSystem } from '../../harness/systems/p2p.ts';
import type { System, UnitsPlan } from '../../harness/systems/system.ts';
import { createFogTarget, type FogTarget } from '../../harness/targets/local/fog-target.ts';
import type { UnitEndpoint } from '../../harness/targets/target.ts';
import { TEST_TOPOLOGY } from '../targets/local/fog-host.ts';

export interface FogOpenFaaS {
  target: FogTarget;
  openfaas: DeployedSystem;
  plan: UnitsPlan;
  /** The client's URL of the orchestrator, through the gateway. */
  url: string;
  gateway: string;
  buildDir: string;
  spans: Span[];
  /** Every endpoints update the target published, in order. */
  endpointUpdates: (readonly UnitEndpoint[])[];
  p2p?: { deployed: DeployedSystem; url: string };
  /** The sensor feed, when asked for. */
  feed?: DeployedFeed;
  close(): Promise<void>;
}

export async function deployOpenFaaSOnFog(
  scenario: string,
  options: { withP2P?: boolean; replicas?: number; restartBackoffMs?: number; runId?: string; system?: System; deadlineMs?: number; functionRuntime?: FunctionRuntime; feed?: { dataset: string; readings: number } } = {},
): Promise<FogOpenFaaS> {
  const buildDir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-offog-'));
  const target = createFogTarget({
    runId: options.runId ?? 'test-openfaas-fog',
    topologyFile: TEST_TOPOLOGY,
    // Unshaped and unlimited: these tests check behaviour, not the t2.small-sized fog.
    overrides: { noQuotas: true, link: { bandwidthMbit: null, latencyMs: 0 } },
    restartBackoffMs: options.restartBackoffMs ?? 1_000,
    livenessKillGraceMs: 2_000,
  });
  const source = await loadScenarioSource(scenario);
  const spans: Span[] = [];
  const endpointUpdates: (readonly UnitEndpoint[])[] = [];
  const systemOptions = { hopTimeoutMs: 5_000, deadlineMs: options.deadlineMs ?? 10_000, functionRuntime: options.functionRuntime ?? 'template', config: {} as Record<string, string>, replicas: options.replicas ?? 1 };
  let plan: UnitsPlan | undefined;
  const onLine = (_unit: string, line: string) => {
    if (!line.startsWith('{')) return;
    const value: unknown = JSON.parse(line);
    if (isSpan(value)) spans.push(value);
  };
  try {
    await target.prepare();
    // The paper's data path: a sensor feed on the core node, read by get (config source).
    const feed = options.feed ? await deploySensorFeed(target, { ...options.feed, buildDir, readyTimeoutMs: 30_000 }) : undefined;
    if (feed) systemOptions.config = { source: feed.url };
    const capabilities = { ...target.capabilities, kind: target.kind };
    plan = (await (options.system ?? openfaasSystem).plan(source, { ...systemOptions, buildDir: path.join(buildDir, 'openfaas') }, capabilities)) as UnitsPlan;
    const observed = plan.onEndpoints!;
    plan.onEndpoints = (endpoints) => {
      endpointUpdates.push(endpoints);
      observed(endpoints);
    };
    const openfaas = await deploySystem(target, plan, { readyTimeoutMs: 60_000, onLine });
    let p2p: FogOpenFaaS['p2p'];
    if (options.withP2P) {
      const p2pPlan = await p2pSystem.plan(source, { ...systemOptions, buildDir: path.join(buildDir, 'p2p') });
      const deployed = await deploySystem(target, p2pPlan, { readyTimeoutMs: 30_000, onLine });
      p2p = { deployed, url: `http://${deployed.entry.host}:${deployed.entry.port}/` };
    }
    const gateway = `http://${openfaas.entry.host}:${openfaas.entry.port}`;
    const finalPlan = plan;
    return {
      target,
      openfaas,
      plan: finalPlan,
      url: `${gateway}${plan.path}`,
      gateway,
      buildDir,
      spans,
      endpointUpdates,
      ...(p2p ? { p2p } : {}),
      ...(feed ? { feed } : {}),
      async close() {
        await target.dispose();
        await finalPlan.dispose();
        await rm(buildDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await target.dispose();
    await plan?.dispose();
    await rm(buildDir, { recursive: true, force: true });
    throw error;
  }
}
