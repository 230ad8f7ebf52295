/**
 * `--cleanup`: removes what a crashed fog run left behind, and only that. An object is ours
 * when its name matches the fbf<tag> patterns of names.ts; it is left alone while the
 * process that created it is still alive (owner.ts).
 */
import { execa } from 'execa';
import { detectCgroups, type CgroupDriver } from './cgroups.ts';
import { HostCommands, requireHostTools } from './host-tools.ts';
import { killNetnsProcesses } from './network.ts';
import { OWNED_CGROUP, OWNED_INTERFACE, OWNED_NETNS, PREFIX } from './names.ts';
import { OWNER_DIR, ownerAlive, removeOwner } from './owner.ts';

export interface CleanupReport {
  namespaces: string[];
  interfaces: string[];
  cgroups: string[];
  /** Tags skipped because their run is still going. */
  live: string[];
}

export interface CleanupOptions {
  searchPath?: string;
  ownerDir?: string;
  cgroups?: CgroupDriver;
}

export async function cleanupLeftovers(options: CleanupOptions = {}): Promise<CleanupReport> {
  const host = new HostCommands(requireHostTools(options.searchPath ?? process.env.PATH ?? ''));
  const cgroups = options.cgroups ?? detectCgroups();
  const ownerDir = options.ownerDir ?? OWNER_DIR;
  const report: CleanupReport = { namespaces: [], interfaces: [], cgroups: [], live: [] };
  const live = new Set<string>();
  const isLive = (tag: string): boolean => {
    if (live.has(tag)) return true;
    if (ownerAlive(`${PREFIX}${tag}`, ownerDir)) {
      live.add(tag);
      return true;
    }
    return false;
  };

  // Processes first (they hold namespaces and cgroups), then namespaces, interfaces, cgroups.
  const netnsList = (await execa(host.tools.ip, ['netns', 'list'], { reject: false })).stdout;
  for (const netns of netnsList.split('\n').map((l) => l.split(' ')[0] ?? '')) {
    const tag = OWNED_NETNS.exec(netns)?.[1];
    if (tag === undefined || isLive(tag)) continue;
    await killNetnsProcesses(host, netns);
    if (await host.ipQuiet(['netns', 'del', netns])) report.namespaces.push(netns);
  }
  const links = JSON.parse((await host.ip(['-j', 'link', 'show'])) || '[]') as { ifname: string }[];
  // Veth ends before bridges, so deleting a bridge never races its ports.
  const owned = links.map((l) => l.ifname).filter((name) => {
    const tag = OWNED_INTERFACE.exec(name)?.[1];
    return tag !== undefined && !isLive(tag);
  });
  const isBridge = (name: string) => /(br|n\d+)$/.test(name);
  for (const name of [...owned.filter((n) => !isBridge(n)), ...owned.filter(isBridge)]) {
    if (await host.ipQuiet(['link', 'del', name])) report.interfaces.push(name);
  }
  for (const group of await cgroups.topLevelGroups()) {
    const tag = OWNED_CGROUP.exec(group)?.[1];
    if (tag === undefined || isLive(tag)) continue;
    await cgroups.remove(group);
    report.cgroups.push(group);
  }
  for (const tag of new Set([...report.namespaces, ...report.interfaces, ...report.cgroups].map((n) => n.slice(PREFIX.length, PREFIX.length + 4)))) {
    removeOwner(`${PREFIX}${tag}`, ownerDir);
  }
  report.live = [...live];
  return report;
}
