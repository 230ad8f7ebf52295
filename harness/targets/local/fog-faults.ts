/**
 * Fault injection on the fog target (--fault): what each fault does to the kernel objects of
 * the fog, and how it is undone. Everything acts only on this target's own pods, cgroups and
 * link devices, found through the accessor the target gives (`FogFaultAccess`).
 *
 * - kill: SIGKILL the main process of each matching container, as an OOM kill or a node agent
 *   would; the pod's supervisor restarts it with the kubelet's back-off. Nothing to undo.
 * - partition: the node's link carries nothing for D, except what the kubelet sends. On this
 *   host the kubelet's probes come from the host's address on the fog switch, across the
 *   node's link, whereas on a real node they never leave it: a plain `ip link set down` would
 *   fail every probe of the node's pods and have liveness probes restart them, which a real
 *   partition does not do (the node controller only marks the node NotReady after 40 s). So
 *   each end of the link gets an htb root qdisc whose default class passes, a u32 filter
 *   sending every IPv4 packet to a class whose pfifo holds 0 packets (a drop), and, before
 *   it, filters passing packets from or to the host's address. Non-IP frames (ARP) pass.
 *   Undone by putting back the link's own qdiscs (shaping.ts).
 * - cpu: the node's cgroup CPU quota written down to the given cores; the old value written back.
 * - memory: the pod's cgroup memory limit lowered; the old value written back after D or at the
 *   profile's end. cgroup v2 reclaims and OOM-kills at once; cgroup v1 refuses (EBUSY) a limit
 *   under what the pod uses and cannot reclaim, so the limit is then lowered step by step to
 *   the pod's usage until the kernel OOM-kills a process or the target limit is accepted.
 *
 * What a fault changes is held by the thing changed (a cgroup file, a node's link): its value
 * before the first fault on it is saved once, and only the last fault to let go writes it back.
 * Two faults on one pod (its service and one replica named apart) overlap; the bench refuses such
 * a schedule before it runs, and here neither can restore the other's lowered value as if it were
 * the pod's own.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { join } from 'node:path';
import type { FaultSpec } from '../../faults/spec.ts';
import { formatBytes } from '../../faults/spec.ts';
import type { Deployment, FaultApplication, FaultInjector } from '../target.ts';
import type { CgroupDriver } from './cgroups.ts';
import type { HostCommands } from './host-tools.ts';
import { linkQdiscCommands, type DelayMethod } from './shaping.ts';
import type { LinkSpec, NodeRole } from './topology.ts';

export interface FogFaultAccess {
  cgroups: CgroupDriver;
  host: HostCommands;
  /** The host's address on the fog switch: the kubelet's probes come from it. */
  hostAddress: string;
  delay: DelayMethod;
  nodes: { name: string; role: NodeRole; group: string; cpus: number | null; link: LinkSpec; devices: string[] }[];
  pods: {
    name: string;
    service: string;
    node: string;
    group: string;
    /** The main container first; `unit` is the RunningUnit's name (pod, or pod/container). */
    containers: { unit: string; pid: number | undefined; running: boolean }[];
  }[];
}

const RATCHET_INTERVAL_MS = 100;
const RATCHET_LIMIT_MS = 30_000;

export interface FogFaults extends FaultInjector {
  /** Faults applied and not yet undone. */
  readonly active: number;
}

/** A changed thing's value before the first fault on it, and how many faults hold it. */
interface Held {
  original: Promise<string>;
  holders: number;
}

/** The holds of one target (see above). */
class Holds {
  private readonly held = new Map<string, Held>();

  /** Takes a hold on `key`; `read` gives its value when this is the first. */
  take(key: string, read: () => Promise<string>): { original: Promise<string>; first: boolean } {
    let h = this.held.get(key);
    const first = h === undefined;
    if (!h) {
      const created: Held = { original: read(), holders: 0 };
      created.original.catch(() => {
        if (this.held.get(key) === created) this.held.delete(key);
      });
      this.held.set(key, created);
      h = created;
    }
    h.holders++;
    return { original: h.original, first };
  }

  /** Lets go of one hold: the saved value when it was the last (to write back), else null. */
  async release(key: string): Promise<string | null> {
    const h = this.held.get(key);
    if (!h) return null;
    if (--h.holders > 0) return null;
    this.held.delete(key);
    return h.original;
  }
}

/** Releases a hold once, however many times the revert is tried (a failed write is retried, not the release). */
const releaseOnce = (holds: Holds, key: string) => {
  let released: Promise<string | null> | null = null;
  return () => (released ??= holds.release(key));
};

