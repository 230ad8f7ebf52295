/**
 * Which kernel objects a fog target created, and whether the process that created them is still
 * alive: one record per target under /run/fogbench (`fbf<tag>.json`), holding the owner's pid and
 * start time and the exact names of every namespace, interface and cgroup it made, and the
 * folder of its pods' /tmp folders (pod-folders.ts).
 *
 * Ownership is by record, never by name: an object is added to the record *before* it is
 * created and taken out only after it is gone, so a crash at any moment leaves no object of
 * ours unlisted; anything not listed (another tool's `fbf…` bridge, say) is not ours and is
 * never touched. cleanup.ts removes exactly what the records of dead owners list.
 *
 * The objects are recorded where they are made (network.ts, cgroups.ts) through the ledger this
 * module keeps per target root, so the target only opens and closes its record.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { processStart, writerAlive } from '../../processes.ts';
import { replaceFileSync } from '../../safe-fs.ts';

export { processStart };

export const OWNER_DIR = '/run/fogbench';

export type ObjectKind = 'namespaces' | 'interfaces' | 'cgroups' | 'folders';
export type OwnedObjects = Record<ObjectKind, string[]>;

export interface OwnerRecord {
  /**
   * 2: lists its objects. Records without a version (1) list none: nothing of theirs is removed.
   * `folders` came later within version 2: a record without it lists none (read as []).
   */
  version: 2;
  root: string;
  pid: number;
  startTicks: string | null;
  runId: string;
  createdAt: string;
  objects: OwnedObjects;
}

const ROOT = /^fbf[a-z0-9]{4}$/;

/** The open record of one live fog target; every change is written at once (atomically). */
export class OwnerLedger {
  private readonly record: OwnerRecord;
  private closed = false;

  constructor(
    root: string,
    runId: string,
    private readonly dir: string,
  ) {
    if (!ROOT.test(root)) throw new Error(`not a fog target root: ${root}`);
    this.record = {
      version: 2,
      root,
      pid: process.pid,
      startTicks: processStart(process.pid),
      runId,
      createdAt: new Date().toISOString(),
      objects: { namespaces: [], interfaces: [], cgroups: [], folders: [] },
    };
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.save();
  }

  get file(): string {
    return join(this.dir, `${this.record.root}.json`);
  }

  /** Call before creating the object; throws when it cannot be recorded (then do not create it). */
  add(kind: ObjectKind, name: string): void {
    if (this.closed || this.record.objects[kind].includes(name)) return;
    this.record.objects[kind].push(name);
    this.save();
  }

  /**
   * Call once the object is gone. Never throws: a record that cannot be updated (its folder
   * removed under it, a full disk) must not stop the removal of everything else; the record
   * then still lists the object, and a later cleanup finds it already gone.
   */
  remove(kind: ObjectKind, name: string): void {
    const list = this.record.objects[kind];
    if (this.closed || !list.includes(name)) return;
    list.splice(list.indexOf(name), 1);
    try {
      this.save();
    } catch {
      // see above
    }
  }

  objects(): OwnedObjects {
    return structuredClone(this.record.objects);
  }

  /** Deletes the record: everything it listed is gone. */
  close(): void {
    this.closed = true;
    try {
      rmSync(this.file, { force: true });
    } catch {
      // nothing to do: the record is gone or its folder is
    }
  }

  private save(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    replaceFileSync(this.file, JSON.stringify(this.record), 0o600);
  }
}

/** The open ledgers of this process, by target root: network.ts and cgroups.ts record through them. */
const ledgers = new Map<string, OwnerLedger>();

/** The ledger of the target whose objects are named `root…`, when this process owns one. */
export function ledgerFor(root: string): OwnerLedger | undefined {
  return ledgers.get(root);
}

/** Opens the record of a new target (before it creates anything). */
export function writeOwner(root: string, runId: string, dir = OWNER_DIR): OwnerLedger {
  const ledger = new OwnerLedger(root, runId, dir);
  ledgers.set(root, ledger);
  return ledger;
}

/** Closes the record once the target removed everything. */
export function removeOwner(root: string, dir = OWNER_DIR): void {
  const ledger = ledgers.get(root);
  ledgers.delete(root);
  if (ledger) ledger.close();
  else rmSync(join(dir, `${root}.json`), { force: true });
}

export interface StoredRecord {
  file: string;
  /** Null when the file is not a record this fogbench can trust (unreadable, or another shape). */
  record: OwnerRecord | null;
  /** What the file holds when it is an older record without an object list. */
  legacy: { pid: number; runId: string } | null;
}

/** Every record in `dir` (none when the folder does not exist). */
export function readRecords(dir = OWNER_DIR): StoredRecord[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.sort().map((name) => {
    const file = join(dir, name);
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return { file, record: null, legacy: null };
    }
    const root = name.slice(0, -'.json'.length);
    if (isRecord(value, root)) return { file, record: { ...value, objects: { ...value.objects, folders: value.objects.folders ?? [] } }, legacy: null };
    const v = value as Partial<OwnerRecord> | null;
    if (typeof v === 'object' && v !== null && typeof v.pid === 'number' && v.objects === undefined) {
      return { file, record: null, legacy: { pid: v.pid, runId: String(v.runId ?? '?') } };
    }
    return { file, record: null, legacy: null };
  });
}

function isRecord(value: unknown, root: string): value is OwnerRecord {
  const v = value as Partial<OwnerRecord> | null;
  const names = (list: unknown) => Array.isArray(list) && list.every((n) => typeof n === 'string');
  return (
    typeof v === 'object' && v !== null && v.version === 2 && v.root === root && ROOT.test(root) &&
    typeof v.pid === 'number' && (typeof v.startTicks === 'string' || v.startTicks === null) && typeof v.runId === 'string' &&
    typeof v.objects === 'object' && v.objects !== null && names(v.objects.namespaces) && names(v.objects.interfaces) && names(v.objects.cgroups) &&
    (v.objects.folders === undefined || names(v.objects.folders))
  );
}

/** True when the process that wrote the record is still running (same pid and start time). */
export const recordOwnerAlive: (record: Pick<OwnerRecord, 'pid' | 'startTicks'>) => boolean = writerAlive;

/** True when the process that created `root` is still running (same pid and start time). */
export function ownerAlive(root: string, dir = OWNER_DIR): boolean {
  const stored = readRecords(dir).find((r) => r.file === join(dir, `${root}.json`));
  if (stored?.record) return recordOwnerAlive(stored.record);
  if (stored?.legacy) return processStart(stored.legacy.pid) !== null;
  return false;
}
