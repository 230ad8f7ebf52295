/**
 * Deploying the openfaas system's functions through a FAKE gateway (test/openfaas/fake-gateway.ts,
 * a real HTTP server speaking the faas-provider system API). No cluster or OpenFaaS runs here:
 * the kube target's image and cluster hooks are replaced by recorders, and only the deploy
 * logic is checked: fixed scale, placement over workers in chain order, readiness, removal.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFunctions, type CompiledFunction } from '../../../harness/openfaas/compile-functions.ts';
import { GatewayClient } from '../../../harness/openfaas/gateway-client.ts';
import type { KubeTarget } from '../../../harness/targets/kube/kube-target.ts';
import { deployOpenFaaSFunctions } from '../../../harness/targets/kube/openfaas-functions.ts';
import { FakeGateway, PASSWORD } from '../../openfaas/fake-gateway.ts';

describe('openfaas functions deployed through a fake gateway', () => {
  const gateway = new FakeGateway();
  let url: string;
  let dir: string;
  let functions: CompiledFunction[];
  const built: string[] = [];
  beforeAll(async () => {
    url = await gateway.start();
    dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-offn-'));
    functions = await compileFunctions('scenarios/temperature.ts', dir, {
      replicas: 2, stepTimeoutMs: 5_000, watchdogTimeoutMs: 10_000, limits: { memory: '512Mi', cpu: '1' }, imagePrefix: 'fogbench/', gatewayUrl: 'http://gateway.openfaas:8080',
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const target = () =>
    ({
      kind: 'kube',
      async openFaaS() {
        return {
          gateway: new GatewayClient({ url, credentials: { user: 'admin', password: PASSWORD }, namespace: 'openfaas-fn', timeoutMs: 5_000 }),
          gatewayUrl: url,
          workers: ['agent-1', 'agent-2', 'agent-3'],
          core: ['server'],
        };
      },
      async buildImages(units: readonly { name: string }[]) {
        built.push(...units.map((u) => u.name));
        return new Map(units.map((u) => [u.name, `fogbench/temperature-${u.name}:built`]));
      },
    }) as unknown as KubeTarget;

  it('applies every function with fixed scale and built images, spread over the workers, and removes them on stop', async () => {
    const deployment = await deployOpenFaaSFunctions(target(), functions, 10_000);
    expect(built).toEqual(['get', 'filter-temperature', 'compute-average', 'display', 'orchestrator']);
    const deployed = [...gateway.functions.values()];
    expect(deployed.map((f) => f.name)).toEqual(built);
    for (const f of deployed) {
      expect(f.labels).toMatchObject({ 'com.openfaas.scale.min': '2', 'com.openfaas.scale.max': '2' });
      expect(f.image).toMatch(/:built$/);
    }
    expect(Object.fromEntries(deployment.placement)).toEqual({
      get: 'agent-1', 'filter-temperature': 'agent-2', 'compute-average': 'agent-3', display: 'agent-1', orchestrator: 'agent-2',
    });
    expect(deployed.find((f) => f.name === 'get')!.constraints).toEqual(['kubernetes.io/hostname=agent-1']);
    expect(deployment.endpoints.get('gateway')).toEqual({ host: '127.0.0.1', port: Number(new URL(url).port) });
    await deployment.stop();
    expect(gateway.functions.size).toBe(0);
  });
});
