/**
 * CPU and memory limits, usage and OOM counters of the fog's nodes and pods, for both cgroup
 * versions. Groups are paths relative to the controller roots ("fbfab12/worker-1/svc-a"):
 * a node is a group with the quota, each pod a child group (own memory limit, own OOM
 * counter) so that every process of a node shares the node's CPU quota. A target's top-level
 * group goes into its owner record (owner.ts) before it is made and out once removed.
 */
import { mkdir, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentError } from '../../errors.ts';
import { ledgerFor } from './owner.ts';

/** The top-level group of `group`, recorded as the owner's before anything under it exists. */
function own(group: string): void {
  const top = group.split('/')[0]!;
  ledgerFor(top)?.add('cgroups', top);
}

/** Once a top-level group is gone, it leaves its owner's record. */
function disown(group: string): void {
  if (!group.includes('/')) ledgerFor(group)?.remove('cgroups', group);
}

export interface CgroupLimits {
  cpus: number | null;
  memoryBytes: number | null;
}

export interface MemoryUsage {
  /** Working set: usage minus inactive file cache, as the kubelet counts it. */
  bytes: number;
  limitBytes: number | null;
}

export interface CgroupDriver {
  readonly version: 1 | 2;
  /** Where the controllers are, for the manifest. */
  readonly mounts: Record<string, string>;
  /** The cgroup.procs files a process writes its pid to, to join `group`. */
  procsFiles(group: string): string[];
  create(group: string, limits: CgroupLimits): Promise<void>;
  cpuUsageNs(group: string): Promise<number>;
  memory(group: string): Promise<MemoryUsage>;
  oomKills(group: string): Promise<number>;
  /** Pids in the group and all its descendants. */
  pids(group: string): Promise<number[]>;
  /** SIGKILL every process in the group and below, then remove the folders. Missing is fine. */
  remove(group: string): Promise<void>;
  /** Top-level group names under every controller root. */
  topLevelGroups(): Promise<string[]>;
  /**
   * Every cgroup hierarchy mounted on this host (v1: one per controller set, the named and the
   * hybrid unified one too; v2: the unified root). A kubelet's cgroupRoot must exist in each,
   * and runc makes a container's groups in each: removal looks in all of them.
   */
  readonly hierarchies: readonly string[];
}

const PERIOD_US = 100_000;
const UNLIMITED = 2n ** 62n;

/** Reads /proc/self/mounts and picks v1 (cpu + memory hierarchies) or v2 (unified with both). */
export function detectCgroups(mountsText = readFileSync('/proc/self/mounts', 'utf8')): CgroupDriver {
  const v1: Record<string, string> = {};
  let unified: string | null = null;
  const hierarchies: string[] = [];
  for (const line of mountsText.split('\n')) {
    const [, mountPoint, type, options] = line.split(' ');
    if (mountPoint === undefined || options === undefined) continue;
    if (type === 'cgroup') {
      if (!hierarchies.includes(mountPoint)) hierarchies.push(mountPoint);
      for (const option of options.split(',')) {
        if (option === 'cpu' || option === 'cpuacct' || option === 'memory') v1[option] ??= mountPoint;
      }
    } else if (type === 'cgroup2') {
      unified ??= mountPoint;
      if (!hierarchies.includes(mountPoint)) hierarchies.push(mountPoint);
    }
  }
  if (v1.cpu && v1.cpuacct && v1.memory) return new CgroupV1({ cpu: v1.cpu, cpuacct: v1.cpuacct, memory: v1.memory }, hierarchies);
  if (unified !== null) {
    const controllers = safeRead(join(unified, 'cgroup.controllers')).split(/\s+/);
    if (controllers.includes('cpu') && controllers.includes('memory')) return new CgroupV2(unified);
  }
  throw environmentError(
    'the fog target needs the cgroup cpu, cpuacct and memory controllers (v1) or a cgroup v2 hierarchy with cpu and memory; --target loopback still works',
  );
}

class CgroupV1 implements CgroupDriver {
  readonly version = 1 as const;
  readonly hierarchies: readonly string[];
  constructor(
    readonly mounts: { cpu: string; cpuacct: string; memory: string },
    hierarchies: readonly string[] = [],
  ) {
    this.hierarchies = [...new Set([...Object.values(mounts), ...hierarchies])];
  }

  private roots(): string[] {
    return [...new Set(Object.values(this.mounts))];
  }

  procsFiles(group: string): string[] {
    return this.roots().map((root) => join(root, group, 'cgroup.procs'));
  }

