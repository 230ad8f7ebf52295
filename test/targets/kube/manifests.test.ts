/**
 * Rendered manifests: valid for kubernetes-models, free of fields Kubernetes does not know
 * (client-node's OpenAPI type maps), placed as the benchmark needs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Deployment as DeploymentModel } from 'kubernetes-models/apps/v1/Deployment';
import { Namespace as NamespaceModel } from 'kubernetes-models/v1/Namespace';
import { Pod as PodModel } from 'kubernetes-models/v1/Pod';
import { Service as ServiceModel } from 'kubernetes-models/v1/Service';
import { parseClusterConfig } from '../../../clusters/config.ts';
import { clockProbePod } from '../../../harness/targets/kube/clock.ts';
import { deploymentManifest, kubeName, namespaceManifest, serviceDnsName, serviceManifest } from '../../../harness/targets/kube/manifests.ts';
import type { ClusterNode } from '../../../harness/targets/kube/nodes.ts';
import { placeUnits } from '../../../harness/targets/kube/placement.ts';
import { modelTypeFor, unknownFields } from '../../../harness/targets/kube/strict-fields.ts';
import type { UnitSpec } from '../../../harness/targets/target.ts';

const config = parseClusterConfig(readFileSync(new URL('../../../clusters/sizes.yaml', import.meta.url), 'utf8'));

const unit = (name: string, index: number, role: 'worker' | 'core' = 'worker'): UnitSpec => ({
  name,
  placement: role === 'worker' ? { role, index } : { role },
  artifactDir: '/nowhere',
  command: 'node',
  args: ['service.mjs'],
  port: 8080,
  healthPath: '/healthz',
  env: () => ({ FOGBENCH_SERVICE: name, FOGBENCH_NODE: 'ignored', PORT: '1' }),
  memoryLimitBytes: 256 * 2 ** 20,
});

const node = (name: string, role: 'core' | 'worker'): ClusterNode => ({ name, role, ready: true, address: null, cpus: 1, memoryBytes: 2 ** 31, kubeletVersion: 'v1.30', osImage: 'Ubuntu' });

function render(u: UnitSpec) {
  return deploymentManifest({
    unit: u,
    namespace: 'fogbench',
    image: 'fogbench/x:0123456789ab',
    placement: { role: 'worker', node: 'lab-agent-1', neighbours: ['display'] },
    resources: config.units,
    serviceEndpoints: new Map([[u.name, { host: serviceDnsName(kubeName(u.name), 'fogbench'), port: 8080 }]]),
    runId: 'r1',
  });
}

describe('rendered manifests', () => {
  it('pass kubernetes-models validation and the unknown-field check', () => {
    const manifests = [render(unit('computeAverage', 2)), serviceManifest(unit('computeAverage', 2), 'fogbench', 'r1'), namespaceManifest('fogbench'), clockProbePod('lab-agent-1', 'fogbench', 'fogbench/x:0123456789ab')];
    new DeploymentModel(manifests[0] as never).validate();
    new ServiceModel(manifests[1] as never).validate();
    new NamespaceModel(manifests[2] as never).validate();
    new PodModel(manifests[3] as never).validate();
    for (const m of manifests) expect(unknownFields(m, modelTypeFor(m as { apiVersion: string; kind: string }))).toEqual([]);
  });

  it('the unknown-field check catches typos that kubernetes-models lets through', () => {
    const manifest = render(unit('get', 0)) as unknown as { spec: { template: { spec: { containers: Record<string, unknown>[] } } }; metadata: Record<string, unknown> };
    manifest.spec.template.spec.containers[0]!.imagePullPolicey = 'Always';
    manifest.metadata.lables = { a: 'b' };
    new DeploymentModel(manifest as never).validate(); // accepted: the model ignores unknown keys
    expect(unknownFields(manifest, 'V1Deployment')).toEqual(['.metadata.lables', '.spec.template.spec.containers[0].imagePullPolicey']);
  });

  it('kubernetes-models catches wrong types', () => {
    const manifest = render(unit('get', 0)) as unknown as { spec: { replicas: unknown } };
    manifest.spec.replicas = 'one';
    expect(() => new DeploymentModel(manifest as never).validate()).toThrow(/replicas/);
  });

  it('pins the unit, limits its memory, reports the real node and listens on all interfaces', () => {
    const d = render(unit('computeAverage', 2));
    expect(d.metadata?.name).toBe('compute-average');
    const pod = d.spec!.template.spec!;
    expect(pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]).toEqual({
      matchExpressions: [{ key: 'fogbench.io/role', operator: 'In', values: ['worker'] }],
      matchFields: [{ key: 'metadata.name', operator: 'In', values: ['lab-agent-1'] }],
    });
    expect(pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0]?.podAffinityTerm.labelSelector?.matchExpressions?.[0]?.values).toEqual(['display']);
    const c = pod.containers[0]!;
    expect(c.resources?.limits?.memory).toBe(String(256 * 2 ** 20));
    expect(c.resources?.requests).toEqual({ cpu: '250m', memory: String(128 * 2 ** 20) });
    expect(c.env?.find((e) => e.name === 'PORT')?.value).toBe('8080');
    expect(c.env?.find((e) => e.name === 'FOGBENCH_HOST')?.value).toBe('0.0.0.0');
    expect(c.env?.filter((e) => e.name === 'FOGBENCH_NODE')).toEqual([{ name: 'FOGBENCH_NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }]);
    expect(serviceManifest(unit('computeAverage', 2), 'fogbench', 'r1').spec?.externalTrafficPolicy).toBe('Local');
  });

  it('kubeName turns scenario names into DNS labels', () => {
    expect(kubeName('filterTemperature')).toBe('filter-temperature');
    expect(kubeName('get')).toBe('get');
    expect(() => kubeName('9lives')).toThrow(/cannot be a Kubernetes name/);
  });
});

describe('placement', () => {
  const units = ['get', 'filterTemperature', 'computeAverage', 'display'].map((n, i) => unit(n, i));

  it('puts successive worker units on different workers and gateway-like units on the core', () => {
    const nodes = [node('lab-server', 'core'), node('lab-agent-2', 'worker'), node('lab-agent-10', 'worker'), node('lab-agent-1', 'worker')];
    const placed = placeUnits([...units, unit('orchestrator', 0, 'core')], nodes);
    expect(units.map((u) => placed.get(u.name)!.node)).toEqual(['lab-agent-1', 'lab-agent-2', 'lab-agent-10', 'lab-agent-1']);
    expect(placed.get('filterTemperature')!.neighbours).toEqual(['get', 'compute-average']);
    expect(placed.get('orchestrator')).toEqual({ role: 'core', node: null, neighbours: [] });
  });

  it('leaves scheduling free on a cluster without fogbench roles and workers', () => {
    const placed = placeUnits(units, [node('kind-control-plane', 'core')]);
    expect(placed.get('get')).toEqual({ role: null, node: null, neighbours: [] });
  });
});
