/**
 * The `fog` target: a small fog cluster emulated on this host, modelled on Kubernetes. A node
 * is a cgroup (CPU quota, memory limit) plus a bridge behind one shaped link; a pod is a
 * network namespace on its node's bridge whose processes run in a child cgroup of the node.
 * Every unit is a pod; the load generator is a pod on the client node, so it never spends
 * the system's CPU quota. dispose() removes every process, namespace, interface, qdisc and
 * cgroup created, and is safe to call at any point, twice, or from a signal handler.
 */
import { availableParallelism } from 'node:os';
import { FogbenchError, deployError, environmentError } from '../../errors.ts';
import type { TargetDescription } from '../../results/schema.ts';
import type { ClientSpec, DeployOptions, Deployment, Endpoint, Observer, Placement, RunningUnit, Target, UnitSpec } from '../target.ts';
import { BLOCK_COUNT, MAX_NODES, podAddress } from './addresses.ts';
import { resolveArg, resolveCommand } from './commands.ts';
import { describeFog } from './describe.ts';
import { detectCgroups, type CgroupDriver } from './cgroups.ts';
import { waitHealthy } from '../process/health.ts';
import { HostCommands, requireHostTools } from './host-tools.ts';
import { FogNames, newTag } from './names.ts';
import { FogNetwork, type PodNetwork } from './network.ts';
import { FogObserver, type LoggedEvent, type ObservedNode } from './observer.ts';
import { removeOwner, writeOwner } from './owner.ts';
import { PodProcess } from './pod-process.ts';
import { SupervisedUnit, type RestartPolicy } from './supervised-unit.ts';
import { ensureLinkDelayBinary, startLinkDelay } from './link-delay.ts';
import { linkQdiscCommands, type DelayMethod } from './shaping.ts';
import { DEFAULT_TOPOLOGY_FILE, loadTopology, type FogNodeSpec, type Topology, type TopologyOverrides } from './topology.ts';

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
  /** A prebuilt fogbench-link-delay (else built with Go on first use when a link needs latency). */
  linkDelayBinary?: string;
}

interface Pod {
  name: string;
  node: FogNodeSpec;
  network: PodNetwork;
  group: string;
  unit: SupervisedUnit;
  oomKills: number;
}

