/**
 * `openfaas-path`: what one step through OpenFaaS costs against one p2p hop, at 1 worker, on
 * the fog target (no quotas, unshaped links, so only the path differs). The same function
 * (the temperature scenario's `get`) runs behind client → gateway → provider → of-watchdog →
 * Node, once in the node20 template's server and once in the bare one (--function-runtime),
 * and behind client → p2p service. CPU per request comes from the per-pod and per-container
 * cgroup samples (gateway, provider, Prometheus, alertmanager, watchdog, Node function; the p2p
 * service), over rounds that alternate between the three; latency from the closed-loop client.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioSource } from '../dataflow/compile.ts';
import { DEFAULT_BATCH_SIZE, DEFAULT_DATASET, openDataset } from '../load/replay.ts';
import { openfaasSystem } from '../openfaas/system.ts';
import type { ResourceSample } from '../results/schema.ts';
import { p2pSystem } from '../systems/p2p.ts';
import type { UnitsPlan } from '../systems/system.ts';
import { createFogTarget, type FogTarget } from '../targets/local/fog-target.ts';
import { ALERTMANAGER_UNIT, PROMETHEUS_UNIT } from '../openfaas/fog/companions.ts';
import { GATEWAY_UNIT } from '../openfaas/fog/fog-plan.ts';
import type { FunctionRuntime } from '../openfaas/runtime.ts';
import type { Deployment } from '../targets/target.ts';
import type { Benchmark } from './benchmark.ts';
import { measure, type Measured } from './measure.ts';

const SCENARIO = fileURLToPath(new URL('./one-step-scenario.ts', import.meta.url));
const ROUNDS = 3;
const SECONDS = 8;

interface Side {
  target: FogTarget;
  url: string;
  deployment: Deployment;
  /** Pod (and container) samples of the system under test: "unit" or "unit/container". */
  components: (s: ResourceSample) => string | null;
}

type SideName = 'openfaas (template)' | 'openfaas (bare)' | 'p2p';

/** Pod and container samples of an OpenFaaS deployment, itemised as the chart's components. */
function openfaasComponent(s: ResourceSample): string | null {
  if (s.unit === GATEWAY_UNIT && s.container) return s.container; // gateway, provider
  if (s.unit === 'get-0' && s.container) return s.container; // watchdog, function
  if ((s.unit === PROMETHEUS_UNIT || s.unit === ALERTMANAGER_UNIT) && !s.container) return s.unit;
  return null;
}

