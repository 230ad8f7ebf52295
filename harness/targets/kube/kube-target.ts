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
import { REGISTRY_CONFIGMAP, REGISTRY_NAMESPACE } from '../../../clusters/registry.ts';
import { connectClusterNodes } from '../../../clusters/provision.ts';
import { commandRunner, INSTALL_HINTS, type CommandRunner } from '../../../clusters/run-command.ts';
import type { NodeShell } from '../../../clusters/ssh.ts';
import { deployError, environmentError, usageError } from '../../errors.ts';
import type { TargetDescription } from '../../results/schema.ts';
import { spawnUnit } from '../process/child-unit.ts';
import type { ClientSpec, Deployment, DeployOptions, Endpoint, Observer, RunningUnit, Target, UnitSpec } from '../target.ts';
import { GatewayClient, type FunctionResources } from '../../openfaas/gateway-client.ts';
import { checkOpenFaaSInstalled, FUNCTION_NAMESPACE, gatewayUrl, readGatewayCredentials } from '../../openfaas/helm.ts';
import { communityEditionRefusal, deployOpenFaaSFunctions, type KubeFunctionHost } from '../../openfaas/kube-functions.ts';
import { describeFunctionPlatform, followFunctionLogs, readGatewayPod } from './openfaas-platform.ts';
import { apiMessage, deleteQuietly } from './api-calls.ts';
import { checkFit, requestedByNode, type FitRequest, type NodeRoom, type Resources } from './capacity.ts';
import { measureClockOffsets } from './clock-probe.ts';
import type { ClockOffset } from './clock.ts';
import { observeCluster } from './cluster-observer.ts';
import { loadKubeconfig, probeApiServer, probeCredentials } from './connection.ts';
import { contentTag, hostHasDocker, imageRef, provideImages, type ImageDestination, type ImageJob } from './images.ts';
import { serverSideApply } from './apply.ts';
import { CONTAINER_NAME, deploymentManifest, kubeName, namespaceManifest, serviceDnsName, serviceManifest, UNIT_LABEL } from './manifests.ts';
import { listClusterNodes, parseQuantity, type ClusterNode } from './nodes.ts';
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
  let imageSource = 'not built yet';
  let clockOffsets: ClockOffset[] | null = null;
  let clockError: string | null = null;
  let shells: Map<string, NodeShell> | null | undefined;
  let builder: string | null = null;
  let destination: ImageDestination | undefined;
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

  /** --registry, else the address the cluster's own registry published in its ConfigMap. */
  const imageDestination = async (): Promise<ImageDestination> => {
    if (destination) return destination;
    if (options.registry) return (destination = { registry: options.registry.replace(/\/+$/, ''), kind: 'user' });
    let address: string | undefined;
    try {
      address = (await need().core.readNamespacedConfigMap({ name: REGISTRY_CONFIGMAP, namespace: REGISTRY_NAMESPACE })).data?.address;
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw deployError(`reading the cluster registry's address failed: ${apiMessage(error)}`, error);
    }
    if (!address) {
      throw environmentError(
        `this cluster serves no image registry (no ConfigMap ${REGISTRY_NAMESPACE}/${REGISTRY_CONFIGMAP}): make the cluster with \`npm run cluster -- up\` ` +
          '(or install K3s with the files `npm run cluster -- render` writes), or pass --registry REGISTRY that every node can pull from anonymously',
      );
    }
    return (destination = { registry: address, kind: 'cluster' });
  };

  const buildImages = async (units: readonly { name: string; artifactDir: string }[]): Promise<Map<string, string>> => {
    const target = await imageDestination();
    const jobs: ImageJob[] = [];
    const refs = new Map<string, string>();
    for (const unit of units) {
      const ref = imageRef(kubeName(unit.name), await contentTag(unit.artifactDir), target.registry);
      refs.set(unit.name, ref);
      jobs.push({ unit: kubeName(unit.name), artifactDir: unit.artifactDir, ref });
    }
    const local = need().local;
    // SSH to the K3s server is needed only to build there, when this host has no Docker; a local cluster packs here.
    const sshBuilder = local === null && target.kind === 'cluster' && !(await hostHasDocker(run)) ? await nodeShells() : null;
    imageSource = await (deps.provideImages ?? provideImages)(jobs, target, {
      run,
      shells: sshBuilder,
      builderNode: builder,
      progress,
      ...(local ? { localImages: (missing: readonly ImageJob[]) => local.packImages(missing, progress) } : {}),
    });
    return refs;
  };

  /** Each Ready node's allocatable resources and what its pods already request. */
  const nodeRooms = async (exclude: (pod: V1Pod) => boolean = () => false): Promise<{ rooms: NodeRoom[]; nodes: ClusterNode[] }> => {
    const p = need();
    const nodes = (await listClusterNodes(p.kc)).filter((n) => n.ready);
    const pods = (await p.core.listPodForAllNamespaces({ fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' })).items;
    const used = requestedByNode(pods, exclude);
    const rooms = nodes.map((n) => ({
      name: n.name,
      allocatable: { cpu: n.allocatableCpus ?? 0, memoryBytes: n.allocatableMemoryBytes ?? 0 },
      requested: used.get(n.name) ?? { cpu: 0, memoryBytes: 0 },
    }));
    return { rooms, nodes };
  };

  const replicaSize = (memoryLimitBytes?: number): Resources => {
    const units = need().config.units;
    const limit = memoryLimitBytes ?? units.memoryLimitMiB * 2 ** 20;
    return { cpu: parseQuantity(units.cpuRequest), memoryBytes: Math.min(units.memoryRequestMiB * 2 ** 20, limit) };
  };

  const SIZING_ADVICE = 'lower units.cpuRequest / units.memoryRequestMiB in clusters/sizes.yaml (pass it with --config to `cluster up`), add agents, or deploy fewer replicas';

  /** Pinned units on their node, the others among their role's nodes; pods of these same units are being replaced, so not counted. */
  const checkUnitsFit = async (units: readonly UnitSpec[], placements: ReadonlyMap<string, { role: 'core' | 'worker' | null; node: string | null }>) => {
    const names = new Set(units.map((u) => kubeName(u.name)));
    const { rooms, nodes } = await nodeRooms((pod) => pod.metadata?.namespace === namespace && names.has(pod.metadata?.labels?.[UNIT_LABEL] ?? ''));
    const requests: FitRequest[] = units.map((unit) => {
      const placement = placements.get(unit.name);
      const candidates = nodes.filter((n) => (placement?.role ? n.role === placement.role : n.openToAnyPod)).map((n) => n.name);
      return { what: `p2p unit ${unit.name}`, node: placement?.node ?? null, candidates, size: replicaSize(unit.memoryLimitBytes) };
    });
    checkFit(rooms, requests, SIZING_ADVICE);
  };

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
      return buildImages(units);
    },

    imageDestination: () => {
      need();
      return imageDestination();
    },

    replicaResources() {
      const units = need().config.units;
      return {
        requests: { cpu: units.cpuRequest, memory: `${units.memoryRequestMiB}Mi` },
        limits: { cpu: units.cpuLimit, memory: `${units.memoryLimitMiB}Mi` },
      };
    },

    async checkFunctionsFit(replicas: number) {
      if (replicas <= 0) return;
      const { rooms, nodes } = await nodeRooms();
      // Function pods carry no toleration and no selector (CE): only nodes open to any pod take them.
      const candidates = nodes.filter((n) => n.openToAnyPod).map((n) => n.name);
      const size = replicaSize();
      const requests: FitRequest[] = Array.from({ length: replicas }, (_, i) => ({ what: `OpenFaaS function replica ${i + 1} of ${replicas}`, node: null, candidates, size }));
      checkFit(rooms, requests, SIZING_ADVICE);
    },

    async functionPlacement(names: readonly string[]) {
      const p = need();
      const placement = new Map<string, string[]>();
      if (names.length === 0) return placement;
      const pods = await p.core.listNamespacedPod({ namespace: FUNCTION_NAMESPACE, labelSelector: `faas_function in (${names.join(',')})` });
      for (const pod of pods.items) {
        const name = pod.metadata?.labels?.faas_function;
        const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        if (!name || !ready || pod.metadata?.deletionTimestamp || !pod.spec?.nodeName) continue;
        placement.set(name, [...(placement.get(name) ?? []), pod.spec.nodeName].sort());
      }
      return placement;
    },

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
      prepared = { kc, objects, core, serverVersion, nodes, config, createdNamespace: !existed, local };
      if (local) progress(`local cluster: replicas sized ${config.units.cpuRequest}/${config.units.memoryRequestMiB}Mi (limits ${config.units.cpuLimit}/${config.units.memoryLimitMiB}Mi), the load generator on node ${local.record.client.name}`);
      await apply(namespaceManifest(namespace));
    },

    describe(): TargetDescription {
      const p = prepared;
      const local = p?.local ?? null;
      // A local node's capacity as the kubelet reports it is the whole host; its quota is what it has.
      const quota = (name: string) => local?.record.nodes.find((n) => n.name === name);
      return {
        kind: 'kube',
        nodes: (p?.nodes ?? []).map((n) => ({ name: n.name, role: n.role, cpus: quota(n.name)?.cpus ?? n.cpus, memoryBytes: quota(n.name)?.memoryBytes ?? n.memoryBytes, ...(n.address ? { address: n.address } : {}) })),
        shaping: local ? local.record.shaping : 'none: traffic crosses the real network between the cluster nodes; fogbench applies no shaping on Kubernetes',
        details: {
          server: p?.kc.getCurrentCluster()?.server ?? null,
          context: p?.kc.getCurrentContext() ?? null,
          kubernetesVersion: p?.serverVersion ?? null,
          nodeVersions: Object.fromEntries((p?.nodes ?? []).map((n) => [n.name, { kubelet: n.kubeletVersion, os: n.osImage }])),
          namespace,
          placementPolicy:
            ((p?.nodes ?? []).filter((n) => n.role === 'worker' && n.ready).length >= 2
              ? 'p2p: worker service i on worker node i mod N, successive services on different nodes'
              : 'p2p: fewer than two worker nodes, so successive services may share a node and hops may not cross a network') +
            '; OpenFaaS: where the scheduler put each replica (CE ignores constraints), on the nodes open to any pod',
          // Filled as systems are deployed: each pod's spec.nodeName, for p2p units and OpenFaaS functions.
          observedPlacement,
          images: imageSource,
          imageRegistry: destination ? `${destination.registry} (${destination.kind === 'cluster' ? "the cluster's own" : '--registry'})` : null,
          unitResources: p?.config.units ?? null,
          clockOffsets,
          clockOffsetError: clockError,
          ...(local ? { localCluster: local.details() } : {}),
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
      await checkUnitsFit(units, placements);
      const refs = await buildImages(units);
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
      if (shells) for (const s of shells.values()) s.dispose();
      shells = undefined;
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
