/**
 * The Kubernetes target: any cluster a kubeconfig reaches (K3s made by `cluster up`, the
 * nightly job's K3s, kind, k3d, a cloud one). p2p units become a Deployment and a NodePort
 * Service each, applied server-side; OpenFaaS functions go through the chart's gateway (the
 * target's function platform). Images of both systems go to a registry every node pulls from:
 * the cluster's own (clusters/registry.ts), or --registry. Before deploying, the plan is
 * checked to fit the nodes' allocatable resources; after, where each pod really runs is read
 * back and recorded. Pods and events are watched during the run, spans come from pod logs,
 * and node clock offsets are measured before any are compared.
 */
import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CoreV1Api, KubernetesObjectApi, type KubeConfig, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import { loadClusterConfig, type ClusterConfig } from '../../../clusters/config.ts';
import { commandRunner, INSTALL_HINTS, type CommandRunner } from '../../../clusters/run-command.ts';
import { deployError, usageError } from '../../errors.ts';
import { spawnUnit } from '../process/child-unit.ts';
import type { ClientSpec, Deployment, DeployOptions, Endpoint, Observer, RunningUnit, Target, UnitSpec } from '../target.ts';
import { GatewayClient, type FunctionResources } from '../../openfaas/gateway-client.ts';
import { checkOpenFaaSInstalled, FUNCTION_NAMESPACE, gatewayUrl, readGatewayCredentials } from '../../openfaas/helm.ts';
import { communityEditionRefusal, deployOpenFaaSFunctions, type KubeFunctionHost } from '../../openfaas/kube-functions.ts';
import { describeFunctionPlatform, followFunctionLogs, readFunctionPlacement, readGatewayPod } from './openfaas-platform.ts';
import { deleteQuietly } from './api-calls.ts';
import { measureClockOffsets } from './clock-probe.ts';
import type { ClockOffset } from './clock.ts';
import { observeCluster } from './cluster-observer.ts';
import { loadKubeconfig, probeApiServer, probeCredentials } from './connection.ts';
import type { ImageDestination, provideImages } from './images.ts';
import { createImageSupply, type ConnectNodes } from './image-supply.ts';
import { checkFunctionsFit, checkUnitsFit } from './fit-check.ts';
import { describeKube } from './describe.ts';
import { serverSideApply } from './apply.ts';
import { CONTAINER_NAME, deploymentManifest, kubeName, namespaceManifest, serviceDnsName, serviceManifest } from './manifests.ts';
import { listClusterNodes, type ClusterNode } from './nodes.ts';
import { placeUnits } from './placement.ts';
import { kubeUnit } from './kube-unit.ts';
import { followPodLogs, type LogFollower } from './pod-logs.ts';
import { waitUnitsReady } from './wait-ready.ts';
import { createKubeFaults } from './kube-faults.ts';
import { openLocalCluster, type LocalClusterAccess } from './local-cluster.ts';

export interface KubeTargetOptions {
  kubeconfig?: string;
  context?: string;
  /**
   * A registry of the user's that every node can pull from and that allows anonymous pulls
   * (OpenFaaS CE checks images anonymously); default: the cluster's own registry.
   */
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
  /** Clock samples per node; the shortest round trip wins. 0: do not measure (no probe pods). */
  clockSamples?: number;
  /** How often pod metrics are read during a run (metrics-server refreshes every 15 s by default). */
  metricsIntervalMs?: number;
}

/** The kube target, plus what the OpenFaaS system needs to deploy its functions on the same cluster. */
export interface KubeTarget extends Target, Pick<KubeFunctionHost, 'followFunctionLogs' | 'readGateway'> {
  /** The loaded kubeconfig (after prepare()). */
  kubeConfig(): KubeConfig;
  /** Builds and pushes images exactly as deploy() does; returns unit name → image reference. */
  buildImages(units: readonly { name: string; artifactDir: string }[]): Promise<Map<string, string>>;
  /**
   * Checks the OpenFaaS chart is installed and returns a gateway client (password read from
   * the basic-auth secret, kept in memory) and the nodes, sorted.
   */
  openFaaS(): Promise<{ gateway: GatewayClient; gatewayUrl: string; workers: string[]; core: string[] }>;
  /** Requests and limits of every replica of either system on this cluster (clusters/sizes.yaml `units`). */
  replicaResources(): { requests: FunctionResources; limits: FunctionResources };
  /** Fails before deploying when `replicas` more function replicas cannot be scheduled on the nodes open to them. */
  checkFunctionsFit(replicas: number): Promise<void>;
  /** Nodes of each function's Ready replicas, read from the pods faas-netes made. */
  functionPlacement(names: readonly string[]): Promise<Map<string, string[]>>;
  /** Where the cluster's images go (its own registry, or --registry). */
  imageDestination(): Promise<ImageDestination>;
}

