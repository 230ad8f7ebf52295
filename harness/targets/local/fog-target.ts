/**
 * The `fog` target: a small fog cluster emulated on this host, modelled on Kubernetes. A node
 * is a cgroup (CPU quota, memory limit) plus a bridge behind one shaped link; a pod is a
 * network namespace on its node's bridge whose processes run in a child cgroup of the node.
 * Every unit is a pod; the load generator is a pod on the client node, so it never spends
 * the system's CPU quota. dispose() removes every process, namespace, interface, qdisc and
 * cgroup created, and is safe to call at any point, twice, or from a signal handler.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { readlink, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { FogbenchError, deployError, environmentError, usageError } from '../../errors.ts';
import type { TargetDescription } from '../../results/schema.ts';
import type { ClientCgroup, ClientSpec, DeployOptions, Deployment, Endpoint, HttpProbe, Observer, Placement, Probes, RunningUnit, Target, TargetCapabilities, UnitSpec } from '../target.ts';
import { BLOCK_COUNT, MAX_NODES, PODS_PER_NODE, podAddress } from './addresses.ts';
import { resolveArg, resolveCommand } from './commands.ts';
import { describeFog } from './describe.ts';
import { detectCgroups, type CgroupDriver } from './cgroups.ts';
import { HostCommands, requireHostTools } from './host-tools.ts';
import { FogNames, newTag, sanitize } from './names.ts';
import { FogPod, type FogContainerSpec } from './fog-pod.ts';
import { FogNetwork, type PodNetwork } from './network.ts';
import { FogObserver, type LoggedEvent, type ObservedNode } from './observer.ts';
import { removeOwner, writeOwner } from './owner.ts';
import { makePodFolders, removePodFolders } from './pod-folders.ts';
import { cleanupLeftovers, describeCleaned } from './cleanup.ts';
import { createFogFaults, type FogFaultAccess } from './fog-faults.ts';
import { PodProcess } from './pod-process.ts';
import type { RestartPolicy } from './supervised-unit.ts';
import { ensureLinkDelayBinary, startLinkDelay } from './link-delay.ts';
import { linkQdiscCommands, type DelayMethod } from './shaping.ts';
import { SPANS_SOCKET_ENV } from '../../dataflow/span-output.ts';
import { listenForSpans, type SpanSocket } from './span-socket.ts';
import { DEFAULT_TOPOLOGY_FILE, loadTopology, nodeCpuCount, workloadNodes, type FogNodeSpec, type Topology, type TopologyOverrides } from './topology.ts';
import { after, type Timer } from '../../timers.ts';

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

interface Pod {
  name: string;
  service: string;
  node: FogNodeSpec;
  network: PodNetwork;
  group: string;
  /** Each container's name and cgroup (accounting groups too), for per-container samples. */
  containers: { name: string; group: string }[];
  port: number;
  pod: FogPod;
  oomKills: number;
}

/** What the target needs to start one pod. */
interface PodStart {
  name: string;
  service: string;
  sandbox: Sandbox;
  port: number;
  restartPolicy: RestartPolicy;
  containers: {
    name: string;
    unitName: string;
    command: string;
    args: string[];
    env: Record<string, string>;
    probes: Probes;
    accountingGroups: { name: string; executable: string }[];
  }[];
  workDir: string;
}

interface Sandbox {
  node: FogNodeSpec;
  network: PodNetwork;
  group: string;
  ordinal: number;
  tmpDir: string;
  /** Where the pod's processes write their spans (span-socket.ts); none for the client pod. */
  spans?: SpanSocket;
}

type ReadyOutcome =
  | { kind: 'ready' }
  | { kind: 'exited'; container: string; status: { code: number | null; signal: NodeJS.Signals | null } }
  | { kind: 'timeout' }
  | { kind: 'aborted' };

/**
 * Without probes of its own, a unit is ready once GET healthPath answers 200, probed as
 * Kubernetes' defaults probe (every 10 s, 1 s timeout, 3 failures).
 */
