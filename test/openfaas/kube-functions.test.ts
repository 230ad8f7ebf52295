/**
 * The openfaas system's functions deployed through the kube target's function platform, on a
 * REAL control plane (test/targets/kube/control-plane.ts) with kwok nodes labelled and tainted
 * as `cluster up` makes them. The gateway is FAKE (fake-gateway.ts) but turns each function
 * into a real Deployment shaped as OpenFaaS CE shapes it (no nodeSelector: CE drops
 * constraints), so the real scheduler decides where replicas run and fogbench must read it
 * back. The chart's objects (CRD, gateway Deployment, NodePort Service, basic-auth secret)
 * are real objects; no image is built or run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ApiextensionsV1Api, AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClusterConfig, type ClusterConfig } from '../../clusters/config.ts';
import { CORE_TOLERATION, registryObjects } from '../../clusters/registry.ts';
import { loadScenarioSource } from '../../harness/dataflow/compile.ts';
import { FogbenchError } from '../../harness/errors.ts';
import { compileFunctions, type CompiledFunction } from '../../harness/openfaas/compile-functions.ts';
import { withFixedScale } from '../../harness/openfaas/gateway-client.ts';
import { checkOpenFaaSInstalled } from '../../harness/openfaas/helm.ts';
import { communityEditionRefusal } from '../../harness/openfaas/kube-functions.ts';
import { serverSideApply } from '../../harness/targets/kube/apply.ts';
import type { ImageDestination, ImageJob } from '../../harness/targets/kube/images.ts';
import { createKubeTarget, type KubeTarget } from '../../harness/targets/kube/kube-target.ts';
import { controlPlaneUnavailable, startControlPlane, type ControlPlane } from '../targets/kube/control-plane.ts';
import { FakeGateway, PASSWORD } from './fake-gateway.ts';

describe('OpenFaaS CE caps (faas-netes MaxReplicas 5, MaxFunctions 15)', () => {
  it('refuses up front, in one line', () => {
    const five = ['get', 'filter-temperature', 'compute-average', 'display', 'orchestrator'];
    expect(communityEditionRefusal({ functions: five, replicas: 5 })).toBeNull();
    expect(communityEditionRefusal({ functions: five, replicas: 6 })).toBe('OpenFaaS CE runs at most 5 replicas per function (faas-netes MaxReplicas); --replicas 6 cannot run on the kube target');
    const others = Array.from({ length: 11 }, (_, i) => ({ name: `other-${i}` }));
    expect(communityEditionRefusal({ functions: five, replicas: 1 }, [...others.slice(0, 10), { name: 'get' }])).toBeNull();
    expect(communityEditionRefusal({ functions: five, replicas: 1 }, others)).toMatch(
      /^OpenFaaS CE allows at most 15 functions \(faas-netes MaxFunctions\): this run needs 5 and openfaas-fn already holds 11 others \(other-0, other-1, other-2, other-3, other-4, \.\.\.\); remove them with `kubectl -n openfaas-fn delete deploy,svc --all`$/,
    );
  });
});

const unavailable = controlPlaneUnavailable();
if (unavailable) console.warn(`skipping the real-control-plane tests: ${unavailable}`);

/** A free port in the NodePort range, for the fake gateway to sit where the chart's NodePort points. */
async function freeNodePort(): Promise<number> {
  for (;;) {
    const port = 30000 + Math.floor(Math.random() * 2767);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

describe.skipIf(unavailable !== null)('openfaas functions through the kube target\'s function platform (real control plane, fake gateway)', () => {
  let cp: ControlPlane;
  let kc: KubeConfig;
  let dir: string;
  let gateway: FakeGateway;
  let functions: CompiledFunction[];
  let config: ClusterConfig;
  const images: { jobs: ImageJob[]; destination: ImageDestination }[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-offn-'));
    config = await loadClusterConfig();
    functions = await compileFunctions(await loadScenarioSource('scenarios/temperature.ts'), dir, {
      replicas: 1, stepTimeoutMs: 5_000, watchdogTimeoutMs: 10_000, limits: { memory: '512Mi', cpu: '1' }, imagePrefix: 'fogbench/', gatewayUrl: 'http://gateway.openfaas:8080',
    });
    cp = await startControlPlane();
    kc = cp.kubeConfig();
    await cp.addNodes([
      { name: 'c1-server', role: 'core', cpu: '2', memory: '3927156Ki', tainted: true },
      { name: 'c1-agent-1', role: 'worker' },
      { name: 'c1-agent-2', role: 'worker' },
      { name: 'c1-agent-3', role: 'worker' },
    ]);
    for (const object of registryObjects('192.168.56.10:5000')) await serverSideApply(kc, object as never);
    // What the chart leaves on a cluster, as objects.
    const core = kc.makeApiClient(CoreV1Api);
    for (const name of ['openfaas', 'openfaas-fn']) await core.createNamespace({ body: { metadata: { name } } });
    await kc.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({
      body: {
        metadata: { name: 'profiles.openfaas.com' },
        spec: { group: 'openfaas.com', scope: 'Namespaced', names: { plural: 'profiles', singular: 'profile', kind: 'Profile' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } }] },
      },
    });
    await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace: 'openfaas',
      body: {
        metadata: { name: 'gateway' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'gateway' } },
          template: { metadata: { labels: { app: 'gateway' } }, spec: { nodeSelector: { 'fogbench.io/role': 'core' }, tolerations: [{ ...CORE_TOLERATION }], containers: [{ name: 'gateway', image: 'ghcr.io/openfaas/gateway:0.27.13', resources: { requests: { cpu: '100m', memory: '120Mi' } } }] } },
        },
      },
    });
    const nodePort = await freeNodePort();
    await core.createNamespacedService({ namespace: 'openfaas', body: { metadata: { name: 'gateway-external' }, spec: { type: 'NodePort', selector: { app: 'gateway' }, ports: [{ port: 8080, targetPort: 8080, nodePort }] } } });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    await core.createNamespacedSecret({ namespace: 'openfaas', body: { metadata: { name: 'basic-auth' }, data: { 'basic-auth-user': b64('admin'), 'basic-auth-password': b64(PASSWORD) } } });
    gateway = new FakeGateway(kc);
    await gateway.start(nodePort);
    // The chart's gateway pod is Ready (kwok) before anything asks for OpenFaaS.
    const deadline = Date.now() + 60_000;
    while (!(await checkOpenFaaSInstalled(kc).then(() => true, () => false))) {
      if (Date.now() > deadline) throw new Error('the gateway Deployment never became ready');
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 180_000);

  afterAll(async () => {
    await gateway?.stop();
    await cp?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const kubeTarget = async (): Promise<KubeTarget> => {
    const file = path.join(dir, 'kubeconfig.yaml');
    await (await import('node:fs/promises')).writeFile(file, cp.kubeconfig());
    const t = createKubeTarget({ kubeconfig: file, clusterConfig: config, clockSamples: 0 }, {
      provideImages: async (jobs, destination) => {
        images.push({ jobs: [...jobs], destination });
        return 'recorded by the test (no build)';
      },
    });
    await t.prepare();
    return t;
  };

  it('deploys every function with the same requests/limits as a p2p unit, no constraints, and records where the scheduler put each replica', { timeout: 120_000 }, async () => {
    const target = await kubeTarget();
    const core = kc.makeApiClient(CoreV1Api);
    // Something already runs on c1-agent-1, so the scheduler prefers the other agents: where a
    // function runs is its choice, not the order fogbench would have asked for.
    await core.createNamespace({ body: { metadata: { name: 'busy' } } });
    await core.createNamespacedPod({ namespace: 'busy', body: { metadata: { name: 'busy' }, spec: { nodeName: 'c1-agent-1', containers: [{ name: 'c', image: 'x:1', resources: { requests: { cpu: '600m' } } }] } } });
    try {
      const deployment = await target.capabilities.functions!.deployFunctions(functions, { readyTimeoutMs: 60_000 });
      // Images went to the cluster's own registry.
      expect(images.at(-1)!.destination).toEqual({ registry: '192.168.56.10:5000', kind: 'cluster' });
      const posted = gateway.seen.filter((s) => s.method === 'POST' && s.path === '/system/functions').map((s) => s.body as Record<string, unknown>);
      expect(posted.map((p) => p.service)).toEqual(['get', 'filter-temperature', 'compute-average', 'display', 'orchestrator']);
      for (const spec of posted) {
        expect(spec.constraints).toBeUndefined();
        // The same per-replica sizes as a p2p unit (clusters/sizes.yaml units), not the compiled 1 CPU.
        expect(spec.requests).toEqual({ cpu: config.units.cpuRequest, memory: `${config.units.memoryRequestMiB}Mi` });
        expect(spec.limits).toEqual({ cpu: config.units.cpuLimit, memory: `${config.units.memoryLimitMiB}Mi` });
        expect(spec.image).toMatch(/^192\.168\.56\.10:5000\/fogbench-[a-z-]+:[0-9a-f]{12}$/);
      }
      // Placement is what the real scheduler chose, read from the pods: agents only (the server is tainted).
      const pods = (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'openfaas-fn' })).items;
      expect(pods).toHaveLength(5);
      for (const pod of pods) {
        const name = pod.metadata!.labels!.faas_function!;
        expect(deployment.placement.get(name)).toBe(pod.spec!.nodeName);
        expect(pod.spec!.nodeName).toMatch(/^c1-agent-[123]$/);
      }
      // 400m left on c1-agent-1 (one replica at most), 1000m on the others.
      expect(pods.filter((p) => p.spec!.nodeName === 'c1-agent-1').length).toBeLessThanOrEqual(1);
      expect(Object.keys((target.describe().details.observedPlacement as { functions: Record<string, string[]> }).functions).sort()).toEqual(['compute-average', 'display', 'filter-temperature', 'get', 'orchestrator']);
      expect(deployment.endpoints.get('gateway')).toEqual({ host: '127.0.0.1', port: gateway && Number((await target.openFaaS()).gatewayUrl.split(':').pop()) });
      await deployment.stop();
      expect((await kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: 'openfaas-fn' })).items).toEqual([]);
      // The garbage collector removes their pods (and frees the agents for the next test).
      const deadline = Date.now() + 60_000;
      while ((await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'openfaas-fn' })).items.length > 0) {
        if (Date.now() > deadline) throw new Error('function pods were not deleted');
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await core.deleteNamespacedPod({ namespace: 'busy', name: 'busy', gracePeriodSeconds: 0 });
      await core.deleteNamespace({ name: 'busy' });
      await target.dispose();
    }
  });

  it('refuses CE\'s caps and plans that do not fit before anything reaches the gateway', { timeout: 60_000 }, async () => {
    const target = await kubeTarget();
    try {
      const posts = () => gateway.seen.filter((s) => s.method === 'POST').length;
      const before = posts();
      const withReplicas = (n: number) => functions.map((f) => ({ ...f, spec: withFixedScale(f.spec, n) }));
      expect(target.capabilities.functions!.refuses!({ functions: functions.map((f) => f.name), replicas: 6 })).toMatch(/at most 5 replicas per function/);
      const six = await target.capabilities.functions!.deployFunctions(withReplicas(6), { readyTimeoutMs: 10_000 }).then(() => undefined, (e: unknown) => e as FogbenchError);
      expect(six).toBeInstanceOf(FogbenchError);
      expect(six!.code).toBe('usage');
      expect(six!.message).toBe('OpenFaaS CE runs at most 5 replicas per function (faas-netes MaxReplicas); --replicas 6 cannot run on the kube target');
      // 5 functions × 5 replicas × 250m = 6.25 CPU on three 1-vCPU agents.
      const five = await target.capabilities.functions!.deployFunctions(withReplicas(5), { readyTimeoutMs: 10_000 }).then(() => undefined, (e: unknown) => e as FogbenchError);
      expect(five!.code).toBe('deploy');
      expect(five!.message).toMatch(/^the plan does not fit the cluster: OpenFaaS function replica 13 of 25 requests 250m CPU and 128 MiB, but c1-agent-1 has 0m of 1000m CPU .*c1-agent-3 has 0m of 1000m CPU/);
      expect(five!.message).not.toContain('c1-server');
      expect(posts()).toBe(before);
    } finally {
      await target.dispose();
    }
  });
});
