/**
 * Fault injection on Kubernetes (--fault), with what the API allows and nothing else:
 *
 * - kill: delete the subject's pods with a zero grace period (the nearest the API comes to a
 *   SIGKILL); their ReplicaSet makes new ones, as after a crash the node could not restart. On a
 *   local cluster, whose nodes are on this host, the containers' processes are SIGKILLed on the
 *   node instead, as `kill -9` on a VM would: the kubelet restarts them in place.
 * - drain: cordon the node (spec.unschedulable), evict the system's pods on it (the Eviction API,
 *   so PodDisruptionBudgets hold, as `kubectl drain` does) in fogbench's, OpenFaaS's and its
 *   functions' namespaces, and uncordon it after D (only if it was not cordoned already). Pods
 *   of other namespaces and DaemonSets are left alone.
 *
 * partition, cpu and memory are refused before anything runs: the API cannot cut a node's
 * network or squeeze its CPU, and an in-place resize does not lower a limit under what a pod
 * uses (the kubelet leaves the resize pending), so no OOM kill would follow.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { FaultSpec } from '../../faults/spec.ts';
import { FUNCTION_NAMESPACE, OPENFAAS_NAMESPACE } from '../../openfaas/helm.ts';
import type { Deployment, FaultApplication, FaultInjector } from '../target.ts';
import { kubeRequest } from './connection.ts';
import { kubeName, UNIT_LABEL } from './manifests.ts';
import { listClusterNodes } from './nodes.ts';

export interface KubeFaultsOptions {
  /** The kubeconfig, once the target is prepared. */
  kubeConfig: () => KubeConfig;
  /** Namespace of the p2p units. */
  namespace: string;
  /** The cluster's nodes, before the target is prepared (default: listed through kubeConfig()). */
  nodes?: () => Promise<readonly { name: string; role: string }[]>;
  /** Kills a pod's containers on its node (a local cluster), returning what it killed; null elsewhere. */
  containerKiller?: () => ((pod: PodRef) => Promise<string[]>) | null;
}

export interface PodRef {
  name: string;
  namespace: string;
  node: string | null;
  owner: string | null;
  uid: string;
  /** Container ids without the runtime prefix ("containerd://"). */
  containers: string[];
}

const REFUSALS: Partial<Record<FaultSpec['kind'], (f: FaultSpec) => string>> = {
  partition: (f) => `the Kubernetes API cannot cut a node's network: use drain:${f.subject}@…+D (cordon, evict, uncordon) or --target fog`,
  cpu: () => "the Kubernetes API cannot squeeze a node's CPU: use --target fog",
  memory: () => "lowering a pod's limit through the Kubernetes API does not go under what it uses (the resize stays pending), so no OOM kill follows: use kill: or --target fog",
};