/** `access` once the target is prepared; `nodes` before (its topology file). */
export function createFogFaults(access: () => FogFaultAccess, nodes: FaultInjector['nodes']): FogFaults {
  const active = new Set<() => Promise<string>>();
  const holds = new Holds();
  /**
   * Each revert runs once, however many times it is called (schedule end, dispose); one that
   * failed stays in `active`, so that dispose tries it again while the objects still exist.
   */
  const track = (undo: () => Promise<string>): (() => Promise<string>) => {
    let done: Promise<string> | null = null;
    const revert = (): Promise<string> =>
      (done ??= undo().then(
        (how) => {
          active.delete(revert);
          return how;
        },
        (error: unknown) => {
          done = null;
          throw error;
        },
      ));
    active.add(revert);
    return revert;
  };

  return {
    get active() {
      return active.size;
    },
    nodes,
    refuses(fault) {
      if (fault.kind === 'drain') {
        return `--fault ${fault.text}: the fog target has no scheduler to move evicted pods to another node; use partition:${fault.subject}@… (the node cut off) or kill:SERVICE@…`;
      }
      return null;
    },
    async apply(fault, deployment) {
      const fog = access();
      switch (fault.kind) {
        case 'kill':
          return kill(fault, podsOf(fog, deployment));
        case 'memory':
          return memory(fault, fog, podsOf(fog, deployment), track, holds);
        case 'cpu':
          return cpu(fault, fog, track, holds);
        case 'partition':
          return partition(fault, fog, track, holds);
        default:
          return { applied: false, reason: `the fog target cannot inject ${fault.kind} faults` };
      }
    },
    async revertAll() {
      const errors: unknown[] = [];
      for (const revert of [...active]) await revert().catch((error: unknown) => errors.push(error));
      if (errors.length) throw errors[0];
    },
  };
}

type Pod = FogFaultAccess['pods'][number];

/** The pods of this deployment only: two systems may share the fog and a service name. */
function podsOf(fog: FogFaultAccess, deployment: Deployment): Pod[] {
  return fog.pods.filter((p) => deployment.placement.has(p.name));
}

/** pod → its main container; pod/container → that one; service → every replica's main container. */
function resolve(subject: string, pods: Pod[]): { pod: Pod; container: Pod['containers'][number] }[] {
  const exact = pods.find((p) => p.name === subject);
  if (exact) return [{ pod: exact, container: exact.containers[0]! }];
  const sidecar = pods.flatMap((pod) => pod.containers.filter((c) => c.unit === subject).map((container) => ({ pod, container })));
  if (sidecar.length) return sidecar;
  return pods.filter((p) => p.service === subject).map((pod) => ({ pod, container: pod.containers[0]! }));
}

const notHere = (subject: string, pods: Pod[]): FaultApplication => ({
  applied: false,
  reason: `this system has no unit or service called "${subject}" (it has ${[...new Set(pods.flatMap((p) => [p.service, p.name]))].sort().join(', ')})`,
});

async function kill(fault: FaultSpec, pods: Pod[]): Promise<FaultApplication> {
  const hits = resolve(fault.subject, pods);
  if (hits.length === 0) return notHere(fault.subject, pods);
  const killed: string[] = [];
  const down: string[] = [];
  for (const { container } of hits) {
    if (!container.running || container.pid === undefined) {
      down.push(container.unit);
      continue;
    }
    try {
      process.kill(container.pid, 'SIGKILL');
      killed.push(`${container.unit} (pid ${container.pid})`);
    } catch {
      down.push(container.unit);
    }
  }
  if (killed.length === 0) throw new Error(`nothing to kill: ${down.join(', ')} not running at that moment (restarting)`);
  return {
    applied: true,
    targets: killed,
    detail: `SIGKILL to ${killed.join(', ')}${down.length ? `; ${down.join(', ')} already down` : ''}`,
    revert: null,
  };
}

function nodeOf(fault: FaultSpec, fog: FogFaultAccess): FogFaultAccess['nodes'][number] {
  const node = fog.nodes.find((n) => n.name === fault.subject);
  // The bench checks node names against describe() before anything runs; this is a bug guard.
  if (!node) throw new Error(`no fog node "${fault.subject}" (nodes: ${fog.nodes.map((n) => n.name).join(', ')})`);
  return node;
}

/** The cgroup file holding a limit, for either cgroup version. */
function limitFile(cgroups: CgroupDriver, group: string, what: 'cpu' | 'memory'): string {
  if (cgroups.version === 2) return join(cgroups.mounts.unified!, group, what === 'cpu' ? 'cpu.max' : 'memory.max');
  return what === 'cpu' ? join(cgroups.mounts.cpu!, group, 'cpu.cfs_quota_us') : join(cgroups.mounts.memory!, group, 'memory.limit_in_bytes');
}