export interface KubeTargetDependencies {
  run?: CommandRunner;
  provideImages?: typeof provideImages;
  /** SSH to the K3s server, for building with buildah when this host has no Docker. */
  connectNodes?: ConnectNodes;
}

interface Prepared {
  kc: KubeConfig;
  objects: KubernetesObjectApi;
  core: CoreV1Api;
  serverVersion: string;
  nodes: ClusterNode[];
  config: ClusterConfig;
  createdNamespace: boolean;
  /** The state folder of a cluster made by `cluster up` (SSH access, a local cluster's record), if known. */
  stateDir: string | undefined;
  /** A cluster made by `cluster up --provider local`, or null. */
  local: LocalClusterAccess | null;
}

const DEFAULT_NAMESPACE = 'fogbench';

export function createKubeTarget(options: KubeTargetOptions = {}, deps: KubeTargetDependencies = {}): KubeTarget {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const watchNamespaces = options.watchNamespaces ?? [namespace, 'openfaas', 'openfaas-fn'];
  const run = deps.run ?? commandRunner(INSTALL_HINTS);
  const progress = options.progress ?? (() => {});
  const runId = options.runId ?? new Date().toISOString().replace(/[:.]/g, '-');
  let prepared: Prepared | undefined;
  let clockOffsets: ClockOffset[] | null = null;
  let clockError: string | null = null;
  const deployed: { units: UnitSpec[]; followers: LogFollower[] }[] = [];
  const clientUnits = new Set<RunningUnit>();
  /** Where each unit and function really runs (spec.nodeName), as deployments happen; shared with describe(). */
  const observedPlacement: { units: Record<string, string>; functions: Record<string, string[]> } = { units: {}, functions: {} };

  const need = (): Prepared => {
    if (!prepared) throw new Error('kube target: call prepare() before deploy()');
    return prepared;
  };

  /** Server-side apply with strict field validation: the API server itself refuses unknown fields. */
  const apply = (manifest: KubernetesObject): Promise<KubernetesObject> => serverSideApply(need().kc, manifest);

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

  const images = createImageSupply({
    registry: options.registry,
    run,
    progress,
    cluster: need,
    provideImages: deps.provideImages,
    connectNodes: deps.connectNodes,
  });

  const target: KubeTarget = {
    kind: 'kube',
    capabilities: {
      podNetwork: true,
      probes: true,
      // OpenFaaS functions go through the chart's gateway, not through deploy().
      functions: {
        deployFunctions: async (functions, o) => {
          const deployment = await deployOpenFaaSFunctions(target, functions, o.readyTimeoutMs, o.onLine);
          for (const [name, nodes] of deployment.placement) observedPlacement.functions[name] = nodes.split('+');
          return deployment;
        },
        // OpenFaaS CE's caps, for a system to ask before it builds anything.
        refuses: (plan) => communityEditionRefusal({ functions: plan.functions, replicas: plan.replicas }),
        describe: async () => describeFunctionPlatform(need().kc, (await target.openFaaS()).gateway),
      },
      // --fault: delete pods, cordon and drain nodes (kube-faults.ts).
      faults: createKubeFaults({
        kubeConfig: () => need().kc,
        namespace,
        nodes: async () => (prepared?.nodes ?? (await listClusterNodes(loadKubeconfig(options)))).map((n) => ({ name: n.name, role: n.role })),
        containerKiller: () => (prepared?.local ? (pod) => prepared!.local!.killPodContainers(pod) : null),
      }),
    },

    kubeConfig: () => need().kc,

    buildImages: (units) => {
      need();
      return images.build(units);
    },

    imageDestination: () => {
      need();
      return images.destination();
    },

    replicaResources() {
      const units = need().config.units;
      return {
        requests: { cpu: units.cpuRequest, memory: `${units.memoryRequestMiB}Mi` },
        limits: { cpu: units.cpuLimit, memory: `${units.memoryLimitMiB}Mi` },
      };
    },

    async checkFunctionsFit(replicas: number) {
      if (replicas > 0) await checkFunctionsFit(need(), replicas);
    },

    functionPlacement: async (names) => readFunctionPlacement(need().core, names),

    followFunctionLogs: (names, onLine) => followFunctionLogs(need().kc, need().core, names, onLine),

    readGateway: (port, path) => readGatewayPod(need().kc, need().core, port, path),

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
      const stateDir = options.clusterStateDir ?? (options.kubeconfig ? await stateDirOf(options.kubeconfig) : undefined);
      const local = stateDir ? await openLocalCluster(stateDir) : null;
      const sizes = options.clusterConfig ?? (await loadClusterConfig());
      // On a local cluster replicas are sized as its nodes are: the reference sizes times the scale.
      const config = local ? { ...sizes, units: local.scaleUnits(sizes.units) } : sizes;
      const objects = KubernetesObjectApi.makeApiClient(kc);
      const core = kc.makeApiClient(CoreV1Api);
      const existed = await core.readNamespace({ name: namespace }).then(() => true, () => false);
      prepared = { kc, objects, core, serverVersion, nodes, config, createdNamespace: !existed, stateDir, local };
      if (local) progress(`local cluster: replicas sized ${config.units.cpuRequest}/${config.units.memoryRequestMiB}Mi (limits ${config.units.cpuLimit}/${config.units.memoryLimitMiB}Mi), the load generator on node ${local.record.client.name}`);
      await apply(namespaceManifest(namespace));
    },

    describe() {
      return describeKube({
        cluster: prepared,
        namespace,
        observedPlacement,
        imageSource: images.source,
        imageDestination: images.knownDestination,
        clockOffsets,
        clockError,
      });
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
      await checkUnitsFit(p, namespace, units, placements);
      const refs = await images.build(units);
      const firstImage = refs.values().next().value as string | undefined;

      const serviceEndpoints = new Map<string, Endpoint>(units.map((u) => [u.name, { host: serviceDnsName(kubeName(u.name), namespace), port: u.port }]));
      const record = { units, followers: [] as LogFollower[] };
      deployed.push(record);
      try {
        const nodePorts = new Map<string, number>();
        // Services first: their DNS names must resolve as soon as the first pod sends a request.
        for (const unit of units) {
          const service = (await apply(serviceManifest(unit, namespace, runId))) as { spec?: { ports?: { nodePort?: number }[] } };
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
          await apply(manifest);
        }
        progress(`waiting for ${units.length} pods to be Ready`);
        const pods = await waitUnitsReady(p.core, namespace, units, deployOptions);

        if (clockOffsets === null && clockError === null && (options.clockSamples ?? 8) > 0) {
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
          observedPlacement.units[unit.name] = nodeName;
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
      const local = need().local;
      if (local) {
        const unit = local.startClient(spec, process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin');
        clientUnits.add(unit);
        void unit.exited.then(() => clientUnits.delete(unit));
        return unit;
      }
      // The load generator runs on this host: it is the client node of a Kubernetes run.
      const env: Record<string, string> = { ...spec.env };
      for (const key of ['PATH', 'HOME', 'LANG', 'TZ']) if (process.env[key] !== undefined && env[key] === undefined) env[key] = process.env[key] as string;
      const unit = spawnUnit(spec.name, spec.command, spec.args, { env });
      clientUnits.add(unit);
      void unit.exited.then(() => clientUnits.delete(unit));
      return unit;
    },

    clientCgroup() {
      return prepared?.local?.clientCgroup() ?? null;
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
      images.dispose();
      await target.capabilities.faults?.revertAll(); // a node this run cordoned is uncordoned, even on Ctrl-C
    },
  };
  return target;
}

/** The state folder of a fogbench-made cluster, when the kubeconfig lies in one. */
async function stateDirOf(kubeconfig: string): Promise<string | undefined> {
  const dir = dirname(kubeconfig);
  return access(join(dir, 'state.json')).then(() => dir, () => undefined);
}