function healthProbe(path: string, port: number): HttpProbe {
  return { path, port, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
}

/** A container's cgroup folder under its pod's. */
function containerGroupName(container: string): string {
  return `c-${sanitize(container)}`;
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
  private loaded: Topology | null = null;
  private delay: DelayMethod = 'none';
  private readonly pods = new Set<Pod>();
  private readonly relays: PodProcess[] = [];
  private linkDelayBinary: string | null = null;
  /** Host numbers in use per node: an ended pod's address goes back to the pool. */
  private readonly podOrdinals = new Map<string, Set<number>>();
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
      this.network = new FogNetwork(host, this.names, block);
      this.checkOpen();
      await this.network.createSwitch();
      if (topology.nodes.some((n) => n.link.latencyMs > 0)) this.delay = await this.chooseDelayMethod();
      if (this.delay === 'relay') await cgroups.create(this.relayGroup, { cpus: null, memoryBytes: null });
      for (const [index, node] of topology.nodes.entries()) {
        this.checkOpen();
        const relayed = node.link.latencyMs > 0 && this.delay === 'relay';
        if (relayed) {
          const relay = await startLinkDelay({
            binary: this.linkDelayBinary!,
            ipPath: host.tools.ip,
            nodeSide: this.names.uplinkNodeSide(index),
            switchSide: this.names.uplinkSwitchSide(index),
            latencyMs: node.link.latencyMs,
            jitterMs: node.link.jitterMs,
            cgroupProcsFiles: cgroups.procsFiles(this.relayGroup),
          });
          this.relays.push(relay);
          // A dead relay is a cut link: every later request across it fails, so say why.
          void relay.exited.then(({ code, signal }) => {
            if (this.closed) return;
            const detail = `link-delay relay ended (${signal ?? `code ${code}`}): the node's link is down`;
            this.log.push({ atMs: Date.now(), kind: 'info', subject: `link ${node.name}`, node: node.name, detail });
          });
        }
        const ends = await this.network.createNode(index, relayed);
        await cgroups.create(this.nodeGroup(node), { cpus: node.cpus, memoryBytes: node.memoryBytes });
        for (const device of [ends.switchSide, ends.nodeSide]) {
          for (const args of linkQdiscCommands(device, node.link, this.delay)) await host.tc(args);
        }
      }
      this.oomTimer = setInterval(() => void this.track(this.pollOomKills()), 1000);
      this.oomTimer.unref();
    } catch (error) {
      await this.dispose();
      throw error;
    }
  }

  private loadTopology(): Promise<Topology> {
    return loadTopology(this.options.topologyFile ?? DEFAULT_TOPOLOGY_FILE, this.options.hostCpus ?? availableParallelism(), this.options.overrides);
  }

  /**
   * Latency only needs a method when a link asks for it: netem where the kernel has it, else
   * the userspace relay (built on first use).
   */
  private async chooseDelayMethod(): Promise<DelayMethod> {
    const bridge = this.names.switchBridge;
    try {
      await this.host!.tc(['qdisc', 'add', 'dev', bridge, 'root', 'netem', 'delay', '1ms']);
      await this.host!.tc(['qdisc', 'del', 'dev', bridge, 'root']);
      return 'netem';
    } catch {
      this.linkDelayBinary = this.options.linkDelayBinary ?? (await ensureLinkDelayBinary(this.searchPath));
      return 'relay';
    }
  }

  private get hostCpus(): number {
    return this.options.hostCpus ?? availableParallelism();
  }

  private get relayGroup(): string {
    return `${this.names.cgroupRoot}/links`;
  }

  describe(): TargetDescription {
    return describeFog({
      topology: this.topology,
      block: this.network?.block ?? 0,
      delay: this.delay,
      hostCpus: this.hostCpus,
      cgroups: this.cgroups,
      objectPrefix: this.names.root,
    });
  }

  async deploy(units: UnitSpec[], options: DeployOptions): Promise<Deployment> {
    this.checkOpen();
    const names = new Set<string>();
    for (const unit of units) {
      if (names.has(unit.name)) throw deployError(`two units are called "${unit.name}"`);
      names.add(unit.name);
    }
    this.checkCapacity(units);
    const pods: Pod[] = [];
    const placed: (Sandbox & { unit: UnitSpec })[] = [];
    const stopAll = async () => {
      await Promise.all(pods.map((pod) => this.removePod(pod)));
      for (const p of placed) await this.destroyPodSandbox(p);
    };
    // The Endpoints a Kubernetes controller would publish: every pod, ready or not.
    const publish = () =>
      options.onEndpoints?.(pods.map((p) => ({ unit: p.name, service: p.service, host: p.network.address, port: p.port, ready: p.pod.isReady })));
    try {
      for (const unit of units) {
        const node = this.nodeFor(unit.placement);
        const containers = [unit.container ?? unit.name, ...(unit.accountingGroups ?? []).map((g) => g.name), ...(unit.sidecars ?? []).map((c) => c.name)];
        placed.push({ unit, ...(await this.createPodSandbox(unit.name, node, unit.memoryLimitBytes ?? null, containers)) });
      }
      const endpoints = new Map<string, Endpoint>(placed.map((p) => [p.unit.name, { host: p.network.address, port: p.unit.port }]));
      for (const sandbox of placed) {
        this.checkOpen();
        const { unit, node } = sandbox;
        sandbox.spans = await listenForSpans(join(sandbox.tmpDir, 'spans.sock'), (line) => options.onLine(unit.name, line));
        // The target is the one that knows the node: its FOGBENCH_NODE wins over the unit's; Go
        // programs (gateway, provider, watchdogs) size their schedulers by the node's CPUs.
        const podEnv = {
          PATH: this.searchPath,
          FOGBENCH_NODE: node.name,
          GOMAXPROCS: String(nodeCpuCount(node, this.hostCpus)),
          [SPANS_SOCKET_ENV]: sandbox.spans.path,
        };
        const pod = this.startPod(
          {
            name: unit.name,
            service: unit.service ?? unit.name,
            sandbox,
            port: unit.port,
            restartPolicy: this.options.restartPolicy ?? 'always',
            workDir: unit.artifactDir,
            containers: [
              {
                name: unit.container ?? unit.name,
                unitName: unit.name,
                command: unit.command,
                args: unit.args,
                env: { ...unit.env(endpoints), ...podEnv },
                probes: unit.probes ?? { readiness: healthProbe(unit.healthPath, unit.port) },
                accountingGroups: unit.accountingGroups ?? [],
              },
              ...(unit.sidecars ?? []).map((c) => ({
                name: c.name,
                unitName: `${unit.name}/${c.name}`,
                command: c.command,
                args: c.args,
                env: { ...c.env(endpoints), ...podEnv },
                probes: c.probes ?? {},
                accountingGroups: [],
              })),
            ],
          },
          publish,
        );
        for (const running of pod.pod.units) running.onLine((line) => options.onLine(unit.name, line));
        pods.push(pod);
      }
      publish();
      const outcomes = await Promise.all(pods.map(async (pod) => ({ pod, outcome: await this.waitReady(pod, options.readyTimeoutMs, options.signal) })));
      const failed = outcomes.find((o) => o.outcome.kind !== 'ready');
      if (failed !== undefined) {
        if (failed.outcome.kind === 'aborted') throw new FogbenchError('interrupted', 'interrupted while deploying');
        throw deployError(this.notReadyMessage(failed.pod, failed.outcome, options.readyTimeoutMs));
      }
      for (const { pod } of outcomes) pod.pod.enableRestarts();
    } catch (error) {
      await stopAll();
      // dispose() from a signal handler kills the units under a deploy: that is not their fault.
      if (this.closed && !(error instanceof FogbenchError && error.code === 'interrupted')) {
        throw new FogbenchError('interrupted', 'interrupted while deploying', { cause: error });
      }
      throw error;
    }
    const placement = new Map(pods.map((pod) => [pod.name, pod.node.name]));
    let stopped: Promise<void> | null = null;
    return {
      endpoints: new Map(pods.map((pod) => [pod.name, { host: pod.network.address, port: pod.port }])),
      units: pods.flatMap((pod) => pod.pod.units),
      placement,
      stop: () => (stopped ??= stopAll()),
    };
  }

  private async waitReady(pod: Pod, timeoutMs: number, signal: AbortSignal | undefined): Promise<ReadyOutcome> {
    let timer: Timer | undefined;
    let onAbort: (() => void) | undefined;
    const outcomes: Promise<ReadyOutcome>[] = [
      pod.pod.firstReady().then(() => ({ kind: 'ready' as const })),
      pod.pod.firstExit().then(({ container, status }) => ({ kind: 'exited' as const, container, status })),
      new Promise((resolve) => (timer = after(timeoutMs, () => resolve({ kind: 'timeout' })))),
      new Promise((resolve) => {
        if (signal?.aborted) return resolve({ kind: 'aborted' });
        onAbort = () => resolve({ kind: 'aborted' });
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ];
    try {
      return await Promise.race(outcomes);
    } finally {
      timer?.clear();
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  async startClient(spec: ClientSpec): Promise<RunningUnit> {
    this.checkOpen();
    const node = this.nodeFor({ role: 'client' });
    const sandbox = await this.createPodSandbox(spec.name, node, null, [spec.name]);
    const pod = this.startPod(
      {
        name: spec.name,
        service: spec.name,
        sandbox,
        port: 0,
        // The load generator ending is the end of a profile: never restarted, not an event.
        restartPolicy: 'never',
        workDir: process.cwd(),
        containers: [{ name: spec.name, unitName: spec.name, command: spec.command, args: spec.args, env: { PATH: this.searchPath, ...spec.env }, probes: {}, accountingGroups: [] }],
      },
      () => undefined,
      true,
    );
    const unit = pod.pod.units[0]!;
    // A client pod lives as long as its process: the next profile gets a fresh one.
    this.track(
      unit.exited.then(async () => {
        await this.removePod(pod);
        await this.destroyPodSandbox(sandbox);
      }),
    );
    return unit;
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
    if (this.delay === 'relay') nodes.push({ name: 'link-delay', group: this.relayGroup, cpuLimit: null });
    // Per pod and per container as well as per node: their child cgroups.
    for (const pod of this.pods) {
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
    const errors: unknown[] = [];
    const attempt = async (step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    };
    // A squeezed quota or a cut link is undone first, while its objects still exist.
    await attempt(() => this.capabilities.faults!.revertAll());
    await Promise.all([...this.pods].map((pod) => attempt(() => this.removePod(pod, 2000))));
    await attempt(() => Promise.all(this.pending));
    await Promise.all(this.relays.splice(0).map((relay) => attempt(() => relay.stop('SIGTERM', 1000))));
    if (this.cgroups !== null) await attempt(() => this.cgroups!.remove(this.names.cgroupRoot));
    if (this.network !== null) await attempt(() => this.network!.dispose());
    await attempt(async () => removePodFolders(this.names.root, this.podTmpRoot));
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
      delay: this.delay,
      nodes: this.topology.nodes.map((node, index) => ({
        ...node,
        group: this.nodeGroup(node),
        devices: [this.names.uplinkSwitchSide(index), this.names.uplinkNodeSide(index)],
      })),
      pods: [...this.pods].map((p) => ({
        name: p.name,
        service: p.service,
        node: p.node.name,
        group: p.group,
        containers: p.pod.units.map((u) => ({ unit: u.name, pid: u.pid, running: !u.process.hasExited })),
      })),
    };
  }

  /**
   * Each node's pods take their addresses from its /24: a plan that cannot fit (--replicas 300)
   * is refused before any pod is made, as a usage error saying what to lower.
   */
  private checkCapacity(units: readonly UnitSpec[]): void {
    const perNode = new Map<FogNodeSpec, number>();
    for (const unit of units) {
      const node = this.nodeFor(unit.placement);
      perNode.set(node, (perNode.get(node) ?? 0) + 1);
    }
    for (const [node, count] of perNode) {
      const there = this.podOrdinals.get(node.name)?.size ?? 0;
      if (there + count > PODS_PER_NODE) {
        throw usageError(`this deployment puts ${count} pods on fog node ${node.name}${there ? ` beside the ${there} there` : ''}; at most ${PODS_PER_NODE} fit on one node: lower --replicas, or use a topology with more worker nodes`);
      }
    }
  }

  private nodeFor(placement: Placement): FogNodeSpec {
    const ofRole = placement.role === 'worker' ? workloadNodes(this.topology) : this.topology.nodes.filter((n) => n.role === placement.role);
    if (placement.role === 'worker') return ofRole[((placement.index % ofRole.length) + ofRole.length) % ofRole.length]!;
    return ofRole[0]!;
  }

  private nodeGroup(node: FogNodeSpec): string {
    return `${this.names.cgroupRoot}/${node.name}`;
  }

  private async createPodSandbox(name: string, node: FogNodeSpec, memoryLimitBytes: number | null, containers: string[]): Promise<Sandbox> {
    const nodeIndex = this.topology.nodes.indexOf(node);
    const used = this.podOrdinals.get(node.name) ?? new Set<number>();
    this.podOrdinals.set(node.name, used);
    let ordinal = 0;
    while (used.has(ordinal)) ordinal++;
    used.add(ordinal);
    try {
      const network = await this.network!.createPod(name, nodeIndex, podAddress(this.network!.block, nodeIndex, ordinal));
      const group = `${this.nodeGroup(node)}/${network.netns}`;
      await this.cgroups!.create(group, { cpus: null, memoryBytes: memoryLimitBytes });
      // One leaf group per container: the pod's group holds no process (cgroup v2's rule).
      for (const container of containers) await this.cgroups!.create(`${group}/${containerGroupName(container)}`, { cpus: null, memoryBytes: null });
      // A private /tmp, as a container has: of-watchdog's lock file must not be shared.
      const tmpDir = join(this.podTmpRoot, network.netns);
      mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
      return { node, network, group, ordinal, tmpDir };
    } catch (error) {
      used.delete(ordinal);
      throw error;
    }
  }

  /** Removes a pod's cgroup (killing what is left in it), namespace and /tmp, and frees its address. */
  private async destroyPodSandbox(sandbox: Sandbox): Promise<void> {
    await this.cgroups!.remove(sandbox.group);
    await sandbox.spans?.close();
    await this.network!.removePod(sandbox.network);
    rmSync(sandbox.tmpDir, { recursive: true, force: true });
    this.podOrdinals.get(sandbox.node.name)?.delete(sandbox.ordinal);
  }

  private get podTmpRoot(): string {
    return join(tmpdir(), this.names.root);
  }

  /** Starts a pod's containers under supervision, each in its own cgroup in the pod's namespace. */
  private startPod(start: PodStart, publish: () => void, client = false): Pod {
    const { sandbox } = start;
    const groupOf = (container: string) => `${sandbox.group}/${containerGroupName(container)}`;
    const record: Pod = {
      name: start.name,
      service: start.service,
      node: sandbox.node,
      network: sandbox.network,
      group: sandbox.group,
      port: start.port,
      containers: start.containers.flatMap((c) => [c.name, ...c.accountingGroups.map((g) => g.name)]).map((name) => ({ name, group: groupOf(name) })),
      oomKills: 0,
    } as Pod;
    const specs: FogContainerSpec[] = start.containers.map((c) => {
      const process = {
        name: c.unitName,
        ipPath: this.host!.tools.ip,
        netns: sandbox.network.netns,
        cgroupProcsFiles: this.cgroups!.procsFiles(groupOf(c.name)),
        command: resolveCommand(c.command, start.workDir, this.searchPath),
        args: c.args.map((arg) => resolveArg(arg, start.workDir)),
        env: { FOGBENCH_POD: start.name, FOGBENCH_POD_ADDRESS: sandbox.network.address, TMPDIR: sandbox.tmpDir, ...c.env },
        cwd: start.workDir,
      };
      const start_ = () => {
        const started = new PodProcess(process);
        // Inside the pod /sys is the namespace's own (ip netns exec), without cgroupfs, so the
        // processes to account apart are moved from out here once they appear.
        if (c.accountingGroups.length) this.track(this.sortIntoAccountingGroups(groupOf(c.name), c.accountingGroups.map((g) => ({ ...g, group: groupOf(g.name) })), started));
        return started;
      };
      return { name: c.name, unitName: c.unitName, groups: [c.name, ...c.accountingGroups.map((g) => g.name)].map(groupOf), probes: c.probes, start: start_ };
    });
    record.pod = new FogPod(
      start.name,
      specs,
      {
        restartPolicy: start.restartPolicy,
        restartBackoffMs: this.options.restartBackoffMs ?? 10_000,
        livenessKillGraceMs: this.options.livenessKillGraceMs ?? 30_000,
        address: sandbox.network.address,
      },
      {
        record: (kind, subject, detail) => {
          if (!client && this.pods.has(record)) this.log.push({ atMs: Date.now(), kind, subject, node: record.node.name, detail });
        },
        killGroups: (groups) => this.killGroups(groups),
        onExit: () => this.checkOom(record),
        onReadiness: () => publish(),
        track: (promise) => this.track(promise),
      },
    );
    this.pods.add(record);
    return record;
  }

  /**
   * Moves processes of a container whose executable matches an accounting group into that
   * group, polling until each group has one or the container's process ends (10 s at most:
   * of-watchdog starts its function at once).
   */
  private async sortIntoAccountingGroups(containerGroup: string, groups: { executable: string; group: string }[], started: PodProcess): Promise<void> {
    const pending = new Set(groups);
    const deadline = Date.now() + 10_000;
    while (pending.size > 0 && !started.hasExited && Date.now() < deadline) {
      for (const pid of await this.cgroups!.pids(containerGroup).catch(() => [] as number[])) {
        const exe = await readlink(`/proc/${pid}/exe`).catch(() => '');
        const match = [...pending].find((g) => basename(exe) === g.executable);
        if (!match) continue;
        for (const file of this.cgroups!.procsFiles(match.group)) await writeFile(file, String(pid)).catch(() => undefined);
        pending.delete(match);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGKILLs what is left in a container's groups once its main process ended (as a runtime does). */
  private async killGroups(groups: string[]): Promise<void> {
    for (const group of groups) {
      const pids = await this.cgroups!.pids(group).catch(() => [] as number[]);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }

  private async removePod(pod: Pod, graceMs = this.options.stopGraceMs ?? 5000): Promise<void> {
    if (!this.pods.has(pod)) return;
    this.pods.delete(pod); // a stop we asked for is not an event
    await pod.pod.stop(graceMs);
  }

  private async pollOomKills(): Promise<void> {
    for (const pod of [...this.pods]) await this.checkOom(pod);
  }

  /** The kernel counts OOM kills per cgroup; a rise means one of the pod's processes was killed. */
  private async checkOom(pod: Pod): Promise<void> {
    // cgroup v1 counts a kill in the victim's own group (a container's), v2 in its ancestors too:
    // the pod's count is the largest of its group's and the sum of its containers'.
    const count = (group: string) => this.cgroups!.oomKills(group).catch(() => 0);
    const own = await count(pod.group);
    const containers = (await Promise.all(pod.containers.map((c) => count(c.group)))).reduce((a, b) => a + b, 0);
    const kills = Math.max(own, containers);
    if (kills > pod.oomKills) {
      this.record('oom-kill', pod, `${kills - pod.oomKills} process(es) killed by the kernel OOM killer (pod memory limit or node limit)`);
      pod.oomKills = kills;
    }
  }

  private record(kind: LoggedEvent['kind'], pod: Pod, detail: string): void {
    this.log.push({ atMs: Date.now(), kind, subject: pod.name, node: pod.node.name, detail });
  }

  private notReadyMessage(pod: Pod, outcome: ReadyOutcome, timeoutMs: number): string {
    const why =
      outcome.kind === 'exited'
        ? `${outcome.container === pod.name ? '' : `container ${outcome.container} `}exited (${outcome.status.signal ?? `code ${outcome.status.code}`}) before it was ready`
        : `was not ready within ${Math.round(timeoutMs / 1000)} s (readiness probe)`;
    const tail = pod.pod.stderrTail().trim().split('\n').slice(-5).join(' | ');
    return `unit ${pod.name} on fog node ${pod.node.name} (${pod.network.address}:${pod.port}) ${why}${tail ? `; stderr: ${tail}` : ''}`;
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private checkOpen(): void {
    if (this.closed) throw new FogbenchError('interrupted', 'the fog target is being disposed');
  }
}
