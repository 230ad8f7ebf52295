/**
 * The fog topology: which nodes exist, their role, CPU quota, memory limit and link. Parsed
 * from clusters/local/*.yaml and resolved against the host (the `auto` scale depends on the
 * number of cores), so that everything below works with real quotas only.
 */
import { readInputFile } from '../../safe-fs.ts';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { usageError } from '../../errors.ts';

export const DEFAULT_TOPOLOGY_FILE = fileURLToPath(new URL('../../../clusters/local/fog.yaml', import.meta.url));

export type NodeRole = 'client' | 'core' | 'worker';

export interface LinkSpec {
  /** Rate of the node's link in each direction; null = not limited. */
  bandwidthMbit: number | null;
  /** One-way delay added on the link in each direction (so a round trip across it gets 2x). */
  latencyMs: number;
  /** Each frame's delay varies uniformly within latency ± jitter (never below 0). */
  jitterMs: number;
}

export interface FogNodeSpec {
  name: string;
  role: NodeRole;
  /** CPU quota on this host, as a fraction of one core; null = not limited. */
  cpus: number | null;
  memoryBytes: number | null;
  /** The machine this node stands for, before scaling (null when the quota is given as is). */
  reference: { vcpus: number; memoryBytes: number } | null;
  link: LinkSpec;
  /**
   * The core node also runs the systems' functions and services, placed among the workers
   * (first, then the workers in file order), as the paper's master did (an invoker like the
   * other nodes). Only a core node may; false elsewhere.
   */
  runsWorkloads: boolean;
}

/**
 * How many CPUs a program on this node sees, as `GOMAXPROCS` tells Go (fog-target.ts sets it in
 * every system pod): the vCPUs of the machine the node stands for (1 on a t2.small, where Go's
 * runtime.NumCPU is 1), else its quota rounded up, at most the host's cores. Without it Go on
 * fog would size itself for the host's cores under a 0.3-0.6 CPU quota. Go's own cgroup rule
 * (Go 1.25+: max(2, ceil(quota))) would not model a 1-vCPU VM either, and the chart sets no
 * CPU limit on the gateway for it to read.
 */
export function nodeCpuCount(node: Pick<FogNodeSpec, 'cpus' | 'reference'>, hostCpus: number): number {
  const cpus = node.reference?.vcpus ?? (node.cpus === null ? hostCpus : Math.ceil(node.cpus));
  return Math.max(1, Math.min(hostCpus, cpus));
}

export interface Topology {
  source: string;
  /** Factor applied to reference sizes; recorded in the manifest. */
  scale: number;
  nodes: FogNodeSpec[];
}

export interface TopologyOverrides {
  /** Drop every CPU and memory limit (for measuring the target's own overhead). */
  noQuotas?: boolean;
  /** Replace the link settings of every node. */
  link?: Partial<LinkSpec>;
}

const MiB = 1024 * 1024;
const NAME = /^[a-z][a-z0-9-]{0,15}$/;

/**
 * What a node's quota may be. Below the floor a node cannot run anything (cgroups take 1 ms of
 * CPU per 100 ms period at least; Node needs tens of MiB); above the ceiling a number is a typo
 * that the kernel would only refuse later with a bare EINVAL naming no file or node.
 */
export const LIMITS = {
  cpus: { min: 0.01, max: 1024 },
  memoryMiB: { min: 16, max: 16 * 1024 * 1024 },
  scale: { min: 0.001, max: 1000 },
  bandwidthMbit: { min: 0.01, max: 100_000 },
} as const;

const inRange = (value: number, range: { min: number; max: number }) => value >= range.min && value <= range.max;
const shown = (value: number) => (Math.abs(value) >= 1e6 || (value !== 0 && Math.abs(value) < 1e-3) ? value.toExponential() : String(Math.round(value * 1000) / 1000));

export async function loadTopology(file: string, hostCpus: number, overrides: TopologyOverrides = {}): Promise<Topology> {
  return applyOverrides(parseTopology(await readInputFile(file, 'fog topology'), file, hostCpus), overrides);
}

