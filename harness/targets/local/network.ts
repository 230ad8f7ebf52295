/**
 * The fog's L2 network: a switch bridge (the host holds .1 on it, for health checks), one
 * bridge per node joined to the switch by a veth pair (the node's link, where shaping sits),
 * and one network namespace per pod hanging off its node's bridge by a veth. Nothing here
 * adds a route or a default gateway, so no pod can reach or be reached from outside.
 * Every namespace and interface goes into the target's owner record (owner.ts) before it is
 * created and out of it once deleted, so a later cleanup removes exactly these and no others.
 */
import { execa } from 'execa';
import { PREFIX_LENGTH, hostAddress, macFor, pickFreeBlock } from './addresses.ts';
import type { FogNames } from './names.ts';
import type { HostCommands } from './host-tools.ts';
import { ledgerFor, type ObjectKind } from './owner.ts';

export interface PodNetwork {
  netns: string;
  veth: string;
  address: string;
}

export class FogNetwork {
  private readonly links = new Set<string>();
  private readonly namespaces = new Set<string>();
  private podCounter = 0;

  constructor(
    private readonly host: HostCommands,
    private readonly names: FogNames,
    readonly block: number,
  ) {}

  /** Picks an address block that no interface on the host uses yet. */
  static async chooseBlock(host: HostCommands, preferred: number): Promise<number | null> {
    const json = await host.ip(['-j', '-4', 'addr', 'show']);
    const used = (JSON.parse(json) as { addr_info?: { local?: string }[] }[]).flatMap((i) =>
      (i.addr_info ?? []).map((a) => a.local ?? ''),
    );
    return pickFreeBlock(used, preferred);
  }

  get hostAddress(): string {
    return hostAddress(this.block);
  }

  private own(kind: ObjectKind, name: string): void {
    ledgerFor(this.names.root)?.add(kind, name);
    (kind === 'namespaces' ? this.namespaces : this.links).add(name);
  }

  private disown(kind: ObjectKind, name: string): void {
    ledgerFor(this.names.root)?.remove(kind, name);
    (kind === 'namespaces' ? this.namespaces : this.links).delete(name);
  }

  async createSwitch(): Promise<void> {
    const bridge = this.names.switchBridge;
    this.own('interfaces', bridge);
    await this.host.ipBatch([
      ['link', 'add', bridge, 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0'],
      ['link', 'set', bridge, 'addrgenmode', 'none'],
      ['addr', 'add', `${this.hostAddress}/${PREFIX_LENGTH}`, 'dev', bridge],
      ['link', 'set', bridge, 'up'],
    ]);
  }

  /**
   * The node's bridge and its link to the switch; returns the two ends to shape. With
   * `relayed`, the ends are TAP devices a link-delay relay already created (link-delay.ts)
   * instead of a veth pair.
   */
  async createNode(nodeIndex: number, relayed = false): Promise<{ switchSide: string; nodeSide: string }> {
    const bridge = this.names.nodeBridge(nodeIndex);
    const switchSide = this.names.uplinkSwitchSide(nodeIndex);
    const nodeSide = this.names.uplinkNodeSide(nodeIndex);
    this.own('interfaces', bridge);
    this.own('interfaces', switchSide);
    this.own('interfaces', nodeSide);
    await this.host.ipBatch([
      ['link', 'add', bridge, 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0'],
      ['link', 'set', bridge, 'addrgenmode', 'none'],
      ...(relayed ? [] : [['link', 'add', switchSide, 'type', 'veth', 'peer', 'name', nodeSide]]),
      ['link', 'set', switchSide, 'addrgenmode', 'none'],
      ['link', 'set', nodeSide, 'addrgenmode', 'none'],
      ['link', 'set', switchSide, 'master', this.names.switchBridge, 'up'],
      ['link', 'set', nodeSide, 'master', bridge, 'up'],
      ['link', 'set', bridge, 'up'],
    ]);
    return { switchSide, nodeSide };
  }

  /** A namespace with loopback and one interface `eth0` on the node's bridge. */
  async createPod(podName: string, nodeIndex: number, address: string): Promise<PodNetwork> {
    const netns = this.names.netns(`${podName}-${this.podCounter}`);
    const veth = this.names.podVeth(this.podCounter++);
    this.own('namespaces', netns);
    this.own('interfaces', veth);
    await this.host.ip(['netns', 'add', netns]);
    await this.host.ipBatch([
      ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns],
      ['link', 'set', veth, 'addrgenmode', 'none'],
      ['link', 'set', veth, 'master', this.names.nodeBridge(nodeIndex), 'up'],
    ]);
    await this.host.ipBatch(
      [
        ['link', 'set', 'eth0', 'addrgenmode', 'none'],
        ['link', 'set', 'eth0', 'address', macFor(address)],
        ['addr', 'add', `${address}/${PREFIX_LENGTH}`, 'dev', 'eth0'],
        ['link', 'set', 'lo', 'up'],
        ['link', 'set', 'eth0', 'up'],
      ],
      netns,
    );
    return { netns, veth, address };
  }

  /** Kills what still runs in the namespace, then removes it (its veth goes with it). */
  async removePod(pod: PodNetwork): Promise<void> {
    await killNetnsProcesses(this.host, pod.netns);
    await this.host.ipQuiet(['netns', 'del', pod.netns]);
    await this.host.ipQuiet(['link', 'del', pod.veth]);
    this.disown('namespaces', pod.netns);
    this.disown('interfaces', pod.veth);
  }

  /** Removes every namespace and interface this network created; safe to call again. */
  async dispose(): Promise<void> {
    for (const netns of [...this.namespaces]) {
      await killNetnsProcesses(this.host, netns);
      await this.host.ipQuiet(['netns', 'del', netns]);
      this.disown('namespaces', netns);
    }
    // Removing a veth end removes its peer and its qdiscs; bridges last.
    const ordered = [...this.links].sort((a, b) => Number(a.endsWith('br') || /n\d+$/.test(a)) - Number(b.endsWith('br') || /n\d+$/.test(b)));
    for (const link of ordered) {
      await this.host.ipQuiet(['link', 'del', link]);
      this.disown('interfaces', link);
    }
  }
}

/** SIGKILLs every process whose network namespace is `netns` (as `ip netns pids` reports). */
export async function killNetnsProcesses(host: HostCommands, netns: string): Promise<void> {
  const result = await execa(host.tools.ip, ['netns', 'pids', netns], { reject: false });
  if (result.exitCode !== 0) return;
  for (const pid of result.stdout.split('\n').filter((l) => l.trim() !== '').map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
