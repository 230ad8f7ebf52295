/**
 * Rendered manifests: valid for kubernetes-models, placed and sized as the benchmark needs,
 * runnable in their image. Unknown fields are refused by the real API server (strict field
 * validation), in kube-target.test.ts.
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
import type { UnitSpec } from '../../../harness/targets/target.ts';

const config = parseClusterConfig(readFileSync(new URL('../../../clusters/sizes.yaml', import.meta.url), 'utf8'));

const unit = (name: string, index: number, role: 'worker' | 'core' = 'worker'): UnitSpec => ({
  name,
  placement: role === 'worker' ? { role, index } : { role },
  artifactDir: '/nowhere',
  // What the p2p system passes: a path to node on THIS machine.
  command: process.execPath,
  args: ['service.mjs'],
  port: 8080,
  healthPath: '/healthz',
  env: () => ({ FOGBENCH_SERVICE: name, FOGBENCH_NODE: 'ignored', PORT: '1' }),
  memoryLimitBytes: 256 * 2 ** 20,
});

const node = (name: string, role: 'core' | 'worker'): ClusterNode => ({
  name, role, ready: true, address: null, cpus: 1, memoryBytes: 2 ** 31, allocatableCpus: 1, allocatableMemoryBytes: 2 ** 31, openToAnyPod: role === 'worker', kubeletVersion: 'v1.30', osImage: 'Ubuntu',
});

function renderInput(u: UnitSpec) {
  return {
    unit: u,
    namespace: 'fogbench',
    image: '192.168.56.10:5000/fogbench-x:0123456789ab',
    placement: { role: 'worker' as const, node: 'lab-agent-1', neighbours: ['display'] },
    resources: config.units,
    serviceEndpoints: new Map([[u.name, { host: serviceDnsName(kubeName(u.name), 'fogbench'), port: 8080 }]]),
    runId: 'r1',
  };
}

function render(u: UnitSpec) {
  return deploymentManifest(renderInput(u));
}

describe('rendered manifests', () => {
  it('pass kubernetes-models validation', () => {
    const manifests = [render(unit('computeAverage', 2)), serviceManifest(unit('computeAverage', 2), 'fogbench', 'r1'), namespaceManifest('fogbench'), clockProbePod('lab-agent-1', 'fogbench', 'fogbench/x:0123456789ab')];
    new DeploymentModel(manifests[0] as never).validate();
    new ServiceModel(manifests[1] as never).validate();
    new NamespaceModel(manifests[2] as never).validate();
    new PodModel(manifests[3] as never).validate();
  });

  it('runs the image\'s own CMD: no path of this machine ends up in the pod (node:20-alpine has no such file)', () => {
    const d = render(unit('get', 0));
    const c = d.spec!.template.spec!.containers[0]!;
    expect(c.command).toBeUndefined();
    expect(c.args).toBeUndefined();
    expect(JSON.stringify(d)).not.toContain(process.execPath);
  });

  it('clock probes run on every node, the tainted server included', () => {
    const pod = clockProbePod('lab-server', 'fogbench', '192.168.56.10:5000/fogbench-get:0123456789ab');
    expect(pod.spec?.nodeName).toBe('lab-server');
    expect(pod.spec?.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  it('replaces a pod by stopping the old one first: no second pod needs room on a 1-vCPU node', () => {
    expect(render(unit('get', 0)).spec?.strategy).toEqual({ type: 'Recreate' });
  });

  it('tolerates the dedicated server\'s taint only for core units', () => {
    const core = deploymentManifest({ ...renderInput(unit('gatewayLike', 0, 'core')), placement: { role: 'core', node: null, neighbours: [] } });
    expect(core.spec!.template.spec!.tolerations).toEqual([{ key: 'CriticalAddonsOnly', operator: 'Exists' }]);
    expect(render(unit('get', 0)).spec!.template.spec!.tolerations).toBeUndefined();
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