type Track = (undo: () => Promise<string>) => () => Promise<string>;

async function cpu(fault: FaultSpec, fog: FogFaultAccess, track: Track, holds: Holds): Promise<FaultApplication> {
  const node = nodeOf(fault, fog);
  const file = limitFile(fog.cgroups, node.group, 'cpu');
  const release = releaseOnce(holds, file);
  let original: string;
  try {
    original = await holds.take(file, async () => (await readFile(file, 'utf8')).trim()).original;
  } catch (error) {
    await release();
    throw error;
  }
  const cores = fault.amount!;
  let squeezed: string;
  if (fog.cgroups.version === 2) {
    const period = Number(original.split(/\s+/)[1] ?? 100_000);
    squeezed = `${Math.max(1000, Math.round(cores * period))} ${period}`;
  } else {
    const period = Number((await readFile(join(fog.cgroups.mounts.cpu!, node.group, 'cpu.cfs_period_us'), 'utf8')).trim());
    squeezed = String(Math.max(1000, Math.round(cores * period)));
  }
  await writeFile(file, squeezed).catch(async (error: unknown) => {
    await release();
    throw error;
  });
  const was = node.cpus === null ? 'no quota' : `${node.cpus} cores`;
  const revert = track(async () => {
    if ((await release()) === null) return `CPU quota of ${node.name} left squeezed: another fault on it is still in effect`;
    await writeFile(file, original);
    return `CPU quota of ${node.name} restored to ${was}`;
  });
  return { applied: true, targets: [`cgroup ${node.group}`], detail: `CPU quota of node ${node.name} squeezed from ${was} to ${cores} cores`, revert };
}

async function partition(fault: FaultSpec, fog: FogFaultAccess, track: Track, holds: Holds): Promise<FaultApplication> {
  const node = nodeOf(fault, fog);
  // The link's own qdiscs: htb cannot replace a tbf in place, so they go first, and come back after.
  const shaped = (device: string) => linkQdiscCommands(device, node.link, fog.delay);
  const unshape = (device: string) => (shaped(device).length ? [['qdisc', 'del', 'dev', device, 'root']] : []);
  // The link's own state is its topology's shaping, written back by the last partition to end.
  const key = `link of ${node.name}`;
  const release = releaseOnce(holds, key);
  if (holds.take(key, async () => 'shaped').first) {
    // One tc process for both ends: the cut takes effect within milliseconds, not one exec per rule.
    await tcBatch(fog.host, node.devices.flatMap((d) => [...unshape(d), ...partitionCommands(d, fog.hostAddress, node.link.bandwidthMbit)])).catch(async (error: unknown) => {
      await release();
      throw error;
    });
  }
  const revert = track(async () => {
    if ((await release()) === null) return `link of ${node.name} left cut: another fault on it is still in effect`;
    await tcBatch(fog.host, node.devices.flatMap((d) => [['qdisc', 'del', 'dev', d, 'root'], ...shaped(d)]));
    return `link of ${node.name} restored (${node.devices.join(', ')}: ${node.link.bandwidthMbit === null ? 'unshaped' : `tbf ${node.link.bandwidthMbit} mbit/s`})`;
  });
  return {
    applied: true,
    targets: node.devices.map((d) => `link ${d}`),
    detail: `link of node ${node.name} cut (both directions drop every IPv4 packet except the kubelet's, from/to ${fog.hostAddress})`,
    revert,
  };
}

/** Runs tc commands in one `tc -batch`, stopping at the first that fails. */
async function tcBatch(host: HostCommands, lines: string[][]): Promise<void> {
  const result = await execa(host.tools.tc, ['-batch', '-'], { input: lines.map((l) => l.join(' ')).join('\n') + '\n', reject: false });
  if (result.exitCode !== 0) throw new Error(`tc -batch failed: ${(result.stderr || result.stdout).trim().split('\n').slice(-2).join(' / ')}`);
}

/**
 * tc commands that make `device` drop every IPv4 packet except those from or to `kubelet`
 * (pure; the device must have no root qdisc of its own by then).
 */
