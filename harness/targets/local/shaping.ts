/**
 * Link shaping of the fog's node links, as `tc` commands (pure) plus the sentence the
 * manifest carries about what was really applied. Each node link is a veth pair between the
 * node's bridge and the fog switch; a qdisc on the egress of each end shapes one direction,
 * so a link spec applies to both directions independently, like a full-duplex NIC.
 *
 * Bandwidth: `tbf`. Latency: `netem` when the kernel has it (CONFIG_NET_SCH_NETEM); where it
 * does not (this project's reference host, which has no fq either, so no eBPF EDT delay), the
 * link's ends are TAP devices of a userspace relay that holds every frame for the latency
 * (link-delay.ts); tbf then still shapes the TAP devices' egress.
 */
import type { LinkSpec } from './topology.ts';

export type DelayMethod = 'netem' | 'relay' | 'none';

/** `tc` argument lists that shape one direction of one link (the egress of `device`). */
export function linkQdiscCommands(device: string, link: LinkSpec, delay: DelayMethod): string[][] {
  const commands: string[][] = [];
  // The relay delays frames itself: only netem needs a qdisc for latency.
  const wantsDelay = link.latencyMs > 0 && delay === 'netem';
  if (link.latencyMs > 0 && delay === 'none') throw new Error('latency needs netem or the link-delay relay');
  if (link.bandwidthMbit !== null) {
    commands.push(['qdisc', 'replace', 'dev', device, 'root', 'handle', '1:', 'tbf', ...tbfParameters(link.bandwidthMbit)]);
    // netem under tbf: packets are delayed first, then leave at the link's rate.
    if (wantsDelay) commands.push(['qdisc', 'replace', 'dev', device, 'parent', '1:1', 'handle', '10:', ...netemParameters(link)]);
  } else if (wantsDelay) {
    commands.push(['qdisc', 'replace', 'dev', device, 'root', 'handle', '1:', ...netemParameters(link)]);
  }
  return commands;
}

/**
 * tbf needs a bucket of at least one packet and of a few ms of traffic at the rate, so that
 * the timer resolution does not cap the rate below the setting; the queue holds 50 ms of
 * traffic before dropping, about what a small VM's NIC buffers.
 */
export function tbfParameters(mbit: number): string[] {
  return ['rate', `${mbit}mbit`, 'burst', String(tbfBurstBytes(mbit)), 'latency', '50ms'];
}

/** The bucket of a link's tbf: what it lets through at once, before its rate (the cost model counts bytes beyond it). */
export function tbfBurstBytes(mbit: number): number {
  const bytesPerSecond = (mbit * 1_000_000) / 8;
  return Math.max(32 * 1024, Math.round(bytesPerSecond * 0.005));
}

function netemParameters(link: LinkSpec): string[] {
  // A large limit so that netem itself never drops: loss is not part of the link model.
  const jitter = link.jitterMs > 0 ? [`${link.jitterMs}ms`] : [];
  return ['netem', 'delay', `${link.latencyMs}ms`, ...jitter, 'limit', '100000'];
}

export interface ShapedLink {
  node: string;
  link: LinkSpec;
}

/** One sentence per distinct link setting, naming the nodes it applies to and how. */
export function describeShaping(links: ShapedLink[], delay: DelayMethod): string {
  const groups = new Map<string, string[]>();
  for (const { node, link } of links) {
    const key = JSON.stringify([link.bandwidthMbit, link.latencyMs, link.jitterMs]);
    groups.set(key, [...(groups.get(key) ?? []), node]);
  }
  const parts = [...groups.entries()].map(([key, nodes]) => {
    const [bandwidth, latency, jitter] = JSON.parse(key) as [number | null, number, number];
    const amount = jitter > 0 ? `${latency} ± ${jitter} ms` : `${latency} ms`;
    const rate = bandwidth === null ? 'no bandwidth limit' : `tbf ${bandwidth} mbit/s`;
    const lat =
      latency === 0
        ? 'no added latency'
        : delay === 'netem'
          ? `netem delay ${amount}`
          : `${amount} delay by the fogbench-link-delay relay (userspace, TAP devices, FIFO)`;
    return `${nodes.join(', ')}: ${rate} and ${lat}, each direction of the node's link`;
  });
  const netemNote =
    delay === 'netem'
      ? ''
      : delay === 'relay'
        ? ' (this kernel has no netem: delayed links pass through a userspace relay, which adds its own per-frame cost, see the fog target tests)'
        : ' (no link asked for latency)';
  return `${parts.join('; ')}${netemNote}; pods on the same node talk over the node's bridge without shaping`;
}
