/**
 * The Kubernetes target: any cluster a kubeconfig reaches (K3s made by `cluster up`, kind, k3d,
 * a cloud one). p2p units become a Deployment and a NodePort Service each, applied server-side;
 * images come from the host's Docker or the K3s server's buildah and are imported into every
 * node (clusters fogbench made), or from --registry. Pods and events are watched during the
 * run, spans come from pod logs, and node clock offsets are measured before any are compared.
 */
import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CoreV1Api, KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import { loadClusterConfig, type ClusterConfig } from '../../../clusters/config.ts';
import { connectClusterNodes } from '../../../clusters/provision.ts';
import { commandRunner, INSTALL_HINTS, type CommandRunner } from '../../../clusters/run-command.ts';
import type { NodeShell } from '../../../clusters/ssh.ts';
import { deployError, usageError } from '../../errors.ts';
import type { TargetDescription } from '../../results/schema.ts';
import { spawnUnit } from '../process/child-unit.ts';
import type { ClientSpec, Deployment, DeployOptions, Endpoint, Observer, RunningUnit, Target, UnitSpec } from '../target.ts';
import { GatewayClient } from '../../openfaas/gateway-client.ts';
import { checkOpenFaaSInstalled, FUNCTION_NAMESPACE, gatewayUrl, readGatewayCredentials } from '../../openfaas/helm.ts';
import { apiMessage, deleteQuietly } from './api-calls.ts';
import { measureClockOffsets } from './clock-probe.ts';
import type { ClockOffset } from './clock.ts';
import { observeCluster } from './cluster-observer.ts';
import { loadKubeconfig, probeApiServer, probeCredentials } from './connection.ts';
import { contentTag, imageRef, provideImages, type ImageJob } from './images.ts';
import { CONTAINER_NAME, deploymentManifest, kubeName, FIELD_MANAGER, namespaceManifest, serviceDnsName, serviceManifest } from './manifests.ts';
import { listClusterNodes, type ClusterNode } from './nodes.ts';
import { placeUnits } from './placement.ts';
import { kubeUnit } from './kube-unit.ts';
import { followPodLogs, type LogFollower } from './pod-logs.ts';
import { unknownFields, modelTypeFor } from './strict-fields.ts';
import { waitUnitsReady } from './wait-ready.ts';

export interface KubeTargetOptions {
  kubeconfig?: string;
  context?: string;
  /** Push images here instead of importing them into the nodes. */
  registry?: string;
  /** Leave everything deployed after the run (for inspection). */
  keep?: boolean;
  /** Namespace of the p2p units. */
  namespace?: string;
  /** Namespaces watched during a run; default the units' and OpenFaaS's two. */
  watchNamespaces?: string[];
  /** Sizes and unit resources; default clusters/sizes.yaml. */
  clusterConfig?: ClusterConfig;
  /** State folder of a cluster made by `cluster up` (SSH access for image import). Default: the kubeconfig's folder when it holds one. */
  clusterStateDir?: string;
  runId?: string;
  progress?: (message: string) => void;
  /** Clock samples per node; the shortest round trip wins. */
  clockSamples?: number;
  /** How often pod metrics are read during a run (metrics-server refreshes every 15 s by default). */
  metricsIntervalMs?: number;
}

/** The kube target, plus what the OpenFaaS system needs to deploy its functions on the same cluster. */
export interface KubeTarget extends Target {
  /** The loaded kubeconfig (after prepare()). */
  kubeConfig(): KubeConfig;
  /** Builds and distributes images exactly as deploy() does; returns unit name → image reference. */
  buildImages(units: readonly { name: string; artifactDir: string }[]): Promise<Map<string, string>>;
  /**
   * Checks the OpenFaaS chart is installed and returns a gateway client (password read from
   * the basic-auth secret, kept in memory) and the worker nodes, sorted, for pinnedToNode().
   */
  openFaaS(): Promise<{ gateway: GatewayClient; gatewayUrl: string; workers: string[]; core: string[] }>;
}

