/**
 * Every object a local cluster applies — the add-ons (CoreDNS, metrics-server, RBAC, the
 * registry's ConfigMap) and OpenFaaS laid out as the chart lays it out — applied to a REAL API
 * server with strict field validation (test/targets/kube/control-plane.ts): a misspelt field or
 * a wrong kind fails here, not on a user's cluster. Then fogbench's own checks read the layout
 * back as the kube target does.
 */
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonObjects, COREFILE } from '../../../clusters/local-cluster/addons.ts';
import { openfaasObjects } from '../../../clusters/local-cluster/openfaas-layout.ts';
import { planLocalCluster } from '../../../clusters/local-cluster/plan.ts';
import { CORE_TAINT } from '../../../clusters/registry.ts';
import { checkOpenFaaSInstalled, readGatewayCredentials } from '../../../harness/openfaas/helm.ts';
import { GATEWAY } from '../../../harness/openfaas/settings.ts';
import { serverSideApply } from '../../../harness/targets/kube/apply.ts';
import { parseTopology } from '../../../harness/targets/local/topology.ts';
import { controlPlaneUnavailable, startControlPlane, type ControlPlane } from '../../targets/kube/control-plane.ts';

const TOPOLOGY = `
nodes:
  - { name: client, role: client, cpus: 0.5, memoryMiB: 512 }
  - { name: core, role: core, cpus: 0.6, memoryMiB: 1229 }
  - { name: worker-1, role: worker, cpus: 0.3, memoryMiB: 614 }
`;
const plan = planLocalCluster({ cluster: 'lab', topology: parseTopology(TOPOLOGY, 'fog.yaml', 2), fogBlock: 2, podBlock: 3 });
const images = { gateway: 'r:5000/g:1', provider: 'r:5000/p:1', prometheus: 'r:5000/prom:1', alertmanager: 'r:5000/am:1' };

describe('local cluster objects (pure)', () => {
  it('runs the add-ons and OpenFaaS core on the core node, tolerating its taint', () => {
    const deployments = [...addonObjects(plan, { coredns: 'c', metricsServer: 'm' }, 'note'), ...openfaasObjects({ images, password: 'x', provenance: {} })].filter((o) => o.kind === 'Deployment') as {
      metadata: { name: string };
      spec: { template: { spec: { nodeSelector?: Record<string, string>; tolerations?: { key: string }[] } } };
    }[];
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['alertmanager', 'coredns', 'gateway', 'metrics-server', 'prometheus']);
    for (const d of deployments) {
      expect(d.spec.template.spec.nodeSelector).toEqual({ 'fogbench.io/role': 'core' });
      expect(d.spec.template.spec.tolerations?.map((t) => t.key)).toEqual([CORE_TAINT.key]);
    }
    // No upstream resolver: names outside the cluster get no answer.
    expect(COREFILE).not.toMatch(/forward|proxy/);
    const dns = addonObjects(plan, { coredns: 'c', metricsServer: 'm' }, 'note').find((o) => o.kind === 'Service' && o.metadata?.name === 'kube-dns') as { spec?: { clusterIP?: string } };
    expect(dns.spec?.clusterIP).toBe(plan.dnsServiceIp);
  });

  it('puts fogbench provider in Kubernetes mode where the chart puts faas-netes, and says so', () => {
    const objects = openfaasObjects({ images, password: 'x', provenance: { gateway: 'pinned' } });
    const gateway = objects.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'gateway') as unknown as { spec: { template: { spec: { containers: { name: string; env: { name: string; value: string }[] }[] } } } };
    const [gw, provider] = gateway.spec.template.spec.containers;
    expect(gw!.env.find((e) => e.name === 'functions_provider_url')?.value).toBe('http://127.0.0.1:8081/');
    expect(provider!.env.find((e) => e.name === 'FOGBENCH_PROVIDER_KUBERNETES')?.value).toBe('true');
    expect(objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'fogbench-openfaas-layout')).toMatchObject({ data: { provider: 'fogbench-kube-provider', gateway: 'pinned' } });
  });
});

const unavailable = controlPlaneUnavailable();
if (unavailable) console.warn(`skipping the real-control-plane tests: ${unavailable}`);

describe.skipIf(unavailable !== null)('local cluster objects on a real API server', () => {
  let cp: ControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  }, 180_000);
  afterAll(async () => cp?.stop());

  it('are accepted with strict validation, and the kube target recognises the layout', async () => {
    const kc = cp.kubeConfig();
    for (const object of [...addonObjects(plan, { coredns: 'c', metricsServer: 'm' }, 'note'), ...openfaasObjects({ images, password: 'secret-1', provenance: { gateway: 'pinned' } })]) {
      // The test API server has a Service range of its own; the plan's address is checked above.
      const spec = (object as { spec?: { clusterIP?: string } }).spec;
      if (object.kind === 'Service' && spec?.clusterIP) delete spec.clusterIP;
      await serverSideApply(kc, object);
    }
    expect(await kc.makeApiClient(CoreV1Api).readNamespacedService({ name: 'kube-dns', namespace: 'kube-system' })).toBeTruthy();
    const external = await kc.makeApiClient(CoreV1Api).readNamespacedService({ name: 'gateway-external', namespace: 'openfaas' });
    expect(external.spec?.ports?.[0]?.nodePort).toBe(31112);
    expect(await readGatewayCredentials(kc)).toEqual({ user: 'admin', password: 'secret-1' });
    // No chart CRD, but the layout's ConfigMap: only the gateway's readiness is left to check.
    await expect(checkOpenFaaSInstalled(kc)).rejects.toThrow(/no ready replica/);
    const gateway = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'gateway', namespace: 'openfaas' });
    expect(gateway.spec?.template.metadata?.annotations?.['prometheus.io/port']).toBe(String(GATEWAY.metricsPort));
  }, 60_000);
});
