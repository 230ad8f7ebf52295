/**
 * The `fog` target: a small fog cluster emulated on this host, modelled on Kubernetes. A node
 * is a cgroup (CPU quota, memory limit) plus a bridge behind one shaped link; a pod is a
 * network namespace on its node's bridge whose processes run in a child cgroup of the node.
 * Every unit is a pod; the load generator is a pod on the client node, so it never spends
 * the system's CPU quota. dispose() removes every process, namespace, interface, qdisc and
 * cgroup created, and is safe to call at any point, twice, or from a signal handler.
 *
 * This file holds the target's life (prepare, describe, observe, dispose) and its owner record;
 * the nodes and links are fog-links.ts's, the pods fog-pods.ts's, deploying them fog-deploy.ts's
 * and --fault fog-faults.ts's (README.md maps the folder).
 */
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FogbenchError, environmentError, errorCollector } from '../../errors.ts';
import type { TargetDescription } from '../../results/schema.ts';
import type { ClientCgroup, ClientSpec, DeployOptions, Deployment, Observer, Placement, RunningUnit, Target, TargetCapabilities, UnitSpec } from '../target.ts';
import { BLOCK_COUNT, MAX_NODES } from './addresses.ts';
import { describeFog } from './describe.ts';
import { detectCgroups, type CgroupDriver } from './cgroups.ts';
import { HostCommands, requireHostTools } from './host-tools.ts';
import { FogNames, newTag } from './names.ts';
import { FogNetwork } from './network.ts';
import { FogObserver, type LoggedEvent, type ObservedNode } from './observer.ts';
import { removeOwner, writeOwner } from './owner.ts';
import { makePodFolders, removePodFolders } from './pod-folders.ts';
import { cleanupLeftovers, describeCleaned } from './cleanup.ts';
import { createFogFaults, type FogFaultAccess } from './fog-faults.ts';
import { FogLinks } from './fog-links.ts';
import { FogPods } from './fog-pods.ts';
import { deployPods, startClientPod, type DeployContext } from './fog-deploy.ts';
import type { RestartPolicy } from './supervised-unit.ts';
import { DEFAULT_TOPOLOGY_FILE, loadTopology, workloadNodes, type FogNodeSpec, type Topology, type TopologyOverrides } from './topology.ts';

export interface FogTargetOptions {
  runId: string;
  topologyFile?: string;
  overrides?: TopologyOverrides;
  /** Where to look for ip, tc and commands given by name; default: the PATH of this process. */
  searchPath?: string;
  /** Cores the `auto` scale divides; default: this host's. */
  hostCpus?: number;
  /** Grace between SIGTERM and SIGKILL when stopping units. */
  stopGraceMs?: number;
  /** What happens when a unit's process ends on its own after it was healthy; default 'always', as Kubernetes. */
  restartPolicy?: RestartPolicy;
  /** First restart back-off (doubling up to 5 min); default 10 s, as the kubelet. */
  restartBackoffMs?: number;
  /** SIGTERM → SIGKILL grace when a liveness probe kills a container; default 30 s, as Kubernetes. */
  livenessKillGraceMs?: number;
  /** A prebuilt fogbench-link-delay (else built with Go on first use when a link needs latency). */
  linkDelayBinary?: string;
  /** Folder of owner records (owner.ts); default /run/fogbench. Tests use a folder of their own. */
  ownerDir?: string;
  /** Told what prepare() removed of a killed run's leftovers. */
  progress?: (message: string) => void;
}

export interface FogTarget extends Target {
  readonly kind: 'fog';
  /** The host's address on the fog switch (health checks come from it). */
  readonly hostAddress: string;
  readonly topology: Topology;
}

export function createFogTarget(options: FogTargetOptions): FogTarget {
  return new FogTargetImpl(options);
}