export interface KubeTargetDependencies {
  run?: CommandRunner;
  provideImages?: typeof provideImages;
  connectNodes?: (stateDir: string) => Promise<{ shells: Map<string, NodeShell>; builder: string | null }>;
}

interface Prepared {
  kc: KubeConfig;
  objects: KubernetesObjectApi;
  core: CoreV1Api;
  serverVersion: string;
  nodes: ClusterNode[];
  config: ClusterConfig;
  createdNamespace: boolean;
}

const DEFAULT_NAMESPACE = 'fogbench';

export function createKubeTarget(options: KubeTargetOptions = {}, deps: KubeTargetDependencies = {}): KubeTarget {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const watchNamespaces = options.watchNamespaces ?? [namespace, 'openfaas', 'openfaas-fn'];
  const run = deps.run ?? commandRunner(INSTALL_HINTS);
  const progress = options.progress ?? (() => {});
  const runId = options.runId ?? new Date().toISOString().replace(/[:.]/g, '-');
  let prepared: Prepared | undefined;
  let imageSource = 'not built yet';
  let clockOffsets: ClockOffset[] | null = null;
  let clockError: string | null = null;
  let shells: Map<string, NodeShell> | null | undefined;
  let builder: string | null = null;
  const deployed: { units: UnitSpec[]; followers: LogFollower[] }[] = [];
  const clientUnits = new Set<RunningUnit>();

  const need = (): Prepared => {
    if (!prepared) throw new Error('kube target: call prepare() before deploy()');
    return prepared;
  };

  const apply = async (objects: KubernetesObjectApi, manifest: KubernetesObject): Promise<KubernetesObject> => {
    const unknown = unknownFields(manifest, modelTypeFor(manifest));
    if (unknown.length) throw new Error(`fogbench rendered unknown fields in ${manifest.kind} ${manifest.metadata?.name}: ${unknown.join(', ')}`);
    try {
      return await objects.patch(manifest, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    } catch (error) {
      throw deployError(`applying ${manifest.kind} ${manifest.metadata?.namespace ?? ''}/${manifest.metadata?.name} failed: ${apiMessage(error)}`, error);
    }
  };

  const nodeShells = async (): Promise<Map<string, NodeShell> | null> => {
    if (shells !== undefined) return shells;
    const stateDir = options.clusterStateDir ?? (options.kubeconfig ? await stateDirOf(options.kubeconfig) : undefined);
    if (!stateDir) return (shells = null);
    if (deps.connectNodes) {
      const connected = await deps.connectNodes(stateDir);
      builder = connected.builder;
      return (shells = connected.shells);
    }
    const connected = await connectClusterNodes(stateDir);
    builder = connected.state.nodes.find((n) => n.role === 'server')?.name ?? null;
    return (shells = connected.shells);
  };

  const removeUnits = async (units: readonly UnitSpec[]) => {
    if (!prepared || options.keep) return;
    const { objects } = prepared;
    await Promise.all(
      units.flatMap((u) => [
        deleteQuietly(objects, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: kubeName(u.name), namespace } }),
        deleteQuietly(objects, { apiVersion: 'v1', kind: 'Service', metadata: { name: kubeName(u.name), namespace } }),
      ]),
    );
  };

  const buildImages = async (units: readonly { name: string; artifactDir: string }[]): Promise<Map<string, string>> => {
    const jobs: ImageJob[] = [];
    const refs = new Map<string, string>();
    for (const unit of units) {
      const ref = imageRef(kubeName(unit.name), await contentTag(unit.artifactDir), options.registry);
      refs.set(unit.name, ref);
      jobs.push({ unit: kubeName(unit.name), artifactDir: unit.artifactDir, ref });
    }
    imageSource = await (deps.provideImages ?? provideImages)(jobs, options.registry ? { registry: options.registry } : {}, {
      run,
      shells: options.registry ? null : await nodeShells(),
      builderNode: builder,
      progress,
    });
    return refs;
  };

  return {
    kind: 'kube',

    kubeConfig: () => need().kc,

    buildImages: (units) => {
      need();
      return buildImages(units);
    },

    async openFaaS() {
      const p = need();
      await checkOpenFaaSInstalled(p.kc);
      const url = await gatewayUrl(p.kc, p.nodes);
      const credentials = await readGatewayCredentials(p.kc);
      const names = (role: string) => p.nodes.filter((n) => n.role === role && n.ready).map((n) => n.name).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      return { gateway: new GatewayClient({ url, credentials, namespace: FUNCTION_NAMESPACE }), gatewayUrl: url, workers: names('worker'), core: names('core') };
    },

    async prepare() {
      if (prepared) return;
      const kc = loadKubeconfig(options);
      const serverVersion = await probeApiServer(kc);
      await probeCredentials(kc);
      const nodes = await listClusterNodes(kc);
      if (!nodes.some((n) => n.ready)) throw deployError('no node of the cluster is Ready; check `kubectl get nodes`');
      const config = options.clusterConfig ?? (await loadClusterConfig());
      const objects = KubernetesObjectApi.makeApiClient(kc);
      const core = kc.makeApiClient(CoreV1Api);
      const existed = await core.readNamespace({ name: namespace }).then(() => true, () => false);
      prepared = { kc, objects, core, serverVersion, nodes, config, createdNamespace: !existed };
      await apply(objects, namespaceManifest(namespace));
    },

    describe(): TargetDescription {
      const p = prepared;
      return {
        kind: 'kube',
        nodes: (p?.nodes ?? []).map((n) => ({ name: n.name, role: n.role, cpus: n.cpus, memoryBytes: n.memoryBytes, ...(n.address ? { address: n.address } : {}) })),
        shaping: 'none: traffic crosses the real network between the cluster nodes; fogbench applies no shaping on Kubernetes',
        details: {
          server: p?.kc.getCurrentCluster()?.server ?? null,
          context: p?.kc.getCurrentContext() ?? null,
          kubernetesVersion: p?.serverVersion ?? null,
          nodeVersions: Object.fromEntries((p?.nodes ?? []).map((n) => [n.name, { kubelet: n.kubeletVersion, os: n.osImage }])),
          namespace,
          placement:
            (p?.nodes ?? []).filter((n) => n.role === 'worker' && n.ready).length >= 2
              ? 'worker service i on worker node i mod N: successive services on different nodes'
              : 'fewer than two worker nodes: successive services may share a node, so hops may not cross a network',
          images: imageSource,
          unitResources: p?.config.units ?? null,
          clockOffsets,
          clockOffsetError: clockError,
        },
      };
    },

    async deploy(units: UnitSpec[], deployOptions: DeployOptions): Promise<Deployment> {
      const p = need();
      const names = new Set<string>();
      for (const u of units) {
        let name: string;
        try {
          name = kubeName(u.name);
        } catch (error) {
          throw usageError(`${(error as Error).message}: use letters, digits and dashes`, error);
        }
        if (names.has(name)) throw usageError(`units "${u.name}" and another one map to the same Kubernetes name "${name}"`);
        names.add(name);
      }
      const placements = placeUnits(units, p.nodes.filter((n) => n.ready));
      const refs = await buildImages(units);
      const firstImage = refs.values().next().value as string | undefined;

      const serviceEndpoints = new Map<string, Endpoint>(units.map((u) => [u.name, { host: serviceDnsName(kubeName(u.name), namespace), port: u.port }]));
      const record = { units, followers: [] as LogFollower[] };
      deployed.push(record);
      try {
        const nodePorts = new Map<string, number>();
        // Services first: their DNS names must resolve as soon as the first pod sends a request.
        for (const unit of units) {
          const service = (await apply(p.objects, serviceManifest(unit, namespace, runId))) as { spec?: { ports?: { nodePort?: number }[] } };
          const nodePort = service.spec?.ports?.[0]?.nodePort;
          if (nodePort) nodePorts.set(unit.name, nodePort);
        }
        for (const unit of units) {
          const manifest = deploymentManifest({
            unit,
            namespace,
            image: refs.get(unit.name) as string,
            placement: placements.get(unit.name) ?? { role: null, node: null, neighbours: [] },
            resources: p.config.units,
            serviceEndpoints,
            runId,
          });
          await apply(p.objects, manifest);
        }
        progress(`waiting for ${units.length} pods to be Ready`);
        const pods = await waitUnitsReady(p.core, namespace, units, deployOptions);

        if (clockOffsets === null && clockError === null) {
          try {
            progress('measuring node clock offsets');
            clockOffsets = await measureClockOffsets(p.kc, p.core, {
              namespace,
              nodes: p.nodes.filter((n) => n.ready).map((n) => n.name),
              image: firstImage ?? '',
              samples: options.clockSamples ?? 8,
              timeoutMs: deployOptions.readyTimeoutMs,
            });
          } catch (error) {
            clockError = error instanceof Error ? error.message : String(error);
          }
        }

        const endpoints = new Map<string, Endpoint>();
        const placement = new Map<string, string>();
        const running: RunningUnit[] = [];
        for (const unit of units) {
          const pod = pods.get(unit.name) as V1Pod;
          const nodeName = pod.spec?.nodeName ?? '?';
          placement.set(unit.name, nodeName);
          const address = p.nodes.find((n) => n.name === nodeName)?.address;
          const nodePort = nodePorts.get(unit.name);
          if (address && nodePort) endpoints.set(unit.name, { host: address, port: nodePort });
          const follower = followPodLogs(p.kc, namespace, pod.metadata?.name as string, CONTAINER_NAME);
          follower.onLine((line) => deployOptions.onLine(unit.name, line));
          record.followers.push(follower);
          running.push(kubeUnit(unit.name, follower, () => removeUnits([unit])));
        }
        return {
          endpoints,
          units: running,
          placement,
          stop: async () => {
            await Promise.all(running.map((u) => u.stop()));
          },
        };
      } catch (error) {
        for (const f of record.followers) f.stop();
        await removeUnits(units);
        throw error;
      }
    },

    async startClient(spec: ClientSpec): Promise<RunningUnit> {
      // The load generator runs on this host: it is the client node of a Kubernetes run.
      const env: Record<string, string> = { ...spec.env };
      for (const key of ['PATH', 'HOME', 'LANG', 'TZ']) if (process.env[key] !== undefined && env[key] === undefined) env[key] = process.env[key] as string;
      const unit = spawnUnit(spec.name, spec.command, spec.args, { env });
      clientUnits.add(unit);
      void unit.exited.then(() => clientUnits.delete(unit));
      return unit;
    },

    observe(_deployment: Deployment, t0: number): Observer {
      return observeCluster(need().kc, { namespaces: watchNamespaces, t0, ...(options.metricsIntervalMs ? { metricsIntervalMs: options.metricsIntervalMs } : {}) });
    },

    async dispose() {
      for (const record of deployed) for (const f of record.followers) f.stop();
      await Promise.all([...clientUnits].map((u) => u.stop()));
      if (prepared && !options.keep) {
        for (const record of deployed.splice(0)) await removeUnits(record.units);
        if (prepared.createdNamespace) {
          await deleteQuietly(prepared.objects, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
          prepared.createdNamespace = false;
        }
      }
      if (shells) for (const s of shells.values()) s.dispose();
      shells = undefined;
    },
  };
}

/** The state folder of a fogbench-made cluster, when the kubeconfig lies in one. */
async function stateDirOf(kubeconfig: string): Promise<string | undefined> {
  const dir = dirname(kubeconfig);
  return access(join(dir, 'state.json')).then(() => dir, () => undefined);
}