export function createKubeFaults(options: KubeFaultsOptions): FaultInjector {
  /** Nodes this run cordoned and has not uncordoned yet. */
  const cordoned = new Map<string, () => Promise<string>>();

  const call = async (method: string, path: string, body?: unknown, contentType?: string) => {
    const response = await kubeRequest(options.kubeConfig(), path, {
      method,
      timeoutMs: 15_000,
      ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: contentType ?? 'application/json' }),
    });
    return { status: response.status, json: () => JSON.parse(response.body) as Record<string, unknown>, text: response.body };
  };
  const must = async (method: string, path: string, body?: unknown, contentType?: string) => {
    const r = await call(method, path, body, contentType);
    if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${path}: HTTP ${r.status}: ${statusMessage(r.text)}`);
    return r.json();
  };

  const listPods = async (namespace: string, query: string): Promise<PodRef[]> => {
    const list = (await must('GET', `/api/v1/namespaces/${namespace}/pods?${query}`)) as { items?: Record<string, any>[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
    return (list.items ?? [])
      .filter((p) => !p.metadata?.deletionTimestamp)
      .map((p) => ({
        name: p.metadata.name,
        namespace,
        node: p.spec?.nodeName ?? null,
        owner: p.metadata?.ownerReferences?.[0]?.kind ?? null,
        uid: p.metadata.uid,
        containers: (p.status?.containerStatuses ?? []).map((c: { containerID?: string }) => String(c.containerID ?? '').replace(/^[a-z]+:\/\//, '')).filter(Boolean),
      }));
  };

  /** The pods of a kill's subject in this deployment, by the labels each system's pods carry. */
  const podsOf = async (subject: string, deployment: Deployment): Promise<{ pods: PodRef[]; where: string } | null> => {
    const functions = deployment.endpoints.has('gateway') && deployment.units.length === 0;
    if (functions) {
      if (subject === 'gateway') return { pods: await listPods(OPENFAAS_NAMESPACE, 'labelSelector=app%3Dgateway'), where: 'the OpenFaaS gateway' };
      if (deployment.placement.has(subject)) return { pods: await listPods(FUNCTION_NAMESPACE, `labelSelector=faas_function%3D${encodeURIComponent(subject)}`), where: `function ${subject}` };
      return null;
    }
    if (!deployment.placement.has(subject)) return null;
    return { pods: await listPods(options.namespace, `labelSelector=${encodeURIComponent(`${UNIT_LABEL}=${kubeName(subject)}`)}`), where: `unit ${subject}` };
  };

  const kill = async (fault: FaultSpec, deployment: Deployment): Promise<FaultApplication> => {
    const found = await podsOf(fault.subject, deployment);
    if (found === null) {
      return { applied: false, reason: `this system has no unit, function or gateway called "${fault.subject}" (it has ${[...deployment.placement.keys()].sort().join(', ')})` };
    }
    if (found.pods.length === 0) throw new Error(`no running pod of ${found.where} to delete`);
    const killer = options.containerKiller?.() ?? null;
    if (killer) {
      const killed: string[] = [];
      for (const pod of found.pods) killed.push(...(await killer(pod)));
      const names = found.pods.map((p) => `${p.namespace}/${p.name}${p.node ? ` on ${p.node}` : ''}`);
      return { applied: true, targets: [...names, ...killed], detail: `SIGKILL to the containers' processes of ${names.join(', ')} on their node (${killed.join(', ')}); the kubelet restarts them`, revert: null };
    }
    for (const pod of found.pods) await must('DELETE', `/api/v1/namespaces/${pod.namespace}/pods/${pod.name}`, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 });
    const names = found.pods.map((p) => `${p.namespace}/${p.name}${p.node ? ` on ${p.node}` : ''}`);
    return { applied: true, targets: names, detail: `deleted pod ${names.join(', ')} with no grace period`, revert: null };
  };

  const drain = async (fault: FaultSpec): Promise<FaultApplication> => {
    const node = fault.subject;
    const current = await call('GET', `/api/v1/nodes/${node}`);
    if (current.status === 404) throw new Error(`the cluster has no node "${node}"`);
    const already = Boolean((current.json().spec as { unschedulable?: boolean } | undefined)?.unschedulable);
    const setUnschedulable = (value: boolean) => must('PATCH', `/api/v1/nodes/${node}`, { spec: { unschedulable: value } }, 'application/merge-patch+json');
    if (!already) await setUnschedulable(true);
    let undo: (() => Promise<string>) | null = null;
    if (!already) {
      // Idempotent (a PATCH to false); a node whose uncordon failed stays listed for dispose to retry.
      undo = async () => {
        await setUnschedulable(false);
        cordoned.delete(node);
        return `node ${node} uncordoned`;
      };
      cordoned.set(node, undo);
    }
    const evicted: string[] = [];
    const refused: string[] = [];
    for (const namespace of [...new Set([options.namespace, OPENFAAS_NAMESPACE, FUNCTION_NAMESPACE])]) {
      const pods = (await listPods(namespace, `fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`)).filter((p) => p.owner !== 'DaemonSet');
      for (const pod of pods) {
        const r = await call('POST', `/api/v1/namespaces/${namespace}/pods/${pod.name}/eviction`, {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name: pod.name, namespace },
        });
        if (r.status >= 200 && r.status < 300) evicted.push(`${namespace}/${pod.name}`);
        else if (r.status !== 404) refused.push(`${namespace}/${pod.name} (HTTP ${r.status}: ${statusMessage(r.text)})`);
      }
    }
    const detail =
      `node ${node} ${already ? 'was already cordoned' : 'cordoned'}; evicted ${evicted.length ? evicted.join(', ') : 'no pod of the systems'}` +
      (refused.length ? `; eviction refused for ${refused.join(', ')}` : '');
    return { applied: true, targets: [`node ${node}`, ...evicted.map((p) => `pod ${p}`)], detail, revert: undo };
  };

  return {
    nodes: options.nodes ?? (async () => listClusterNodes(options.kubeConfig())),
    refuses(fault) {
      const why = REFUSALS[fault.kind];
      return why ? `--fault ${fault.text}: ${why(fault)}` : null;
    },
    async apply(fault, deployment) {
      if (fault.kind === 'kill') return kill(fault, deployment);
      if (fault.kind === 'drain') return drain(fault);
      return { applied: false, reason: REFUSALS[fault.kind]?.(fault) ?? `the kube target cannot inject ${fault.kind} faults` };
    },
    async revertAll() {
      const errors: unknown[] = [];
      for (const undo of [...cordoned.values()]) await undo().catch((error: unknown) => errors.push(error));
      if (errors.length) throw errors[0];
    },
  };
}

function statusMessage(body: string): string {
  try {
    return String((JSON.parse(body) as { message?: string }).message ?? body).split('\n')[0]!.slice(0, 200);
  } catch {
    return body.trim().split('\n')[0]?.slice(0, 200) ?? '';
  }
}
