/**
 * Fault injection on Kubernetes against a REAL control plane (etcd, kube-apiserver, scheduler,
 * controller-manager; kwok nodes, no containers run): a deleted pod is replaced by its
 * ReplicaSet, a drained node is cordoned, its pods evicted and placed elsewhere, and uncordoned
 * after D or when the target is disposed. The kinds the API cannot do are refused.
 */
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFault } from '../../../harness/faults/spec.ts';
import { serverSideApply } from '../../../harness/targets/kube/apply.ts';
import { kubeRequest } from '../../../harness/targets/kube/connection.ts';
import { createKubeFaults } from '../../../harness/targets/kube/kube-faults.ts';
import { UNIT_LABEL } from '../../../harness/targets/kube/manifests.ts';
import type { Deployment, FaultApplication } from '../../../harness/targets/target.ts';
import { controlPlaneUnavailable, startControlPlane, type ControlPlane } from './control-plane.ts';

const unavailable = controlPlaneUnavailable();
if (unavailable) console.warn(`skipping the real-control-plane fault tests: ${unavailable}`);

const NAMESPACE = 'fogbench';
const UNIT = 'filter-temperature';

let cp: ControlPlane;
let kc: KubeConfig;

beforeAll(async () => {
  if (unavailable) return;
  cp = await startControlPlane();
  kc = cp.kubeConfig();
  await cp.addNodes([
    { name: 'agent-1', role: 'worker' },
    { name: 'agent-2', role: 'worker' },
  ]);
  await serverSideApply(kc, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  const labels = { [UNIT_LABEL]: UNIT };
  await serverSideApply(kc, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: UNIT, namespace: NAMESPACE, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'service', image: 'registry.invalid/filter-temperature:1' }] } },
    },
  } as never);
}, 120_000);

afterAll(async () => {
  await cp?.stop();
});

const ready = (pod: V1Pod) => !pod.metadata?.deletionTimestamp && Boolean(pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));

async function until<T>(what: string, get: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await get();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 300)}`);
}

const readyPods = async () => (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NAMESPACE })).items.filter(ready);
const cordoned = async (node: string) => Boolean((await kc.makeApiClient(CoreV1Api).readNode({ name: node })).spec?.unschedulable);

function applied(application: FaultApplication): Extract<FaultApplication, { applied: true }> {
  if (!application.applied) throw new Error(`not applied: ${application.reason}`);
  return application;
}

/** What the kube target's deploy() returns for p2p units: endpoints and placement by unit name. */
const p2pDeployment: Deployment = {
  endpoints: new Map([[UNIT, { host: '127.0.0.1', port: 30080 }]]),
  units: [{ name: UNIT } as never],
  placement: new Map([[UNIT, 'agent-1']]),
  stop: async () => {},
};

describe.skipIf(unavailable !== null)('kube faults on a real control plane', () => {
  it('refuses, before anything runs, what the API cannot do', () => {
    const faults = createKubeFaults({ kubeConfig: () => kc, namespace: NAMESPACE });
    expect(faults.refuses(parseFault('partition:agent-1@1s+1s'))).toBe(
      "--fault partition:agent-1@1s+1s: the Kubernetes API cannot cut a node's network: use drain:agent-1@…+D (cordon, evict, uncordon) or --target fog",
    );
    expect(faults.refuses(parseFault('cpu:agent-1=0.1@1s+1s'))).toMatch(/cannot squeeze a node's CPU: use --target fog$/);
    expect(faults.refuses(parseFault('memory:x=64Mi@1s'))).toMatch(/no OOM kill follows/);
    expect(faults.refuses(parseFault('kill:x@1s'))).toBeNull();
    expect(faults.refuses(parseFault('drain:agent-1@1s+1s'))).toBeNull();
  });

  it('kills a unit by deleting its pod, which its ReplicaSet replaces', async () => {
    const faults = createKubeFaults({ kubeConfig: () => kc, namespace: NAMESPACE });
    const [first] = await until('the unit\'s pod', readyPods, (pods) => pods.length === 1);
    const kill = applied(await faults.apply(parseFault(`kill:${UNIT}@0s`), p2pDeployment));
    expect(kill.detail).toBe(`deleted pod ${NAMESPACE}/${first!.metadata!.name} on ${first!.spec!.nodeName} with no grace period`);
    expect(kill.revert).toBeNull();
    const [second] = await until('a replacement pod', readyPods, (pods) => pods.length === 1 && pods[0]!.metadata!.name !== first!.metadata!.name);
    expect(second!.metadata!.labels![UNIT_LABEL]).toBe(UNIT);
    // The p2p system has no gateway: not applicable, with what it has.
    expect(await faults.apply(parseFault('kill:gateway@0s'), p2pDeployment)).toEqual({
      applied: false,
      reason: `this system has no unit, function or gateway called "gateway" (it has ${UNIT})`,
    });
  });

  it('drains a node (cordon, evict the system\'s pods) and uncordons it after, or on dispose', async () => {
    const faults = createKubeFaults({ kubeConfig: () => kc, namespace: NAMESPACE });
    const [pod] = await until('the unit\'s pod', readyPods, (pods) => pods.length === 1);
    const node = pod!.spec!.nodeName!;
    const other = node === 'agent-1' ? 'agent-2' : 'agent-1';
    const drain = applied(await faults.apply(parseFault(`drain:${node}@0s+10s`), p2pDeployment));
    expect(drain.detail).toBe(`node ${node} cordoned; evicted ${NAMESPACE}/${pod!.metadata!.name}`);
    expect(await cordoned(node)).toBe(true);
    // Evicted, then placed by the scheduler on the node still open.
    const [moved] = await until('the pod on the other node', readyPods, (pods) => pods.length === 1 && pods[0]!.spec!.nodeName === other);
    expect(moved!.metadata!.name).not.toBe(pod!.metadata!.name);
    expect(await drain.revert!()).toBe(`node ${node} uncordoned`);
    expect(await cordoned(node)).toBe(false);
    // A drain still in effect when the target goes away is undone by revertAll (the target's dispose).
    applied(await faults.apply(parseFault(`drain:${other}@0s+60s`), p2pDeployment));
    expect(await cordoned(other)).toBe(true);
    await faults.revertAll();
    expect(await cordoned(other)).toBe(false);
    // A node cordoned before the fault stays cordoned after it.
    const patched = await kubeRequest(kc, `/api/v1/nodes/${node}`, { method: 'PATCH', body: JSON.stringify({ spec: { unschedulable: true } }), contentType: 'application/merge-patch+json' });
    expect(patched.status).toBe(200);
    const again = applied(await faults.apply(parseFault(`drain:${node}@0s+1s`), p2pDeployment));
    expect(again.detail).toMatch(new RegExp(`^node ${node} was already cordoned`));
    expect(again.revert).toBeNull();
    await faults.revertAll();
    expect(await cordoned(node)).toBe(true);
  });
});
