/**
 * `--cleanup`, and the start of every fog target: removes what a fog run left behind when it
 * was killed, and only that. Ownership is by record (owner.ts), never by name: an object is
 * removed only when the record of a dead owner lists it (and, as a second check, it carries
 * that owner's `fbf<tag>` prefix). A record whose owner still runs is left alone; an object no
 * record lists is not ours, whatever its name — another tool's `fbf…` bridge is never touched.
 * A recorded folder (the pods' /tmp) goes only when it is still the real folder of this user
 * that the record names after its root (pod-folders.ts).
 */
import { execa } from 'execa';
import { detectCgroups, type CgroupDriver } from './cgroups.ts';
import { HostCommands, requireHostTools } from './host-tools.ts';
import { killNetnsProcesses } from './network.ts';
import { PREFIX } from './names.ts';
import { OWNER_DIR, readRecords, recordOwnerAlive, type OwnerRecord } from './owner.ts';
import { removeOwnedFolder } from './pod-folders.ts';
import { rmSync } from 'node:fs';

export interface CleanedOwner {
  root: string;
  runId: string;
  pid: number;
  namespaces: string[];
  interfaces: string[];
  cgroups: string[];
  folders: string[];
}

export interface CleanupReport {
  namespaces: string[];
  interfaces: string[];
  cgroups: string[];
  folders: string[];
  /** Tags skipped because their run is still going. */
  live: string[];
  /** The dead owners whose objects were removed, each with what was removed. */
  owners: CleanedOwner[];
  /** Records that were dropped without removing anything, and recorded objects left alone, and why. */
  notes: string[];
}

export interface CleanupOptions {
  searchPath?: string;
  ownerDir?: string;
  cgroups?: CgroupDriver;
}

export async function cleanupLeftovers(options: CleanupOptions = {}): Promise<CleanupReport> {
  const ownerDir = options.ownerDir ?? OWNER_DIR;
  const report: CleanupReport = { namespaces: [], interfaces: [], cgroups: [], folders: [], live: [], owners: [], notes: [] };
  const stored = readRecords(ownerDir);
  if (stored.length === 0) return report;
  let tools: { host: HostCommands; cgroups: CgroupDriver } | null = null;
  const host = () => (tools ??= { host: new HostCommands(requireHostTools(options.searchPath ?? process.env.PATH ?? '')), cgroups: options.cgroups ?? detectCgroups() });

  for (const { file, record, legacy } of stored) {
    if (record === null) {
      if (legacy && !isAlive(legacy.pid)) {
        // An older fogbench wrote it without listing its objects: they cannot be told from
        // anyone else's, so they stay; the stale record goes.
        rmSync(file, { force: true });
        report.notes.push(`${file}: run ${legacy.runId} (pid ${legacy.pid}) is gone but its record lists no objects; nothing of it was removed`);
      } else if (legacy) {
        report.live.push(file.slice(file.lastIndexOf('/') + 1 + PREFIX.length, -'.json'.length));
      } else {
        report.notes.push(`${file} is not an owner record fogbench can read; left alone`);
      }
      continue;
    }
    if (recordOwnerAlive(record)) {
      report.live.push(record.root.slice(PREFIX.length));
      continue;
    }
    const { host: commands, cgroups } = host();
    const cleaned = await removeRecorded(record, commands, cgroups, report.notes);
    rmSync(file, { force: true });
    report.owners.push(cleaned);
    report.namespaces.push(...cleaned.namespaces);
    report.interfaces.push(...cleaned.interfaces);
    report.cgroups.push(...cleaned.cgroups);
    report.folders.push(...cleaned.folders);
  }
  return report;
}

/** Removes what `record` lists and still exists: processes first, then namespaces, interfaces, cgroups, folders. */
async function removeRecorded(record: OwnerRecord, host: HostCommands, cgroups: CgroupDriver, notes: string[]): Promise<CleanedOwner> {
  const cleaned: CleanedOwner = { root: record.root, runId: record.runId, pid: record.pid, namespaces: [], interfaces: [], cgroups: [], folders: [] };
  const ours = (name: string) => name.startsWith(record.root);

  const existingNetns = new Set(
    (await execa(host.tools.ip, ['netns', 'list'], { reject: false })).stdout.split('\n').map((l) => l.split(' ')[0] ?? ''),
  );
  for (const netns of record.objects.namespaces.filter((n) => ours(n) && existingNetns.has(n))) {
    await killNetnsProcesses(host, netns);
    if (await host.ipQuiet(['netns', 'del', netns])) cleaned.namespaces.push(netns);
  }

  const existingLinks = new Set((JSON.parse((await host.ip(['-j', 'link', 'show'])) || '[]') as { ifname: string }[]).map((l) => l.ifname));
  const links = record.objects.interfaces.filter((n) => ours(n) && existingLinks.has(n));
  // Veth and TAP ends before bridges, so deleting a bridge never races its ports.
  const isBridge = (name: string) => /(br|n\d+)$/.test(name.slice(record.root.length));
  for (const name of [...links.filter((n) => !isBridge(n)), ...links.filter(isBridge)]) {
    // Deleting one end of a veth pair deletes the other: only say what this call removed.
    if (await host.ipQuiet(['link', 'del', name])) cleaned.interfaces.push(name);
  }

  const existingGroups = new Set(await cgroups.topLevelGroups());
  for (const group of record.objects.cgroups.filter((g) => g === record.root && existingGroups.has(g))) {
    // Kills whatever still runs in the group and below, then removes the folders.
    await cgroups.remove(group);
    cleaned.cgroups.push(group);
  }

  // Last: the pods' /tmp folders, once nothing of the run can write into them any more.
  for (const folder of record.objects.folders) {
    const outcome = removeOwnedFolder(record.root, folder);
    if (outcome === 'removed') cleaned.folders.push(folder);
    else if (outcome !== 'absent') notes.push(outcome.refused);
  }
  return cleaned;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One line per dead owner whose leftovers were removed, for the progress output. */
export function describeCleaned(report: CleanupReport): string[] {
  return report.owners
    .filter((o) => o.namespaces.length + o.interfaces.length + o.cgroups.length + o.folders.length > 0)
    .map(
      (o) =>
        `removed what run ${o.runId} (pid ${o.pid}, gone) left: ` +
        [
          o.namespaces.length ? `${o.namespaces.length} namespaces (${o.namespaces.join(', ')})` : '',
          o.interfaces.length ? `${o.interfaces.length} interfaces (${o.interfaces.join(', ')})` : '',
          o.cgroups.length ? `cgroup ${o.cgroups.join(', ')}` : '',
          o.folders.length ? `folder ${o.folders.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join(', '),
    );
}
