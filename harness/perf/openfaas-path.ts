/**
 * `openfaas-path`: what one step through OpenFaaS costs against one p2p hop, at 1 worker, on
 * the fog target (no quotas, unshaped links, so only the path differs). The same function
 * (the temperature scenario's `get`) runs behind client → gateway → provider → of-watchdog →
 * Node, and behind client → p2p service. CPU per request comes from the per-pod and
 * per-container cgroup samples (gateway, provider, watchdog, Node function; the p2p service),
 * over the measured rounds; latency from the closed-loop client.
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
import { createFogTarget } from '../targets/local/fog-target.ts';
import type { Deployment } from '../targets/target.ts';
import type { Benchmark } from './benchmark.ts';
import { measure, type Measured } from './measure.ts';

const SCENARIO = fileURLToPath(new URL('./one-step-scenario.ts', import.meta.url));
const ROUNDS = 3;
const SECONDS = 8;

interface Side {
  url: string;
  deployment: Deployment;
  /** Pod (and container) samples of the system under test: "unit" or "unit/container". */
  components: (s: ResourceSample) => string | null;
}

export const openfaasPathBenchmark: Benchmark = {
  name: 'openfaas-path',
  description: 'one step through gateway + provider + of-watchdog vs one p2p hop, 1 worker, CPU per request per component (fog, no quotas)',
  async run(log) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-perf-ofpath-'));
    const fog = createFogTarget({ runId: 'perf-openfaas-path', overrides: { noQuotas: true, link: { bandwidthMbit: null, latencyMs: 0 } } });
    const plans: UnitsPlan[] = [];
    try {
      const source = await loadScenarioSource(SCENARIO);
      await fog.prepare();
      const capabilities = { ...fog.capabilities, kind: fog.kind };
      const options = { hopTimeoutMs: 10_000, chainBudgetMs: 19_000, config: {}, replicas: 1 };
      const of = (await openfaasSystem.plan(source, { ...options, buildDir: path.join(dir, 'openfaas') }, capabilities)) as UnitsPlan;
      const p2p = await p2pSystem.plan(source, { ...options, buildDir: path.join(dir, 'p2p') });
      plans.push(of, p2p);
      log('deploying the one-step scenario as OpenFaaS (gateway, provider, watchdog) and as p2p on fog');
      const ofDeployment = await fog.deploy(of.units, { readyTimeoutMs: 60_000, onLine: () => {}, ...(of.onEndpoints ? { onEndpoints: of.onEndpoints } : {}) });
      const p2pDeployment = await fog.deploy(p2p.units, { readyTimeoutMs: 30_000, onLine: () => {} });
      const at = (d: Deployment, unit: string, suffix: string) => {
        const e = d.endpoints.get(unit)!;
        return `http://${e.host}:${e.port}${suffix}`;
      };
      const sides: Record<'openfaas' | 'p2p', Side> = {
        openfaas: {
          url: at(ofDeployment, 'gateway', '/function/get'),
          deployment: ofDeployment,
          components: (s) => (s.unit === 'gateway' && s.container ? s.container : s.unit === 'get-0' && s.container ? s.container : null),
        },
        p2p: { url: at(p2pDeployment, 'get', '/'), deployment: p2pDeployment, components: (s) => (s.unit === 'get' && !s.container ? 'service' : null) },
      };
      const body = (await openDataset(DEFAULT_DATASET, { batchSize: DEFAULT_BATCH_SIZE })).source.next().toString('utf8');
      log(`warm-up, then ${ROUNDS} alternating rounds of ${SECONDS} s, 1 worker, keep-alive off`);
      for (const side of Object.values(sides)) await measure(side.url, body, { workers: 1, seconds: 2, keepAlive: false });
      const totals = { openfaas: new Totals(), p2p: new Totals() };
      for (let round = 0; round < ROUNDS; round++) {
        for (const name of ['openfaas', 'p2p'] as const) {
          const side = sides[name];
          const t0 = Date.now();
          const observer = fog.observe(side.deployment, t0);
          const m = await measure(side.url, body, { workers: 1, seconds: SECONDS, keepAlive: false });
          await observer.stop();
          totals[name].add(m, observer.resources().filter((s) => s.t > 0 && s.t <= SECONDS + 0.5), side.components);
        }
      }
      const a = totals.openfaas;
      const b = totals.p2p;
      return [
        {
          label: 'one OpenFaaS step (client → gateway → provider → of-watchdog → Node) vs one p2p hop (client → service), 1 worker, keep-alive off',
          figures: {
            'openfaas mean latency': `${a.meanMs().toFixed(2)} ms (${a.rps().toFixed(0)} req/s)`,
            'p2p mean latency': `${b.meanMs().toFixed(2)} ms (${b.rps().toFixed(0)} req/s)`,
            'openfaas CPU per request': `${a.cpuMsPerRequest().toFixed(2)} ms: ${a.breakdown()}`,
            'p2p CPU per request': `${b.cpuMsPerRequest().toFixed(2)} ms: ${b.breakdown()}`,
            'CPU ratio (openfaas / p2p)': (a.cpuMsPerRequest() / b.cpuMsPerRequest()).toFixed(2),
            'latency added by the OpenFaaS path': `${(a.meanMs() - b.meanMs()).toFixed(2)} ms`,
          },
          ratio: a.meanMs() / b.meanMs(),
        },
      ];
    } finally {
      await fog.dispose();
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
  breakdown = () =>
    [...this.cpu]
      .sort(([, x], [, y]) => y - x)
      .map(([name, seconds]) => `${name} ${((seconds * 1000) / this.requests).toFixed(2)}`)
      .join(', ');
}
