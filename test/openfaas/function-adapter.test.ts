/**
 * The OpenFaaS function adapter, run as real processes without a gateway: the compiled specs
 * and Dockerfiles, and a function process called directly (as of-watchdog calls its upstream).
 * Through the real gateway, provider and of-watchdog: test/openfaas/fog-openfaas.test.ts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioSource } from '../../harness/dataflow/compile.ts';
import { compileFunctions, type CompiledFunction } from '../../harness/openfaas/compile-functions.ts';
import { createLoopbackTarget } from '../../harness/targets/loopback/loopback-target.ts';
import type { Deployment, Target } from '../../harness/targets/target.ts';

interface Functions {
  target: Target;
  deployment: Deployment;
  dir: string;
  compiled: CompiledFunction[];
  url: (name: string) => string;
}

async function deployFunctions(scenario: string): Promise<Functions> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-of-'));
  const compiled = await compileFunctions(await loadScenarioSource(scenario), dir, {
    replicas: 1, stepTimeoutMs: 5_000, watchdogTimeoutMs: 10_000, limits: { memory: '128Mi', cpu: '250m' }, imagePrefix: 'fogbench/', gatewayUrl: 'http://127.0.0.1:1',
  });
  const target = createLoopbackTarget();
  const functions = compiled.filter((f) => f.name !== 'orchestrator');
  const deployment = await target.deploy(
    functions.map((f, index) => ({
      name: f.name,
      placement: { role: 'worker' as const, index },
      artifactDir: f.artifactDir,
      command: process.execPath,
      args: [f.bundle],
      port: 3000,
      healthPath: '/_/health',
      env: (eps) => ({ ...f.spec.envVars, FOGBENCH_UPSTREAM_PORT: String(eps.get(f.name)!.port) }),
    })),
    { readyTimeoutMs: 20_000, onLine: () => {} },
  );
  const url = (name: string) => {
    const e = deployment.endpoints.get(name)!;
    return `http://${e.host}:${e.port}/`;
  };
  return { target, deployment, dir, compiled, url };
}

const closeFunctions = async (f: Functions) => {
  await f.deployment.stop();
  await f.target.dispose();
  await rm(f.dir, { recursive: true, force: true });
};

describe('OpenFaaS functions compiled from the temperature scenario', () => {
  let f: Functions;
  beforeAll(async () => {
    f = await deployFunctions('scenarios/temperature.ts');
  });
  afterAll(async () => f && closeFunctions(f));

  it('emits a fixed-scale function spec and an of-watchdog Dockerfile per function, plus the orchestrator', async () => {
    expect(f.compiled.map((c) => c.name)).toEqual(['get', 'filter-temperature', 'compute-average', 'display', 'orchestrator']);
    for (const c of f.compiled) {
      expect(c.spec.labels).toMatchObject({ 'com.openfaas.scale.min': '1', 'com.openfaas.scale.max': '1' });
      expect(c.spec.image).toMatch(/^fogbench\/temperature-[a-z-]+:[0-9a-f]{12}$/);
      const dockerfile = await readFile(c.dockerfile, 'utf8');
      expect(dockerfile).toMatch(/FROM ghcr\.io\/openfaas\/of-watchdog:0\.11\.6 AS watchdog/);
      // The official Node template's timeouts: exec 10 s, read and write 15 s.
      expect(dockerfile).toContain('exec_timeout="10s" read_timeout="15s" write_timeout="15s"');
      expect(dockerfile).toContain('mode="http"');
    }
    expect(f.compiled.at(-1)!.spec.envVars).toMatchObject({ FOGBENCH_STEPS: 'get,filter-temperature,compute-average,display' });
  });

  it('answers a thrown function error with 500, not the template\'s 200', async () => {
    const res = await fetch(f.url('get'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"not":"an array"}' });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ function: 'get', error: 'request body must be a JSON array of sensor readings' });
  });
});
