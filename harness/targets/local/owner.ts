/**
 * Which process owns a fog target's kernel objects: a small file per tag under /run/fogbench
 * holding the owner's pid and start time. cleanupLeftovers removes only objects whose owner is
 * gone, so running `--cleanup` while another fogbench run is live does not break that run.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const OWNER_DIR = '/run/fogbench';

interface OwnerRecord {
  pid: number;
  startTicks: string | null;
  runId: string;
}

export function writeOwner(root: string, runId: string, dir = OWNER_DIR): void {
  mkdirSync(dir, { recursive: true });
  const record: OwnerRecord = { pid: process.pid, startTicks: processStart(process.pid), runId };
  writeFileSync(join(dir, `${root}.json`), JSON.stringify(record));
}

export function removeOwner(root: string, dir = OWNER_DIR): void {
  rmSync(join(dir, `${root}.json`), { force: true });
}

/** True when the process that created `root` is still running (same pid and start time). */
export function ownerAlive(root: string, dir = OWNER_DIR): boolean {
  let record: OwnerRecord;
  try {
    record = JSON.parse(readFileSync(join(dir, `${root}.json`), 'utf8')) as OwnerRecord;
  } catch {
    return false;
  }
  const start = processStart(record.pid);
  return start !== null && start === record.startTicks;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks): tells a reused pid apart. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
