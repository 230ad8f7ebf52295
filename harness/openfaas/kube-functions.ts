/**
 * Deploys the openfaas system's functions on a cluster running the official chart: images
 * built and pushed like the p2p units', functions applied through the gateway REST API with
 * fixed scale and the same requests and limits per replica as a p2p unit, then waited for.
 * Where they run is the scheduler's choice (OpenFaaS CE ignores constraints), so placement is
 * read back from the pods. The kube target offers this as its function platform
 * (TargetCapabilities.functions).
 */
import { usageError } from '../errors.ts';
import type { Deployment, FunctionArtifact } from '../targets/target.ts';
import { CE_MAX_FUNCTIONS, CE_MAX_REPLICAS, desiredReplicas, type FunctionResources, type FunctionStatus, type GatewayClient } from './gateway-client.ts';

/** What the cluster side provides: the chart's gateway, images, sizing and pod placement. */
export interface KubeFunctionHost {
  buildImages(units: readonly { name: string; artifactDir: string }[]): Promise<Map<string, string>>;
  openFaaS(): Promise<{ gateway: GatewayClient; gatewayUrl: string }>;
  /** Requests and limits of every replica: the same as a p2p unit's on this cluster. */
  replicaResources(): { requests: FunctionResources; limits: FunctionResources };
  /** Fails, naming the shortfall, when this many more replicas of that size cannot be scheduled. */
  checkFunctionsFit(replicas: number): Promise<void>;
  /** Nodes of each function's Ready replicas (pods labelled faas_function=<name>), as scheduled. */
  functionPlacement(names: readonly string[]): Promise<Map<string, string[]>>;
  /** Follows the logs of each function's pods (their spans), each line told as the function's. */
  followFunctionLogs(names: readonly string[], onLine: (unit: string, line: string) => void): Promise<{ stop(): void }[]>;
  /** GET of a path of the gateway pod on a port clients outside the cluster cannot reach (its /metrics). */
  readGateway(port: number, path: string): Promise<string>;
}

/**
 * OpenFaaS CE's caps, checked before anything is built: at most 5 replicas per function
 * (faas-netes refuses com.openfaas.scale.min/max above it, validate.go L80-96) and 15 functions
 * in the namespace (deploy.go L96-99). Returns the one-line reason, or null.
 */
export function communityEditionRefusal(plan: { functions: readonly string[]; replicas: number }, existing: readonly Pick<FunctionStatus, 'name'>[] = []): string | null {
  if (plan.replicas > CE_MAX_REPLICAS) {
    return `OpenFaaS CE runs at most ${CE_MAX_REPLICAS} replicas per function (faas-netes MaxReplicas); --replicas ${plan.replicas} cannot run on the kube target`;
  }
  const others = existing.filter((f) => !plan.functions.includes(f.name)).map((f) => f.name);
  const total = others.length + plan.functions.length;
  if (total > CE_MAX_FUNCTIONS) {
    return (
      `OpenFaaS CE allows at most ${CE_MAX_FUNCTIONS} functions (faas-netes MaxFunctions): this run needs ${plan.functions.length}` +
      (others.length ? ` and openfaas-fn already holds ${others.length} others (${others.slice(0, 5).join(', ')}${others.length > 5 ? ', ...' : ''}); remove them with \`kubectl -n openfaas-fn delete deploy,svc --all\`` : '')
    );
  }
  return null;
}

export async function deployOpenFaaSFunctions(
  host: KubeFunctionHost,
  functions: readonly FunctionArtifact[],
  readyTimeoutMs: number,
  onLine?: (unit: string, line: string) => void,
): Promise<Deployment> {
  const names = functions.map((f) => f.name);
  const replicas = Math.max(1, ...functions.map((f) => desiredReplicas({ labels: f.spec.labels })));
  const early = communityEditionRefusal({ functions: names, replicas });
  if (early) throw usageError(early);
  const { gateway, gatewayUrl } = await host.openFaaS();
  const existing = await gateway.list();
  const refusal = communityEditionRefusal({ functions: names, replicas }, existing);
  if (refusal) throw usageError(refusal);
  // Replicas of this run already deployed (a repetition) are replaced, not added.
  const already = existing.filter((f) => names.includes(f.name)).reduce((n, f) => n + (f.availableReplicas ?? 0), 0);
  await host.checkFunctionsFit(functions.reduce((n, f) => n + desiredReplicas({ labels: f.spec.labels }), 0) - already);
  const images = await host.buildImages(functions.map((f) => ({ name: f.name, artifactDir: f.artifactDir })));
  const resources = host.replicaResources();
  const deployed: string[] = [];
  const followers: { stop(): void }[] = [];
  const stop = async () => {
    for (const follower of followers.splice(0)) follower.stop();
    for (const name of deployed) await gateway.remove(name);
  };
  let placement: Map<string, string>;
  try {
    for (const fn of functions) {
      // No constraints: CE drops them. The sizes are the kube target's, the same as a p2p unit's.
      const { constraints: _ignored, ...spec } = fn.spec;
      await gateway.apply({ ...spec, image: images.get(fn.name) ?? fn.spec.image, requests: resources.requests, limits: resources.limits });
      deployed.push(fn.name);
    }
    await gateway.waitReady(deployed, readyTimeoutMs);
    const observed = await host.functionPlacement(deployed);
    placement = new Map(deployed.map((name) => [name, (observed.get(name) ?? []).join('+') || '?']));
    if (onLine) followers.push(...(await host.followFunctionLogs(deployed, onLine)));
  } catch (error) {
    await stop();
    throw error;
  }
  const url = new URL(gatewayUrl);
  return {
    endpoints: new Map([['gateway', { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80) }]]),
    units: [],
    placement,
    stop,
    read: (unit, port, path) => {
      if (unit !== 'gateway') throw new Error(`only the gateway's endpoints are read, not ${unit}'s`);
      return host.readGateway(port, path);
    },
  };
}