export function parseTopology(text: string, source: string, hostCpus: number): Topology {
  const fail = (what: string): never => {
    throw usageError(`fog topology ${source}: ${what}`);
  };
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    return fail(`not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  if (!isRecord(raw)) return fail('expected a mapping with `nodes`');
  const defaultLink = parseLink(raw.link, 'link', fail, { bandwidthMbit: null, latencyMs: 0, jitterMs: 0 });
  if (!Array.isArray(raw.nodes) || raw.nodes.length === 0) return fail('`nodes` must be a non-empty list');

  const drafts = raw.nodes.map((entry: unknown, i: number) => {
    const where = `nodes[${i}]`;
    if (!isRecord(entry)) return fail(`${where} must be a mapping`);
    const name = entry.name;
    if (typeof name !== 'string' || !NAME.test(name)) {
      return fail(`${where}.name must match ${NAME} (it names cgroups and interfaces)`);
    }
    if (name === 'links') return fail(`${where}.name "links" is reserved (the link-delay relays' cgroup)`);
    const role = entry.role;
    if (role !== 'client' && role !== 'core' && role !== 'worker') {
      return fail(`${where}.role must be client, core or worker`);
    }
    const node = `node ${name} (${where})`;
    const vcpus = optionalInRange(entry.vcpus, `${node}: vcpus`, LIMITS.cpus, 'CPUs', fail);
    const refMiB = optionalInRange(entry.referenceMemoryMiB, `${node}: referenceMemoryMiB`, LIMITS.memoryMiB, 'MiB', fail);
    const cpus = optionalInRange(entry.cpus, `${node}: cpus`, LIMITS.cpus, 'CPUs', fail);
    const memMiB = optionalInRange(entry.memoryMiB, `${node}: memoryMiB`, LIMITS.memoryMiB, 'MiB', fail);
    if ((vcpus === null) !== (refMiB === null)) fail(`${where}: give both vcpus and referenceMemoryMiB, or neither`);
    if (vcpus !== null && (cpus !== null || memMiB !== null)) {
      fail(`${where}: give either a reference size (vcpus, referenceMemoryMiB) or real quotas (cpus, memoryMiB)`);
    }
    const link = parseLink(entry.link, `${node}: link`, fail, defaultLink);
    const runsWorkloads = entry.runsWorkloads ?? false;
    if (typeof runsWorkloads !== 'boolean') fail(`${where}.runsWorkloads must be true or false`);
    if (runsWorkloads && role !== 'core') fail(`${where}.runsWorkloads: only the core node may also run workloads (workers always do, the client never)`);
    return { name, role: role as NodeRole, vcpus, refMiB, cpus, memMiB, link, runsWorkloads: runsWorkloads as boolean };
  });

  const names = new Set<string>();
  for (const d of drafts) {
    if (names.has(d.name)) fail(`node name "${d.name}" appears twice`);
    names.add(d.name);
  }
  const count = (role: NodeRole) => drafts.filter((d) => d.role === role).length;
  if (count('client') !== 1) fail('needs exactly one client node');
  if (count('core') !== 1) fail('needs exactly one core node');
  if (count('worker') < 1) fail('needs at least one worker node');

  const scale = resolveScale(raw.scale, raw.systemShare, drafts, hostCpus, fail);
  const nodes: FogNodeSpec[] = drafts.map((d, i) => {
    const scaled = d.vcpus !== null && d.refMiB !== null;
    if (scaled) {
      // The reference size times the scale is the real quota: it must be one a cgroup can hold.
      const node = `node ${d.name} (nodes[${i}])`;
      const cpus = d.vcpus! * scale;
      const mib = d.refMiB! * scale;
      if (!inRange(cpus, LIMITS.cpus)) {
        fail(`${node}: vcpus ${shown(d.vcpus!)} × scale ${shown(scale)} = ${shown(cpus)} CPUs, outside ${LIMITS.cpus.min} to ${LIMITS.cpus.max}; lower or raise \`scale\``);
      }
      if (!inRange(mib, LIMITS.memoryMiB)) {
        fail(`${node}: referenceMemoryMiB ${shown(d.refMiB!)} × scale ${shown(scale)} = ${shown(mib)} MiB, outside ${LIMITS.memoryMiB.min} to ${LIMITS.memoryMiB.max} MiB; lower or raise \`scale\``);
      }
    }
    return {
      name: d.name,
      role: d.role,
      cpus: scaled ? round3(d.vcpus! * scale) : d.cpus,
      memoryBytes: scaled ? Math.round(d.refMiB! * scale) * MiB : d.memMiB === null ? null : Math.round(d.memMiB * MiB),
      reference: scaled ? { vcpus: d.vcpus!, memoryBytes: d.refMiB! * MiB } : null,
      link: d.link,
      runsWorkloads: d.runsWorkloads,
    };
  });
  return { source, scale, nodes };
}

