/**
 * The per-run build folders, `build/runs/<run-id>`: compiled bundles, the load agent's spec, hey's body
 * file, OpenFaaS's secrets and provider state. They must be gone after any end of a run, SIGKILL
 * included, and nothing in them may have been planted before the run wrote it:
 *
 * - A folder is claimed before it is made: a record `build/.runs/<run-id>.json` (created
 *   exclusively) names the process that owns it, by pid and start time.
 * - It is then made new (refused when something is already there) and private (0700).
 * - The run removes it when it ends; after a SIGKILL, the next run's start or `--cleanup` removes
 *   every folder whose owner is gone, and says so. A folder no record names is never touched.
 * - They live in a folder of their own, `build/runs/`, apart from what fogbench builds once and
 *   shares (build/cli, build/openfaas, build/calibration): a record planted with the name of one
 *   of those cannot get it removed.
 *
 * A sweep claims `build/runs/<sweep-id>` and each of its points `build/runs/<sweep-id>/<point-id>`
 * the same way, under the sweep's folder: a dead sweep's points go with it.
 */
import path from 'node:path';
import { rm, writeFile } from 'node:fs/promises';
import { usageError } from './errors.ts';
import { processStart, writerAlive } from './processes.ts';
import { exactly, integer, nullable, object, req, string, type Check } from './results/checks.ts';
import { checkPathName } from './safe-name.ts';
import { existsInside, listInside, makeDirInside, readJsonInside, removeInside } from './safe-fs.ts';

/** Where the CLI puts every run's build folder (relative to the working folder): see above. */
export const BUILD_ROOT = path.join('build', 'runs');

/** Where the records are, beside the folders they claim. */
const RECORDS = '.runs';

interface BuildRecord {
  kind: 'fogbench.build-folder';
  name: string;
  pid: number;
  startTicks: string | null;
  createdAt: string;
}

const RECORD_SHAPE: Check = object({
  kind: req(exactly('fogbench.build-folder')),
  name: req(string),
  pid: req(integer(1)),
  startTicks: req(nullable(string)),
  createdAt: req(string),
});

/** A folder whose owner was gone, removed. */
export interface AbandonedFolder {
  folder: string;
  pid: number;
  createdAt: string;
}

export interface BuildFolder {
  /** The folder, absolute. */
  dir: string;
  /** Folders of dead owners removed before this one was made. */
  removed: AbandonedFolder[];
  /** Removes the folder and its record. Safe to call twice. */
  release(): Promise<void>;
}

const recordRel = (name: string) => path.join(RECORDS, `${name}.json`);
const readRecord = (root: string, name: string) => readJsonInside<BuildRecord>(root, recordRel(name), RECORD_SHAPE, 'a build folder record fogbench wrote (remove it)');

/**
 * Removes, under `root`, every folder whose record names a process that is gone, with its record.
 * A record that is not one fogbench wrote is left, named in the error of a claim that needs it.
 */
export async function removeAbandonedBuildFolders(root: string): Promise<AbandonedFolder[]> {
  const removed: AbandonedFolder[] = [];
  for (const file of await listInside(root, RECORDS)) {
    if (!file.endsWith('.json')) continue;
    const name = file.slice(0, -'.json'.length);
    const record = await readRecord(root, name).catch(() => null);
    if (record === null || record.name !== name || writerAlive(record)) continue;
    await removeInside(root, checkPathName('build folder', name));
    await removeInside(root, recordRel(name));
    removed.push({ folder: path.join(root, name), pid: record.pid, createdAt: record.createdAt });
  }
  return removed;
}

/** What `--cleanup` prints of the build folders: one line per folder removed, or that there was none. */
export async function cleanupBuildFolders(root = BUILD_ROOT): Promise<string> {
  const lines = describeAbandoned(await removeAbandonedBuildFolders(root));
  return `${(lines.length ? lines : [`no build folder of a dead run under ${root}/`]).join('\n')}\n`;
}

/** One line per folder removed, for the progress output and `--cleanup`. */
export function describeAbandoned(removed: readonly AbandonedFolder[]): string[] {
  return removed.map((r) => `removed ${r.folder}, left by a run whose process (pid ${r.pid}) is gone (made ${r.createdAt})`);
}

/** Claims `root/name` for this process and makes it new (see above). */
export async function claimBuildFolder(root: string, name: string): Promise<BuildFolder> {
  checkPathName('run id', name);
  const removed = await removeAbandonedBuildFolders(root);
  await makeDirInside(root, RECORDS, { mode: 0o700 });
  const record: BuildRecord = { kind: 'fogbench.build-folder', name, pid: process.pid, startTicks: processStart(process.pid), createdAt: new Date().toISOString() };
  const recordFile = path.join(root, recordRel(name));
  await writeFile(recordFile, JSON.stringify(record) + '\n', { flag: 'wx', mode: 0o600 }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
    const held = await readRecord(root, name);
    throw usageError(`${path.join(root, name)} is the build folder of a run that is still going (process ${held?.pid ?? '?'}): choose another run id`);
  });
  let released: Promise<void> | null = null;
  const release = () =>
    (released ??= (async () => {
      await removeInside(root, name);
      await rm(recordFile, { force: true });
    })());
  try {
    if (await existsInside(root, name)) throw usageError(`${path.join(root, name)} already exists and no run owns it: remove it, or choose another run id`);
    const dir = await makeDirInside(root, name, { exclusive: true, mode: 0o700 });
    return { dir: path.resolve(dir), removed, release };
  } catch (error) {
    // Not made: only the record goes (what is there is not this run's).
    await rm(recordFile, { force: true });
    throw error;
  }
}
