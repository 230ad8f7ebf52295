/**
 * One end-to-end deadline for both systems (--deadline): p2p's chain budget and the OpenFaaS
 * watchdogs' exec_timeout come from the same setting, so a request slower than it fails in both
 * systems, at about the deadline, and one faster succeeds in both. Run for real on fog, with
 * the relay scenario's third step sleeping on request.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioSource } from '../../harness/dataflow/compile.ts';
import { openfaasSystem } from '../../harness/openfaas/system.ts';
import { p2pSystem } from '../../harness/systems/p2p.ts';
import type { UnitsPlan } from '../../harness/systems/system.ts';
import { deployOpenFaaSOnFog, type FogOpenFaaS } from '../helpers/openfaas-fog.ts';
import { skipReasonPrinted } from '../targets/local/fog-host.ts';

const DEADLINE_MS = 2_000;
const skip = skipReasonPrinted();

describe('the deadline both systems share', () => {
  it('is the p2p chain budget and every watchdog exec_timeout, and both systems report it alike', async () => {
    const source = await loadScenarioSource('test/fixtures/scenarios/relay.ts');
    const buildDir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-deadline-'));
    const options = { hopTimeoutMs: 5_000, deadlineMs: 7_500, config: {}, replicas: 1, buildDir };
    const fog = { podNetwork: true, probes: true, kind: 'fog' };
    const p2p = await p2pSystem.plan(source, options);
    const openfaas = (await openfaasSystem.plan(source, options, fog)) as UnitsPlan;
    try {
      expect(p2p.timeouts.deadlineMs).toBe(7_500);
      expect(openfaas.timeouts.deadlineMs).toBe(7_500);
      const endpoints = new Map([...p2p.units, ...openfaas.units].map((u, i) => [u.name, { host: `198.18.0.${i + 10}`, port: u.port }]));
      for (const unit of p2p.units) expect(unit.env(endpoints).FOGBENCH_CHAIN_BUDGET_MS).toBe('7500');
      for (const unit of openfaas.units.filter((u) => u.command.endsWith('of-watchdog'))) expect(unit.env(endpoints).exec_timeout, unit.name).toBe('7.5s');
    } finally {
      await openfaas.dispose();
      await rm(buildDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(skip)('a request against the shared deadline, on fog', () => {
  let f: FogOpenFaaS;
  beforeAll(async () => {
    f = await deployOpenFaaSOnFog('test/fixtures/scenarios/relay.ts', { withP2P: true, deadlineMs: DEADLINE_MS, runId: 'test-deadline' });
  }, 240_000);
  afterAll(async () => f?.close());

  const call = async (url: string, sleepMs: number) => {
    const started = performance.now();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ slow: 'third', sleepMs, visited: [] }) });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - started };
  };

  it('fails in both systems at about the deadline when a step takes longer', async () => {
    const [p2p, openfaas] = [await call(f.p2p!.url, DEADLINE_MS + 1_500), await call(f.url, DEADLINE_MS + 1_500)];
    console.log(`over the deadline: p2p ${p2p.status} after ${p2p.ms.toFixed(0)} ms, openfaas ${openfaas.status} after ${openfaas.ms.toFixed(0)} ms`);
    for (const answer of [p2p, openfaas]) {
      expect(answer.status).toBeGreaterThanOrEqual(500);
      expect(answer.ms).toBeGreaterThan(DEADLINE_MS - 100);
      expect(answer.ms).toBeLessThan(DEADLINE_MS + 1_000);
    }
  }, 30_000);

  it('succeeds in both systems when the chain fits in it', async () => {
    const [p2p, openfaas] = [await call(f.p2p!.url, DEADLINE_MS - 1_000), await call(f.url, DEADLINE_MS - 1_000)];
    expect([p2p.status, openfaas.status]).toEqual([200, 200]);
  }, 30_000);
});