export function applyOverrides(topology: Topology, overrides: TopologyOverrides): Topology {
  return {
    ...topology,
    nodes: topology.nodes.map((node) => ({
      ...node,
      cpus: overrides.noQuotas ? null : node.cpus,
      memoryBytes: overrides.noQuotas ? null : node.memoryBytes,
      link: { ...node.link, ...overrides.link },
    })),
  };
}

/** Nodes of one role in file order; workers are what placement indexes cycle over. */
export function nodesWithRole(topology: Topology, role: NodeRole): FogNodeSpec[] {
  return topology.nodes.filter((n) => n.role === role);
}

/**
 * The nodes a worker placement index cycles over: a core node that runs workloads first, then
 * the workers in file order, so successive services land on successive nodes.
 */
export function workloadNodes(topology: Topology): FogNodeSpec[] {
  return [...topology.nodes.filter((n) => n.role === 'core' && n.runsWorkloads), ...nodesWithRole(topology, 'worker')];
}

function resolveScale(
  value: unknown,
  share: unknown,
  drafts: { role: NodeRole; vcpus: number | null }[],
  hostCpus: number,
  fail: (what: string) => never,
): number {
  if (typeof value === 'number' && inRange(value, LIMITS.scale)) return value;
  if (value !== undefined && value !== 'auto') fail(`\`scale\` must be "auto" or a number from ${LIMITS.scale.min} to ${LIMITS.scale.max}, not ${typeof value === 'number' ? shown(value) : JSON.stringify(value)}`);
  const systemShare = share === undefined ? 0.75 : share;
  if (typeof systemShare !== 'number' || systemShare <= 0 || systemShare > 1) fail('`systemShare` must be in (0, 1]');
  const systemVcpus = drafts.filter((d) => d.role !== 'client').reduce((sum, d) => sum + (d.vcpus ?? 0), 0);
  if (systemVcpus === 0) return 1;
  return round3(((systemShare as number) * hostCpus) / systemVcpus);
}

function parseLink(value: unknown, where: string, fail: (what: string) => never, base: LinkSpec): LinkSpec {
  if (value === undefined || value === null) return base;
  if (!isRecord(value)) return fail(`${where} must be a mapping`);
  const bandwidth = value.bandwidthMbit;
  const latency = value.latencyMs;
  const jitter = value.jitterMs;
  if (bandwidth !== undefined && bandwidth !== null && !(typeof bandwidth === 'number' && inRange(bandwidth, LIMITS.bandwidthMbit))) {
    fail(`${where}.bandwidthMbit must be null (unlimited) or a number from ${LIMITS.bandwidthMbit.min} to ${LIMITS.bandwidthMbit.max}`);
  }
  if (latency !== undefined && !(typeof latency === 'number' && latency >= 0 && latency <= 10_000)) {
    fail(`${where}.latencyMs must be a number of milliseconds between 0 and 10000`);
  }
  if (jitter !== undefined && !(typeof jitter === 'number' && jitter >= 0 && jitter <= 10_000)) fail(`${where}.jitterMs must be a number of milliseconds between 0 and 10000`);
  const link = {
    bandwidthMbit: bandwidth === undefined ? base.bandwidthMbit : (bandwidth as number | null),
    latencyMs: latency === undefined ? base.latencyMs : (latency as number),
    jitterMs: jitter === undefined ? base.jitterMs : (jitter as number),
  };
  if (link.jitterMs > link.latencyMs) fail(`${where}.jitterMs must not exceed latencyMs (a frame cannot leave before it came)`);
  return link;
}

function optionalInRange(value: unknown, where: string, range: { min: number; max: number }, unit: string, fail: (what: string) => never): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`${where} must be a number of ${unit}, not ${JSON.stringify(value)}`);
  if (!inRange(value, range)) return fail(`${where} ${shown(value)} is outside ${range.min} to ${range.max} ${unit}`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
