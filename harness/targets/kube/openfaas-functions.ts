/**
 * Deploys the openfaas system's functions on a cluster running the official chart: images
 * built and distributed like the p2p units', functions applied through the gateway REST API
 * with fixed scale, spread over the worker nodes in chain order, then waited for.
 */
import type { CompiledFunction } from '../../openfaas/compile-functions.ts';
import { pinnedToNode } from '../../openfaas/gateway-client.ts';
import type { Deployment } from '../target.ts';
import type { KubeTarget } from './kube-target.ts';

export async function deployOpenFaaSFunctions(target: KubeTarget, functions: readonly CompiledFunction[], readyTimeoutMs: number): Promise<Deployment> {
  const { gateway, gatewayUrl, workers } = await target.openFaaS();
  const images = await target.buildImages(functions.map((f) => ({ name: f.name, artifactDir: f.artifactDir })));
  const placement = new Map<string, string>();
  const deployed: string[] = [];
  const stop = async () => {
    for (const name of deployed) await gateway.remove(name);
  };
  try {
    for (const [i, fn] of functions.entries()) {
      const node = workers.length ? workers[i % workers.length]! : undefined;
      const spec = { ...fn.spec, image: images.get(fn.name) ?? fn.spec.image };
      await gateway.apply(node ? pinnedToNode(spec, node) : spec);
      deployed.push(fn.name);
      if (node) placement.set(fn.name, node);
    }
    await gateway.waitReady(deployed, readyTimeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  const url = new URL(gatewayUrl);
  return {
    endpoints: new Map([['gateway', { host: url.hostname, port: Number(url.port || 80) }]]),
    units: [],
    placement,
    stop,
  };
}

export function isKubeTarget(target: { kind: string }): target is KubeTarget {
  return target.kind === 'kube';
}
