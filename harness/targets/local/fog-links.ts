/**
 * The fog target's nodes and links, as prepare() makes them: the fog switch, then for each node
 * its bridge and its link to the switch, shaped with tbf on both ends (shaping.ts), then its
 * cgroup (CPU quota, memory limit). A link with latency is delayed by netem where the kernel has
 * it, else by a link-delay relay (link-delay.ts) in the cgroup `<root>/links`, outside every
 * quota. linkNodes and probeDelayMethod serve the local cluster's fabric too.
 */
import type { CgroupDriver } from './cgroups.ts';
import type { HostCommands } from './host-tools.ts';
import { ensureLinkDelayBinary, startLinkDelay } from './link-delay.ts';
import type { FogNames } from './names.ts';
import type { FogNetwork } from './network.ts';
import type { PodProcess } from './pod-process.ts';
import { linkQdiscCommands, type DelayMethod } from './shaping.ts';
import type { FogNodeSpec, Topology } from './topology.ts';

export interface LinksContext {
  host: HostCommands;
  cgroups: CgroupDriver;
  network: FogNetwork;
  names: FogNames;
  searchPath: string;
  /** A prebuilt fogbench-link-delay (else built with Go on first use). */
  linkDelayBinary: string | undefined;
  nodeGroup(node: FogNodeSpec): string;
  /** Throws once dispose() has begun. */
  checkOpen(): void;
  /** A relay ended on its own: its node's link is down from now on. */
  onRelayEnded(node: FogNodeSpec, detail: string): void;
}

export class FogLinks {
  /** How latency is applied; 'none' until build() finds a link that asks for it. */
  delay: DelayMethod = 'none';
  private readonly relays: PodProcess[] = [];
  private linkDelayBinary: string | null = null;

  constructor(private readonly ctx: LinksContext) {}

  /** The cgroup of the link-delay relays. */
  get relayGroup(): string {
    return `${this.ctx.names.cgroupRoot}/links`;
  }

  /** Makes the switch, then every node with its link. What is made before a failure is dispose()'s to remove. */
  async build(topology: Topology): Promise<void> {
    const { host, cgroups, network, names } = this.ctx;
    await network.createSwitch();
    if (topology.nodes.some((n) => n.link.latencyMs > 0)) this.delay = await this.chooseDelayMethod();
    if (this.delay === 'relay') await cgroups.create(this.relayGroup, { cpus: null, memoryBytes: null });
    const tools = { host, network, names, cgroups, linkDelayBinary: this.linkDelayBinary, relayProcsFiles: cgroups.procsFiles(this.relayGroup) };
    await linkNodes(tools, topology.nodes, this.delay, {
      nodeGroup: (node) => this.ctx.nodeGroup(node),
      beforeEach: () => this.ctx.checkOpen(),
      onRelay: (relay, node) => {
        this.relays.push(relay);
        // A dead relay is a cut link: every later request across it fails, so say why.
        void relay.exited.then(({ code, signal }) => this.ctx.onRelayEnded(node, `link-delay relay ended (${signal ?? `code ${code}`}): the node's link is down`));
      },
    });
  }

  /** The relays started, for dispose() to stop; they are forgotten here. */
  takeRelays(): PodProcess[] {
    return this.relays.splice(0);
  }

  /**
   * Latency only needs a method when a link asks for it: netem where the kernel has it, else
   * the userspace relay (built on first use).
   */
  private async chooseDelayMethod(): Promise<DelayMethod> {
    const method = await probeDelayMethod(this.ctx.host, this.ctx.names.switchBridge);
    if (method === 'relay') this.linkDelayBinary = this.ctx.linkDelayBinary ?? (await ensureLinkDelayBinary(this.ctx.searchPath));
    return method;
  }
}

/** netem where this kernel has it (tried on the switch's bridge, then removed), else the userspace relay. */
export async function probeDelayMethod(host: HostCommands, bridge: string): Promise<DelayMethod> {
  try {
    await host.tc(['qdisc', 'add', 'dev', bridge, 'root', 'netem', 'delay', '1ms']);
    await host.tc(['qdisc', 'del', 'dev', bridge, 'root']);
    return 'netem';
  } catch {
    return 'relay';
  }
}

export interface NodeLinkTools {
  host: HostCommands;
  network: FogNetwork;
  names: FogNames;
  cgroups: CgroupDriver;
  /** The link-delay relay; needed only for a delayed link when the method is 'relay'. */
  linkDelayBinary: string | null;
  /** Where a relay's process goes (a cgroup outside every node's quota). */
  relayProcsFiles: string[];
}

export interface LinkNodesHooks {
  /** The cgroup of a node's quota (CPU, memory). */
  nodeGroup(node: FogNodeSpec): string;
  /** A relay just started for `node`'s link: the caller's to stop at teardown, even if a later step fails. */
  onRelay(relay: PodProcess, node: FogNodeSpec): void;
  /** Before each node (e.g. to stop when teardown has begun). */
  beforeEach?(): void;
}

/**
 * Every node of the topology, in order: its bridge, its link to the switch shaped on both ends
 * (behind a relay when delayed by one), then its quota group. Shared by the fog target and the
 * local cluster, whose nodes are linked the same way.
 */
export async function linkNodes(tools: NodeLinkTools, nodes: readonly FogNodeSpec[], delay: DelayMethod, hooks: LinkNodesHooks): Promise<void> {
  for (const [index, node] of nodes.entries()) {
    hooks.beforeEach?.();
    await linkNode(tools, node, index, delay, (relay) => hooks.onRelay(relay, node));
    await tools.cgroups.create(hooks.nodeGroup(node), { cpus: node.cpus, memoryBytes: node.memoryBytes });
  }
}

/**
 * One node's bridge and its link to the switch, shaped on both ends; a delayed link under the
 * 'relay' method gets its relay first, handed to `onRelay` as soon as it runs so that a failure
 * later in this function still leaves it to the caller's teardown.
 */
async function linkNode(tools: NodeLinkTools, node: Pick<FogNodeSpec, 'link'>, index: number, delay: DelayMethod, onRelay: (relay: PodProcess) => void): Promise<void> {
  const { host, network, names } = tools;
  const relayed = node.link.latencyMs > 0 && delay === 'relay';
  if (relayed) {
    if (tools.linkDelayBinary === null) throw new Error('a delayed link needs the link-delay relay binary');
    onRelay(
      await startLinkDelay({
        binary: tools.linkDelayBinary,
        ipPath: host.tools.ip,
        nodeSide: names.uplinkNodeSide(index),
        switchSide: names.uplinkSwitchSide(index),
        latencyMs: node.link.latencyMs,
        jitterMs: node.link.jitterMs,
        cgroupProcsFiles: tools.relayProcsFiles,
      }),
    );
  }
  const ends = await network.createNode(index, relayed);
  for (const device of [ends.switchSide, ends.nodeSide]) {
    for (const args of linkQdiscCommands(device, node.link, delay)) await host.tc(args);
  }
}