class FogTargetImpl implements FogTarget {
  readonly kind = 'fog' as const;
  readonly capabilities: TargetCapabilities = {
    podNetwork: true,
    probes: true,
    faults: createFogFaults(
      () => this.faultAccess(),
      async () => (this.loaded ?? (await this.loadTopology())).nodes.map((n) => ({ name: n.name, role: n.role })),
    ),
  };
  private readonly searchPath: string;
  private readonly names = new FogNames(newTag());
  private host: HostCommands | null = null;
  private cgroups: CgroupDriver | null = null;
  private network: FogNetwork | null = null;
  private links: FogLinks | null = null;
  private pods: FogPods | null = null;
  private loaded: Topology | null = null;
  private readonly log: LoggedEvent[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private oomTimer: NodeJS.Timeout | null = null;
  private ownerWritten = false;
  private closed = false;
  private disposing: Promise<void> = Promise.resolve();

  constructor(private readonly options: FogTargetOptions) {
    this.searchPath = options.searchPath ?? process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin';
  }

  get topology(): Topology {
    if (this.loaded === null) throw new Error('fog target: prepare() has not run');
    return this.loaded;
  }

  get hostAddress(): string {
    if (this.network === null) throw new Error('fog target: prepare() has not run');
    return this.network.hostAddress;
  }

  async prepare(): Promise<void> {
    if (this.network !== null) return;
    const host = new HostCommands(requireHostTools(this.searchPath));
    const cgroups = detectCgroups();
    const topology = await this.loadTopology();
    if (topology.nodes.length > MAX_NODES) throw environmentError(`the fog target supports at most ${MAX_NODES} nodes`);
    // What a killed run left (exactly what its owner record lists) goes before anything is made.
    const leftovers = await cleanupLeftovers({ searchPath: this.searchPath, ownerDir: this.options.ownerDir, cgroups });
    for (const line of describeCleaned(leftovers)) this.options.progress?.(line);
    this.host = host;
    this.cgroups = cgroups;
    this.loaded = topology;
    try {
      writeOwner(this.names.root, this.options.runId, this.options.ownerDir);
      this.ownerWritten = true;
      makePodFolders(this.names.root, this.podTmpRoot);
      const preferred = parseInt(this.names.tag, 36) % BLOCK_COUNT;
      const block = await FogNetwork.chooseBlock(host, preferred);
      if (block === null) {
        throw environmentError('every address block of 198.18.0.0/15 is in use on this host; run `npm run bench -- --cleanup`');
      }
      const network = new FogNetwork(host, this.names, block);
      const nodeGroup = (node: FogNodeSpec) => this.nodeGroup(node);
      this.network = network;
      this.links = new FogLinks({
        host,
        cgroups,
        network,
        names: this.names,
        searchPath: this.searchPath,
        linkDelayBinary: this.options.linkDelayBinary,
        nodeGroup,
        checkOpen: () => this.checkOpen(),
        onRelayEnded: (node, detail) => {
          if (!this.closed) this.log.push({ atMs: Date.now(), kind: 'info', subject: `link ${node.name}`, node: node.name, detail });
        },
      });
      this.pods = new FogPods({
        host,
        cgroups,
        network,
        nodes: topology.nodes,
        nodeGroup,
        tmpRoot: this.podTmpRoot,
        searchPath: this.searchPath,
        restartBackoffMs: this.options.restartBackoffMs ?? 10_000,
        livenessKillGraceMs: this.options.livenessKillGraceMs ?? 30_000,
        stopGraceMs: this.options.stopGraceMs ?? 5000,
        log: this.log,
        track: (promise) => this.track(promise),
      });
      this.checkOpen();
      await this.links.build(topology);
      const pods = this.pods;
      this.oomTimer = setInterval(() => void this.track(pods.pollOomKills()), 1000);
      this.oomTimer.unref();
    } catch (error) {
      await this.dispose();
      throw error;
    }
  }

  private loadTopology(): Promise<Topology> {
    return loadTopology(this.options.topologyFile ?? DEFAULT_TOPOLOGY_FILE, this.options.hostCpus ?? availableParallelism(), this.options.overrides);
  }

  private get hostCpus(): number {
    return this.options.hostCpus ?? availableParallelism();
  }

  describe(): TargetDescription {
    return describeFog({
      topology: this.topology,
      block: this.network?.block ?? 0,
      delay: this.links?.delay ?? 'none',
      hostCpus: this.hostCpus,
      cgroups: this.cgroups,
      objectPrefix: this.names.root,
    });
  }

  async deploy(units: UnitSpec[], options: DeployOptions): Promise<Deployment> {
    return deployPods(this.deployContext(), units, options);
  }

  async startClient(spec: ClientSpec): Promise<RunningUnit> {
    return startClientPod(this.deployContext(), spec);
  }

  /** What fog-deploy.ts needs, once the target is prepared and while it is open. */
  private deployContext(): DeployContext {
    this.checkOpen();
    if (this.pods === null) throw new Error('fog target: prepare() has not run');
    return {
      pods: this.pods,
      nodeFor: (placement) => this.nodeFor(placement),
      searchPath: this.searchPath,
      hostCpus: this.hostCpus,
      restartPolicy: this.options.restartPolicy ?? 'always',
      checkOpen: () => this.checkOpen(),
      closed: () => this.closed,
      track: (promise) => this.track(promise),
    };
  }

  clientCgroup(): ClientCgroup | null {
    if (!this.cgroups || !this.loaded) return null;
    const group = this.nodeGroup(this.nodeFor({ role: 'client' }));
    const m = this.cgroups.mounts;
    if (this.cgroups.version === 2) return { version: 2, cpuDir: join(m.unified!, group), cpuacctDir: join(m.unified!, group) };
    return { version: 1, cpuDir: join(m.cpu!, group), cpuacctDir: join(m.cpuacct!, group) };
  }

  observe(deployment: Deployment, t0: number): Observer {
    void deployment; // every node is sampled: the client's and idle nodes' load matter too
    const nodes: ObservedNode[] = this.topology.nodes.map((n) => ({ name: n.name, group: this.nodeGroup(n), cpuLimit: n.cpus }));
    // The delay relays spend host CPU outside every node's quota: sampled so a reader sees it.
    if (this.links?.delay === 'relay') nodes.push({ name: 'link-delay', group: this.links.relayGroup, cpuLimit: null });
    // Per pod and per container as well as per node: their child cgroups.
    for (const pod of this.pods?.list() ?? []) {
      nodes.push({ name: pod.node.name, unit: pod.name, group: pod.group, cpuLimit: null });
      if (pod.containers.length < 2) continue;
      for (const c of pod.containers) nodes.push({ name: pod.node.name, unit: pod.name, container: c.name, group: c.group, cpuLimit: null });
    }
    return new FogObserver(this.cgroups!, nodes, this.log, t0);
  }

  dispose(): Promise<void> {
    this.closed = true;
    // Serialised: a second call (e.g. from a signal handler) waits for the first, then
    // finds nothing left to remove.
    this.disposing = this.disposing.then(() => this.removeEverything());
    return this.disposing;
  }

  private async removeEverything(): Promise<void> {
    if (this.oomTimer !== null) clearInterval(this.oomTimer);
    this.oomTimer = null;
    const { errors, attempt } = errorCollector();
    // A squeezed quota or a cut link is undone first, while its objects still exist.
    await attempt(() => this.capabilities.faults!.revertAll());
    const pods = this.pods;
    if (pods !== null) await Promise.all(pods.list().map((pod) => attempt(() => pods.remove(pod, 2000))));
    await attempt(() => Promise.all(this.pending));
    await Promise.all((this.links?.takeRelays() ?? []).map((relay) => attempt(() => relay.stop('SIGTERM', 1000))));
    if (this.cgroups !== null) await attempt(() => this.cgroups!.remove(this.names.cgroupRoot));
    if (this.network !== null) await attempt(() => this.network!.dispose());
    await attempt(() => removePodFolders(this.names.root, this.podTmpRoot));
    if (this.ownerWritten && errors.length === 0) {
      removeOwner(this.names.root, this.options.ownerDir);
      this.ownerWritten = false;
    }
    if (errors.length > 0) {
      const first = errors[0];
      throw first instanceof FogbenchError ? first : environmentError(`fog cleanup failed: ${String((first as Error)?.message ?? first)}; run \`npm run bench -- --cleanup\``, first);
    }
  }

  /** What --fault acts on (fog-faults.ts): the nodes' cgroups and link ends, the pods' cgroups and processes. */
  private faultAccess(): FogFaultAccess {
    if (this.network === null) throw new Error('fog target: prepare() has not run');
    return {
      cgroups: this.cgroups!,
      host: this.host!,
      hostAddress: this.network.hostAddress,
      delay: this.links?.delay ?? 'none',
      nodes: this.topology.nodes.map((node, index) => ({
        ...node,
        group: this.nodeGroup(node),
        devices: [this.names.uplinkSwitchSide(index), this.names.uplinkNodeSide(index)],
      })),
      pods: (this.pods?.list() ?? []).map((p) => ({
        name: p.name,
        service: p.service,
        node: p.node.name,
        group: p.group,
        containers: p.pod.units.map((u) => ({ unit: u.name, pid: u.pid, running: !u.process.hasExited })),
      })),
    };
  }

  private nodeFor(placement: Placement): FogNodeSpec {
    const ofRole = placement.role === 'worker' ? workloadNodes(this.topology) : this.topology.nodes.filter((n) => n.role === placement.role);
    if (placement.role === 'worker') return ofRole[((placement.index % ofRole.length) + ofRole.length) % ofRole.length]!;
    return ofRole[0]!;
  }

  private nodeGroup(node: FogNodeSpec): string {
    return `${this.names.cgroupRoot}/${node.name}`;
  }

  /** The pods' private /tmp folders go under this one. */
  private get podTmpRoot(): string {
    return join(tmpdir(), this.names.root);
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private checkOpen(): void {
    if (this.closed) throw new FogbenchError('interrupted', 'the fog target is being disposed');
  }
}
