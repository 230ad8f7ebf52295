/**
 * The OpenFaaS function adapter and orchestrator, run as real processes. The real gateway and
 * of-watchdog cannot be built here (issue #5 is blocked), so the orchestrator test routes its
 * /function/<name> calls through a small test router that stands in for the gateway's proxy.
 */
import http from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFunctions, type CompiledFunction } from '../../harness/openfaas/compile-functions.ts';
import { createLoopbackTarget } from '../../harness/targets/loopback/loopback-target.ts';
import type { Deployment, Target } from '../../harness/targets/target.ts';
import { deployChain } from '../helpers/deploy-chain.ts';

interface Functions {
  target: Target;
  deployment: Deployment;
  router: http.Server;
  gateway: string;
  dir: string;
  compiled: CompiledFunction[];
}

/** Test router standing in for the gateway's /function/<name> proxy (not OpenFaaS). */
async function startRouter(endpoints: () => ReadonlyMap<string, { host: string; port: number }>): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const name = /^\/function\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '';
    const to = endpoints().get(name);
    if (!to) return void res.writeHead(404).end(`no function ${name}`);
    const up = http.request({ host: to.host, port: to.port, method: req.method, path: '/', headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return server;
}

async function deployFunctions(scenario: string): Promise<Functions> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-of-'));
  let endpoints: ReadonlyMap<string, { host: string; port: number }> = new Map();
  const router = await startRouter(() => endpoints);
  const address = router.address() as { port: number };
  const gateway = `http://127.0.0.1:${address.port}`;
  const compiled = await compileFunctions(scenario, dir, {
    replicas: 1, stepTimeoutMs: 5_000, watchdogTimeoutMs: 10_000, limits: { memory: '128Mi', cpu: '250m' }, imagePrefix: 'fogbench/', gatewayUrl: gateway,
  });
  const target = createLoopbackTarget();
  const deployment = await target.deploy(
    compiled.map((f, index) => ({
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
  endpoints = deployment.endpoints;
  return { target, deployment, router, gateway, dir, compiled };
}

const closeFunctions = async (f: Functions) => {
  await f.deployment.stop();
  await f.target.dispose();
  f.router.close();
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
      expect(dockerfile).toMatch(/FROM ghcr\.io\/openfaas\/of-watchdog:\S+ AS watchdog/);
      expect(dockerfile).toContain('mode="http"');
    }
    expect(f.compiled.at(-1)!.spec.envVars).toMatchObject({ FOGBENCH_STEPS: 'get,filter-temperature,compute-average,display' });
  });

  it('gives byte-for-byte the display output of the p2p chain for the same batch', async () => {
    const batch = await readFile('datasets/sample-batch.json');
    const viaOrchestrator = await fetch(`${f.gateway}/function/orchestrator`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: batch });
    expect(viaOrchestrator.status).toBe(200);
    const chain = await deployChain('scenarios/temperature.ts');
    try {
      const viaP2P = await fetch(chain.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: batch });
      expect(viaP2P.status).toBe(200);
      const a = Buffer.from(await viaOrchestrator.arrayBuffer());
      const b = Buffer.from(await viaP2P.arrayBuffer());
      expect(a.length).toBeGreaterThan(100);
      expect(a.equals(b)).toBe(true);
    } finally {
      await chain.close();
    }
  });

  it('answers a thrown function error with 500, not the template\'s 200', async () => {
    const res = await fetch(`${f.gateway}/function/get`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"not":"an array"}' });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ function: 'get', error: 'request body must be a JSON array of sensor readings' });
  });

  it('makes the orchestrator fail with an error status that names the failed step', async () => {
    const res = await fetch(`${f.gateway}/function/orchestrator`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[{"sensor":1}]' });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ step: 'get', status: 502 });
  });
});