  async create(group: string, limits: CgroupLimits): Promise<void> {
    own(group);
    for (const root of this.roots()) await mkdir(join(root, group), { recursive: true });
    if (limits.cpus !== null) {
      const dir = join(this.mounts.cpu, group);
      await writeFile(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
      await writeFile(join(dir, 'cpu.cfs_quota_us'), String(Math.max(1000, Math.round(limits.cpus * PERIOD_US))));
    }
    if (limits.memoryBytes !== null) {
      await writeFile(join(this.mounts.memory, group, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    }
  }

  async cpuUsageNs(group: string): Promise<number> {
    return Number(await readTrimmed(join(this.mounts.cpuacct, group, 'cpuacct.usage')));
  }

  async memory(group: string): Promise<MemoryUsage> {
    const dir = join(this.mounts.memory, group);
    const usage = Number(await readTrimmed(join(dir, 'memory.usage_in_bytes')));
    const stat = parseKeyValues(await readFile(join(dir, 'memory.stat'), 'utf8'));
    const limit = BigInt(await readTrimmed(join(dir, 'memory.limit_in_bytes')));
    return {
      bytes: Math.max(0, usage - (stat.total_inactive_file ?? 0)),
      limitBytes: limit >= UNLIMITED ? null : Number(limit),
    };
  }

  async oomKills(group: string): Promise<number> {
    return parseKeyValues(await readFile(join(this.mounts.memory, group, 'memory.oom_control'), 'utf8')).oom_kill ?? 0;
  }

  async pids(group: string): Promise<number[]> {
    return collectPids(join(this.mounts.memory, group));
  }

  async remove(group: string): Promise<void> {
    for (const root of this.hierarchies) await removeTree(join(root, group));
    disown(group);
  }

  async topLevelGroups(): Promise<string[]> {
    return listTopLevel([...this.hierarchies]);
  }
}

class CgroupV2 implements CgroupDriver {
  readonly version = 2 as const;
  readonly mounts: Record<string, string>;
  readonly hierarchies: readonly string[];
  constructor(private readonly root: string) {
    this.mounts = { unified: root };
    this.hierarchies = [root];
  }

  procsFiles(group: string): string[] {
    return [join(this.root, group, 'cgroup.procs')];
  }

  async create(group: string, limits: CgroupLimits): Promise<void> {
    own(group);
    // Controllers must be enabled in every ancestor's subtree_control, from the root down.
    const parts = group.split('/');
    let dir = this.root;
    for (const part of parts) {
      await writeFile(join(dir, 'cgroup.subtree_control'), '+cpu +memory').catch(() => undefined);
      dir = join(dir, part);
      await mkdir(dir, { recursive: true });
    }
    if (limits.cpus !== null) {
      await writeFile(join(dir, 'cpu.max'), `${Math.max(1000, Math.round(limits.cpus * PERIOD_US))} ${PERIOD_US}`);
    }
    if (limits.memoryBytes !== null) {
      await writeFile(join(dir, 'memory.max'), String(limits.memoryBytes));
      await writeFile(join(dir, 'memory.swap.max'), '0').catch(() => undefined);
    }
  }

  async cpuUsageNs(group: string): Promise<number> {
    const stat = parseKeyValues(await readFile(join(this.root, group, 'cpu.stat'), 'utf8'));
    return (stat.usage_usec ?? 0) * 1000;
  }

  async memory(group: string): Promise<MemoryUsage> {
    const dir = join(this.root, group);
    const usage = Number(await readTrimmed(join(dir, 'memory.current')));
    const stat = parseKeyValues(await readFile(join(dir, 'memory.stat'), 'utf8'));
    const max = await readTrimmed(join(dir, 'memory.max'));
    return { bytes: Math.max(0, usage - (stat.inactive_file ?? 0)), limitBytes: max === 'max' ? null : Number(max) };
  }

  async oomKills(group: string): Promise<number> {
    return parseKeyValues(await readFile(join(this.root, group, 'memory.events'), 'utf8')).oom_kill ?? 0;
  }

  async pids(group: string): Promise<number[]> {
    return collectPids(join(this.root, group));
  }

  async remove(group: string): Promise<void> {
    await removeTree(join(this.root, group));
    disown(group);
  }

  async topLevelGroups(): Promise<string[]> {
    return listTopLevel([this.root]);
  }
}

/** Kills what is left in a cgroup folder and its children, then removes them deepest first. */
async function removeTree(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (const child of await subfolders(dir)) await removeTree(join(dir, child));
  for (let attempt = 0; attempt < 100; attempt++) {
    const pids = await readPids(dir);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    try {
      await rmdir(dir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY') throw error;
    }
    // A killed process leaves the cgroup only once the kernel has torn it down.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw environmentError(`could not remove cgroup ${dir}: processes are still in it after SIGKILL`);
}

async function collectPids(dir: string): Promise<number[]> {
  if (!existsSync(dir)) return [];
  const pids = await readPids(dir);
  for (const child of await subfolders(dir)) pids.push(...(await collectPids(join(dir, child))));
  return pids;
}

async function readPids(dir: string): Promise<number[]> {
  const text = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number);
}

async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

async function listTopLevel(roots: string[]): Promise<string[]> {
  const names = new Set<string>();
  for (const root of roots) for (const name of await subfolders(root)) names.add(name);
  return [...names];
}

function parseKeyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) out[key] = Number(value);
  }
  return out;
}

async function readTrimmed(file: string): Promise<string> {
  return (await readFile(file, 'utf8')).trim();
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