interface Sandbox {
  node: FogNodeSpec;
  network: PodNetwork;
  group: string;
  ordinal: number;
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
    const topology = await loadTopology(
      this.options.topologyFile ?? DEFAULT_TOPOLOGY_FILE,
      this.options.hostCpus ?? availableParallelism(),
      this.options.overrides,
    );
    if (topology.nodes.length > MAX_NODES) throw environmentError(`the fog target supports at most ${MAX_NODES} nodes`);
    this.host = host;
    this.cgroups = cgroups;
    this.loaded = topology;
    try {
      writeOwner(this.names.root, this.options.runId);
      this.ownerWritten = true;
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

  private get relayGroup(): string {
    return `${this.names.cgroupRoot}/links`;
  }

  describe(): TargetDescription {
    return describeFog({
      topology: this.topology,
      block: this.network?.block ?? 0,
      delay: this.delay,
      hostCpus: this.options.hostCpus ?? availableParallelism(),
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
    const pods: Pod[] = [];
    const placed: (Sandbox & { unit: UnitSpec })[] = [];
    const stopAll = async () => {
      await Promise.all(pods.map((pod) => this.removePod(pod)));
      for (const p of placed) await this.destroyPodSandbox(p);
    };
    try {
      for (const unit of units) {
        const node = this.nodeFor(unit.placement);
        placed.push({ unit, ...(await this.createPodSandbox(unit.name, node, unit.memoryLimitBytes ?? null)) });
      }
      const endpoints = new Map<string, Endpoint>(placed.map((p) => [p.unit.name, { host: p.network.address, port: p.unit.port }]));
      for (const { unit, node, network, group } of placed) {
        this.checkOpen();
        // The target is the one that knows the node: its FOGBENCH_NODE wins over the unit's.
        const env = { PATH: this.searchPath, ...unit.env(endpoints), FOGBENCH_NODE: node.name };
        const health = `http://${network.address}:${unit.port}${unit.healthPath}`;
        const pod = this.startPod(unit.name, node, network, group, unit.command, unit.args, env, unit.artifactDir, health);
        pod.unit.onLine((line) => options.onLine(unit.name, line));
        pods.push(pod);
      }
      const outcomes = await Promise.all(
        pods.map(async (pod, i) => {
          const unit = placed[i]!.unit;
          const url = `http://${pod.network.address}:${unit.port}${unit.healthPath}`;
          return { pod, unit, outcome: await waitHealthy(url, options.readyTimeoutMs, pod.unit.process.exited, options.signal) };
        }),
      );
      const failed = outcomes.find((o) => o.outcome !== 'ready');
      if (failed !== undefined) {
        if (failed.outcome === 'aborted') throw new FogbenchError('interrupted', 'interrupted while deploying');
        throw deployError(await this.notReadyMessage(failed.pod, failed.unit, failed.outcome, options.readyTimeoutMs));
      }
      for (const { pod } of outcomes) {
        this.record('ready', pod, `answered 200 on ${pod.network.address}`);
        pod.unit.enableRestarts();
      }
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
      endpoints: new Map(pods.map((pod, i) => [pod.name, { host: pod.network.address, port: placed[i]!.unit.port }])),
      units: pods.map((pod) => pod.unit),
      placement,
      stop: () => (stopped ??= stopAll()),
    };
  }

  async startClient(spec: ClientSpec): Promise<RunningUnit> {
    this.checkOpen();
    const node = this.nodeFor({ role: 'client' });
    const sandbox = await this.createPodSandbox(spec.name, node, null);
    const { network, group } = sandbox;
    const pod = this.startPod(spec.name, node, network, group, spec.command, spec.args, { PATH: this.searchPath, ...spec.env }, process.cwd(), null);
    // A client pod lives as long as its process: the next profile gets a fresh one.
    this.track(
      pod.unit.exited.then(async () => {
        await this.removePod(pod);
        await this.destroyPodSandbox(sandbox);
      }),
    );
    return pod.unit;
  }

  observe(deployment: Deployment, t0: number): Observer {
    void deployment; // every node is sampled: the client's and idle nodes' load matter too
    const nodes: ObservedNode[] = this.topology.nodes.map((n) => ({ name: n.name, group: this.nodeGroup(n), cpuLimit: n.cpus }));
    // The delay relays spend host CPU outside every node's quota: sampled so a reader sees it.
    if (this.delay === 'relay') nodes.push({ name: 'link-delay', group: this.relayGroup, cpuLimit: null });
    // Per service as well as per node: each pod's child cgroup.
    for (const pod of this.pods) nodes.push({ name: pod.node.name, unit: pod.name, group: pod.group, cpuLimit: null });
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
    await Promise.all([...this.pods].map((pod) => attempt(() => this.removePod(pod, 2000))));
    await attempt(() => Promise.all(this.pending));
    await Promise.all(this.relays.splice(0).map((relay) => attempt(() => relay.stop('SIGTERM', 1000))));
    if (this.cgroups !== null) await attempt(() => this.cgroups!.remove(this.names.cgroupRoot));
    if (this.network !== null) await attempt(() => this.network!.dispose());
    if (this.ownerWritten && errors.length === 0) {
      removeOwner(this.names.root);
      this.ownerWritten = false;
    }
    if (errors.length > 0) {
      const first = errors[0];
      throw first instanceof FogbenchError ? first : environmentError(`fog cleanup failed: ${String((first as Error)?.message ?? first)}; run \`npm run bench -- --cleanup\``, first);
    }
  }

  private nodeFor(placement: Placement): FogNodeSpec {
    const ofRole = this.topology.nodes.filter((n) => n.role === placement.role);
    if (placement.role === 'worker') return ofRole[((placement.index % ofRole.length) + ofRole.length) % ofRole.length]!;
    return ofRole[0]!;
  }

  private nodeGroup(node: FogNodeSpec): string {
    return `${this.names.cgroupRoot}/${node.name}`;
  }

  private async createPodSandbox(name: string, node: FogNodeSpec, memoryLimitBytes: number | null): Promise<Sandbox> {
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
      return { node, network, group, ordinal };
    } catch (error) {
      used.delete(ordinal);
      throw error;
    }
  }

  /** Removes a pod's cgroup (killing what is left in it) and namespace, and frees its address. */
  private async destroyPodSandbox(sandbox: Sandbox): Promise<void> {
    await this.cgroups!.remove(sandbox.group);
    await this.network!.removePod(sandbox.network);
    this.podOrdinals.get(sandbox.node.name)?.delete(sandbox.ordinal);
  }

  /**
   * Starts a pod's process under supervision. Units (with a health URL) restart by the
   * restart policy once healthy; clients (health null) never do.
   */
  private startPod(
    name: string,
    node: FogNodeSpec,
    network: PodNetwork,
    group: string,
    command: string,
    args: string[],
    env: Record<string, string>,
    workDir: string,
    healthUrl: string | null,
  ): Pod {
    const spec = {
      name,
      ipPath: this.host!.tools.ip,
      netns: network.netns,
      cgroupProcsFiles: this.cgroups!.procsFiles(group),
      command: resolveCommand(command, workDir, this.searchPath),
      args: args.map((arg) => resolveArg(arg, workDir)),
      env: { FOGBENCH_POD: name, FOGBENCH_POD_ADDRESS: network.address, ...env },
      cwd: workDir,
    };
    const pod = { name, node, network, group, oomKills: 0 } as Pod;
    const policy = healthUrl === null ? 'never' : (this.options.restartPolicy ?? 'always');
    pod.unit = new SupervisedUnit(name, policy, this.options.restartBackoffMs ?? 10_000, {
      start: () => new PodProcess(spec),
      onExit: async ({ code, signal }) => {
        await this.checkOom(pod);
        // The load generator ending is the end of a profile, not something that happened to the system.
        if (healthUrl === null) return;
        if (this.pods.has(pod)) this.record('exit', pod, signal === null ? `exited with code ${code}` : `killed by ${signal}`);
      },
      onRestart: (restarts, backoffMs, process_) => {
        this.record('restart', pod, `restart #${restarts} after a ${(backoffMs / 1000).toFixed(1)} s back-off`);
        const ready = waitHealthy(healthUrl!, 120_000, process_.exited).then((outcome) => {
          if (outcome === 'ready' && this.pods.has(pod)) this.record('ready', pod, `answered 200 again after restart #${restarts}`);
        });
        this.track(ready);
      },
    });
    this.pods.add(pod);
    return pod;
  }

  private async removePod(pod: Pod, graceMs = this.options.stopGraceMs ?? 5000): Promise<void> {
    if (!this.pods.has(pod)) return;
    this.pods.delete(pod); // a stop we asked for is not an event
    await pod.unit.stop('SIGTERM', graceMs);
  }

  private async pollOomKills(): Promise<void> {
    for (const pod of [...this.pods]) await this.checkOom(pod);
  }

  /** The kernel counts OOM kills per cgroup; a rise means one of the pod's processes was killed. */
  private async checkOom(pod: Pod): Promise<void> {
    const kills = await this.cgroups!.oomKills(pod.group).catch(() => pod.oomKills);
    if (kills > pod.oomKills) {
      this.record('oom-kill', pod, `${kills - pod.oomKills} process(es) killed by the kernel OOM killer (pod memory limit or node limit)`);
      pod.oomKills = kills;
    }
  }

  private record(kind: LoggedEvent['kind'], pod: Pod, detail: string): void {
    this.log.push({ atMs: Date.now(), kind, subject: pod.name, node: pod.node.name, detail });
  }

  private async notReadyMessage(pod: Pod, unit: UnitSpec, outcome: string, timeoutMs: number): Promise<string> {
    const exit = outcome === 'exited' ? await pod.unit.process.exited : null;
    const why =
      exit !== null
        ? `exited (${exit.signal ?? `code ${exit.code}`}) before answering`
        : `did not answer 200 on GET ${unit.healthPath} within ${Math.round(timeoutMs / 1000)} s`;
    const tail = pod.unit.stderrTail().trim().split('\n').slice(-5).join(' | ');
    return `unit ${unit.name} on fog node ${pod.node.name} (${pod.network.address}:${unit.port}) ${why}${tail ? `; stderr: ${tail}` : ''}`;
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private checkOpen(): void {
    if (this.closed) throw new FogbenchError('interrupted', 'the fog target is being disposed');
  }
}
