/**
 * What the kube target tells about the OpenFaaS it finds: which provider runs behind the
 * gateway (the gateway's /system/info asks the provider) and, on a local cluster, the programs
 * fogbench's layout of the chart runs (its ConfigMap); a read of the gateway pod's own ports
 * (its /metrics on 8082), which clients outside the cluster cannot reach, through the API
 * server's pod proxy; the function pods' logs, where their spans are, and the nodes their Ready
 * replicas run on.
 */
import type { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { deployError } from '../../errors.ts';
import type { GatewayClient } from '../../openfaas/gateway-client.ts';
import { CHART_VERSION } from '../../openfaas/settings.ts';
import { FUNCTION_NAMESPACE, LAYOUT_CONFIGMAP, OPENFAAS_NAMESPACE } from '../../openfaas/helm.ts';
import { followPodLogs, type LogFollower } from './pod-logs.ts';
import { kubeRequest } from './connection.ts';

export async function describeFunctionPlatform(kc: KubeConfig, gateway: GatewayClient): Promise<Record<string, unknown>> {
  const info = await gateway.info().catch(() => null);
  const provider = info?.provider ? { name: info.provider.provider ?? '?', orchestration: info.provider.orchestration ?? '?', version: info.provider.version ?? null } : null;
  const layout = await kubeRequest(kc, `/api/v1/namespaces/${OPENFAAS_NAMESPACE}/configmaps/${LAYOUT_CONFIGMAP}`, { timeoutMs: 5_000 }).catch(() => null);
  if (layout?.status === 200) {
    const programs = (JSON.parse(layout.body) as { data?: Record<string, string> }).data ?? {};
    return {
      platform:
        `fogbench's layout of chart ${CHART_VERSION} on a local cluster: the real gateway beside fogbench's provider in Kubernetes mode ` +
        '(ready replicas from EndpointSlices, functions as CE shapes them), not faas-netes, which cannot be had here',
      provider,
      programs,
    };
  }
  return { platform: `the official chart ${CHART_VERSION} on the cluster`, provider, gateway: info?.version ?? null };
}

/** GET `path` on `port` of the gateway pod (Ready, not terminating), through the API server. */
export async function readGatewayPod(kc: KubeConfig, core: CoreV1Api, port: number, path: string): Promise<string> {
  const pods = await core.listNamespacedPod({ namespace: OPENFAAS_NAMESPACE, labelSelector: 'app=gateway' });
  const pod = pods.items.find((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  if (!pod?.metadata?.name) throw deployError('no Ready gateway pod in namespace openfaas');
  const response = await kubeRequest(kc, `/api/v1/namespaces/${OPENFAAS_NAMESPACE}/pods/${pod.metadata.name}:${port}/proxy${path}`, { timeoutMs: 5_000 });
  if (response.status !== 200) throw deployError(`the gateway pod answered ${response.status} to GET :${port}${path} through the API server`);
  return response.body;
}

/** Follows the log of every pod of these functions; each line is told as its function's. */
export async function followFunctionLogs(kc: KubeConfig, core: CoreV1Api, names: readonly string[], onLine: (unit: string, line: string) => void): Promise<LogFollower[]> {
  const pods = await core.listNamespacedPod({ namespace: FUNCTION_NAMESPACE, labelSelector: `faas_function in (${names.join(',')})` });
  return pods.items
    .filter((pod) => !pod.metadata?.deletionTimestamp && pod.metadata?.name && pod.metadata.labels?.faas_function)
    .map((pod) => {
      const name = pod.metadata!.labels!.faas_function!;
      // CE names the function's container after the function.
      const follower = followPodLogs(kc, FUNCTION_NAMESPACE, pod.metadata!.name!, name);
      follower.onLine((line) => onLine(name, line));
      return follower;
    });
}

/** Nodes of each function's Ready replicas, read from the pods faas-netes made, sorted. */
export async function readFunctionPlacement(core: CoreV1Api, names: readonly string[]): Promise<Map<string, string[]>> {
  const placement = new Map<string, string[]>();
  if (names.length === 0) return placement;
  const pods = await core.listNamespacedPod({ namespace: FUNCTION_NAMESPACE, labelSelector: `faas_function in (${names.join(',')})` });
  for (const pod of pods.items) {
    const name = pod.metadata?.labels?.faas_function;
    const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (!name || !ready || pod.metadata?.deletionTimestamp || !pod.spec?.nodeName) continue;
    placement.set(name, [...(placement.get(name) ?? []), pod.spec.nodeName].sort());
  }
  return placement;
}
