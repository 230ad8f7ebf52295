/**
 * The folder that holds a fog target's per-pod `/tmp` folders (`<tmpdir>/fbf<tag>/<netns>/`),
 * owned by record like its kernel objects (owner.ts): listed in the owner record before it is
 * made, so a SIGKILLed run's folder is found and removed by the next start (cleanup.ts).
 *
 * The folder lives in a world-writable place, so "listed" is not enough to remove it: the record
 * must name it after its own root, and the folder must be a real folder of this user (a link put
 * there, or another user's folder, is left alone). Removal never follows a link: rmSync unlinks
 * links inside the tree, and a link in the folder's own place is refused before it starts.
 */
import { lstatSync, mkdirSync, rmSync } from 'node:fs';
import { basename, isAbsolute, normalize } from 'node:path';
import { environmentError } from '../../errors.ts';
import { ledgerFor } from './owner.ts';

/** Records, then makes, the pods' folder of target `root`; it must not exist yet. */
export function makePodFolders(root: string, folder: string): void {
  ledgerFor(root)?.add('folders', folder);
  try {
    // Not recursive: a folder already there (another user's, a link) is not taken over.
    mkdirSync(folder, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    ledgerFor(root)?.remove('folders', folder);
    throw environmentError(`${folder} already exists and is not this run's; remove it if no fogbench run uses it, then start again`, error);
  }
}

/** Removes the pods' folder of a target of this process, when its record lists it, then takes it off. */
export function removePodFolders(root: string, folder: string): void {
  if (!ledgerFor(root)?.objects().folders.includes(folder)) return;
  const outcome = removeOwnedFolder(root, folder);
  if (typeof outcome === 'object') throw environmentError(outcome.refused);
  ledgerFor(root)?.remove('folders', folder);
}

/** Removes a folder that the record of `root` lists, when it is safe; else says why it was left alone. */
export function removeOwnedFolder(root: string, folder: string): 'removed' | 'absent' | { refused: string } {
  const refuse = (why: string) => ({ refused: `${folder}: ${why}; left alone` });
  if (!isAbsolute(folder) || normalize(folder) !== folder || basename(folder) !== root) return refuse(`listed by the record of ${root} but not named after it`);
  let stat;
  try {
    stat = lstatSync(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    return refuse(`cannot be read (${(error as Error).message})`);
  }
  if (stat.isSymbolicLink()) return refuse(`is a link now, not the folder ${root} made`);
  if (!stat.isDirectory()) return refuse('is not a folder now');
  if (stat.uid !== process.getuid!()) return refuse(`belongs to another user (uid ${stat.uid}) now`);
  rmSync(folder, { recursive: true, force: true });
  return 'removed';
}