export function partitionCommands(device: string, kubelet: string, bandwidthMbit: number | null): string[][] {
  const rate = bandwidthMbit === null ? '10gbit' : `${bandwidthMbit}mbit`;
  const dev = ['dev', device];
  return [
    ['qdisc', 'add', ...dev, 'root', 'handle', '1:', 'htb', 'default', '10'],
    ['class', 'add', ...dev, 'parent', '1:', 'classid', '1:10', 'htb', 'rate', rate, 'quantum', '60000'],
    ['class', 'add', ...dev, 'parent', '1:', 'classid', '1:20', 'htb', 'rate', rate, 'quantum', '60000'],
    ['qdisc', 'add', ...dev, 'parent', '1:20', 'handle', '20:', 'pfifo', 'limit', '0'],
    ['filter', 'add', ...dev, 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'src', `${kubelet}/32`, 'flowid', '1:10'],
    ['filter', 'add', ...dev, 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'dst', `${kubelet}/32`, 'flowid', '1:10'],
    ['filter', 'add', ...dev, 'parent', '1:', 'protocol', 'ip', 'prio', '2', 'u32', 'match', 'u32', '0', '0', 'flowid', '1:20'],
  ];
}

async function memory(fault: FaultSpec, fog: FogFaultAccess, pods: Pod[], track: Track, holds: Holds): Promise<FaultApplication> {
  const hits = [...new Map(resolve(fault.subject, pods).map((h) => [h.pod.name, h.pod])).values()];
  if (hits.length === 0) return notHere(fault.subject, pods);
  const target = fault.amount!;
  const lowered: { pod: Pod; file: string; original: string; stop: () => void; release: () => Promise<string | null> }[] = [];
  const notes: string[] = [];
  /** Lets go of a pod's hold, and writes its own limit back when no other fault holds it. */
  const putBack = async (l: (typeof lowered)[number]) => {
    l.stop();
    if ((await l.release()) === null) return `${l.pod.name} left lowered: another fault on it is still in effect`;
    await writeFile(l.file, l.original);
    return `${l.pod.name} restored to ${shown(l.original)}`;
  };
  try {
    for (const pod of hits) {
      const file = limitFile(fog.cgroups, pod.group, 'memory');
      const release = releaseOnce(holds, file);
      const original = await holds.take(file, async () => (await readFile(file, 'utf8')).trim()).original.catch(async (error: unknown) => {
        await release();
        throw error;
      });
      const entry: (typeof lowered)[number] = { pod, file, original, stop: () => undefined, release };
      lowered.push(entry);
      const ratchet = await lowerMemory(fog.cgroups, pod.group, file, target);
      entry.stop = ratchet.stop;
      if (ratchet.note) notes.push(`${pod.name}: ${ratchet.note}`);
    }
  } catch (error) {
    for (const l of lowered) await putBack(l).catch(() => undefined);
    throw error;
  }
  const revert = track(async () => {
    const done: string[] = [];
    for (const l of lowered) done.push(await putBack(l));
    return `memory limit of ${done.join(', ')}`;
  });
  return {
    applied: true,
    targets: lowered.map((l) => `pod ${l.pod.name} (cgroup ${l.pod.group})`),
    detail: `memory limit of ${lowered.map((l) => `${l.pod.name} lowered from ${shown(l.original)}`).join(', ')} to ${formatBytes(target)}${notes.length ? `; ${notes.join('; ')}` : ''}`,
    revert,
  };
}

const shown = (text: string) => (text === 'max' || BigInt(text) >= 2n ** 62n ? 'no limit' : formatBytes(Number(text)));

/**
 * Writes the lower limit; where the kernel refuses it (cgroup v1, EBUSY: the pod uses more and
 * nothing can be reclaimed), keeps lowering it to the pod's current usage until the target is
 * accepted (usually once an OOM kill freed the memory) or 30 s have passed.
 */
async function lowerMemory(cgroups: CgroupDriver, group: string, file: string, target: number): Promise<{ stop: () => void; note: string | null }> {
  try {
    await writeFile(file, String(target));
    return { stop: () => undefined, note: null };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EBUSY') throw error;
  }
  const usageFile = cgroups.version === 2 ? join(cgroups.mounts.unified!, group, 'memory.current') : join(cgroups.mounts.memory!, group, 'memory.usage_in_bytes');
  let stopped = false;
  const deadline = Date.now() + RATCHET_LIMIT_MS;
  const step = async () => {
    try {
      await writeFile(file, String(target));
      return true;
    } catch {
      const usage = Number(await readFile(usageFile, 'utf8').catch(() => '0'));
      await writeFile(file, String(Math.max(target, usage))).catch(() => undefined);
      return false;
    }
  };
  await step();
  const timer = setInterval(() => {
    if (stopped || Date.now() > deadline) return clearInterval(timer);
    void step().then((done) => done && clearInterval(timer));
  }, RATCHET_INTERVAL_MS);
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
    note: 'the kernel (cgroup v1) refused a limit under the pod\'s usage, so it was lowered step by step to that usage until an OOM kill freed memory',
  };
}