export const openfaasPathBenchmark: Benchmark = {
  name: 'openfaas-path',
  description: 'one step through gateway + provider + of-watchdog (template and bare runtimes) vs one p2p hop, 1 worker, CPU per request per component (fog, no quotas)',
  async run(log) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-perf-ofpath-'));
    // Two fog targets, each with its own address block: both OpenFaaS deployments name their pod "gateway".
    const fogs = ['perf-openfaas-path', 'perf-openfaas-path-bare'].map((runId) => createFogTarget({ runId, overrides: { noQuotas: true, link: { bandwidthMbit: null, latencyMs: 0 } } }));
    const [fog, fogBare] = fogs as [FogTarget, FogTarget];
    const plans: UnitsPlan[] = [];
    try {
      const source = await loadScenarioSource(SCENARIO);
      for (const f of fogs) await f.prepare();
      const capabilities = { ...fog.capabilities, kind: fog.kind };
      const options = { hopTimeoutMs: 10_000, deadlineMs: 10_000, config: {}, replicas: 1 };
      const plan = async (runtime: FunctionRuntime) =>
        (await openfaasSystem.plan(source, { ...options, functionRuntime: runtime, buildDir: path.join(dir, `openfaas-${runtime}`) }, capabilities)) as UnitsPlan;
      const of = await plan('template');
      const ofBare = await plan('bare');
      const p2p = await p2pSystem.plan(source, { ...options, buildDir: path.join(dir, 'p2p') });
      plans.push(of, ofBare, p2p);
      log('deploying the one-step scenario as OpenFaaS (gateway, provider, Prometheus, alertmanager, watchdog) with the template and the bare runtime, and as p2p, on fog');
      const deployOpenFaaS = (target: FogTarget, p: UnitsPlan) => target.deploy(p.units, { readyTimeoutMs: 60_000, onLine: () => {}, ...(p.onEndpoints ? { onEndpoints: p.onEndpoints } : {}) });
      const ofDeployment = await deployOpenFaaS(fog, of);
      const bareDeployment = await deployOpenFaaS(fogBare, ofBare);
      const p2pDeployment = await fog.deploy(p2p.units, { readyTimeoutMs: 30_000, onLine: () => {} });
      const at = (d: Deployment, unit: string, suffix: string) => {
        const e = d.endpoints.get(unit)!;
        return `http://${e.host}:${e.port}${suffix}`;
      };
      const sides: Record<SideName, Side> = {
        'openfaas (template)': { target: fog, url: at(ofDeployment, GATEWAY_UNIT, '/function/get'), deployment: ofDeployment, components: openfaasComponent },
        'openfaas (bare)': { target: fogBare, url: at(bareDeployment, GATEWAY_UNIT, '/function/get'), deployment: bareDeployment, components: openfaasComponent },
        p2p: { target: fog, url: at(p2pDeployment, 'get', '/'), deployment: p2pDeployment, components: (s) => (s.unit === 'get' && !s.container ? 'service' : null) },
      };
      const body = (await openDataset(DEFAULT_DATASET, { batchSize: DEFAULT_BATCH_SIZE })).source.next().toString('utf8');
      log(`warm-up, then ${ROUNDS} alternating rounds of ${SECONDS} s per side, 1 worker, keep-alive off`);
      for (const side of Object.values(sides)) await measure(side.url, body, { workers: 1, seconds: 2, keepAlive: false });
      const totals = Object.fromEntries(Object.keys(sides).map((name) => [name, new Totals()])) as Record<SideName, Totals>;
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, side] of Object.entries(sides) as [SideName, Side][]) {
          const t0 = Date.now();
          const observer = side.target.observe(side.deployment, t0);
          const m = await measure(side.url, body, { workers: 1, seconds: SECONDS, keepAlive: false });
          await observer.stop();
          totals[name].add(m, observer.resources().filter((s) => s.t > 0 && s.t <= SECONDS + 0.5), side.components);
        }
      }
      const t = totals['openfaas (template)'];
      const b = totals['openfaas (bare)'];
      const p = totals.p2p;
      const figures = (x: Totals) => ({ latency: `${x.meanMs().toFixed(2)} ms (${x.rps().toFixed(0)} req/s)`, cpu: `${x.cpuMsPerRequest().toFixed(2)} ms: ${x.breakdown()}` });
      return [
        {
          label: 'one OpenFaaS step (client → gateway → provider → of-watchdog → Node), node20 template runtime vs bare, and one p2p hop (client → service), 1 worker, keep-alive off; CPU per request by component (ms), Prometheus and alertmanager included',
          figures: {
            'openfaas (template) mean latency': figures(t).latency,
            'openfaas (bare) mean latency': figures(b).latency,
            'p2p mean latency': figures(p).latency,
            'openfaas (template) CPU per request': figures(t).cpu,
            'openfaas (bare) CPU per request': figures(b).cpu,
            'p2p CPU per request': figures(p).cpu,
            'function CPU, template / bare': (t.componentMsPerRequest('function') / b.componentMsPerRequest('function')).toFixed(2),
            'CPU ratio, openfaas (template) / p2p': (t.cpuMsPerRequest() / p.cpuMsPerRequest()).toFixed(2),
            'CPU ratio, openfaas (bare) / p2p': (b.cpuMsPerRequest() / p.cpuMsPerRequest()).toFixed(2),
            'latency added by the OpenFaaS path (template, bare)': `${(t.meanMs() - p.meanMs()).toFixed(2)} ms, ${(b.meanMs() - p.meanMs()).toFixed(2)} ms`,
          },
          ratio: t.cpuMsPerRequest() / b.cpuMsPerRequest(),
        },
      ];
    } finally {
      for (const f of fogs) await f.dispose();
      for (const plan of plans) await plan.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/** Sums over the rounds of one side: requests, time, latency, CPU-seconds per component. */
class Totals {
  private requests = 0;
  private seconds = 0;
  private latencyMsSum = 0;
  private readonly cpu = new Map<string, number>();

  add(m: Measured, samples: ResourceSample[], component: (s: ResourceSample) => string | null): void {
    const requests = m.rps * SECONDS;
    this.requests += requests;
    this.seconds += SECONDS;
    this.latencyMsSum += m.meanMs * requests;
    // Each sample is the CPU fraction of about one second.
    for (const s of samples) {
      const name = component(s);
      if (name !== null) this.cpu.set(name, (this.cpu.get(name) ?? 0) + s.cpu);
    }
  }

  rps = () => this.requests / this.seconds;
  meanMs = () => this.latencyMsSum / this.requests;
  cpuMsPerRequest = () => ([...this.cpu.values()].reduce((x, y) => x + y, 0) * 1000) / this.requests;
  componentMsPerRequest = (name: string) => ((this.cpu.get(name) ?? 0) * 1000) / this.requests;
  breakdown = () =>
    [...this.cpu]
      .sort(([, x], [, y]) => y - x)
      .map(([name, seconds]) => `${name} ${((seconds * 1000) / this.requests).toFixed(2)}`)
      .join(', ');
}
