/**
 * How the report writer puts files on disk without writing through a symbolic link someone left
 * in a run folder. A run folder is data (it may come from another machine or another user):
 * a linked `vendor/vega.min.js` must not make the writer overwrite the link's target, nor a
 * linked `csv/` receive the CSV files.
 *
 * - Folders the writer writes into must be real folders: a link there is refused (usage error
 *   naming it), never followed.
 * - Files are written to a fresh temporary name (created exclusively, so not through a link
 *   planted at that name) and renamed over the destination: a link at the destination is
 *   replaced by the file, its target left untouched. Readers never see half a file.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { usageError } from '../errors.ts';

/** Creates `dir` (and parents) when missing; refuses when it, or `dir` itself, is a link or a file. */
export async function ensureRealDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const info = await lstat(dir);
  if (info.isSymbolicLink()) throw usageError(`${dir} is a symbolic link; fogbench writes report files only into real folders (remove the link)`);
  if (!info.isDirectory()) throw usageError(`${dir} is not a folder; fogbench cannot write report files into it`);
}

/** Writes `content` to `file` by an exclusive temporary file and a rename (see above). */
export async function writeFileReplacing(file: string, content: string | Buffer): Promise<void> {
  const dir = dirname(file);
  const info = await lstat(dir).catch(() => null);
  if (info?.isSymbolicLink()) throw usageError(`${dir} is a symbolic link; fogbench writes report files only into real folders (remove the link)`);
  const temporary = join(dir, `.${file.slice(dir.length + 1)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o644);
  try {
    await handle.writeFile(content);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Copies a file the same way (the source is read whole: the vendored scripts are ~1 MB). */
export async function copyFileReplacing(source: string, destination: string): Promise<void> {
  await writeFileReplacing(destination, await readFile(source));
}
