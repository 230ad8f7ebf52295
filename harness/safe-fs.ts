/**
 * How fogbench touches the files of its run, sweep and build folders. They are data (copied from
 * another machine, left by a crashed run, or planted): a symbolic link there must never be
 * followed, so that a linked `points/` cannot make a resume delete and write in the link's
 * target, and nothing but a regular file may be opened, so that a FIFO planted as `sweep.json`
 * cannot block a read (and the libuv worker holding it) for good.
 *
 * Every function takes the folder fogbench was given or made (`root`: a --runs-dir, a run or
 * sweep folder, a build folder), trusted as it is, and a path inside it: each folder between
 * them is checked with lstat to be a real folder, and the last component is never followed
 * (opened with O_NOFOLLOW, removed as the link it is). A problem is a usage error naming the
 * path and what to do, on one line.
 *
 * Writes go to a fresh temporary name (created exclusively, so not through a link planted at
 * that name) renamed over the destination: a link at the destination is replaced, its target
 * left untouched, and readers never see half a file.
 */
import { closeSync, constants, openSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { usageError } from './errors.ts';
import { firstProblem, type Check, problemsOf } from './results/checks.ts';

/** The largest file read back whole (a profile of a 10-minute, 50-worker run is a few MB). */
export const MAX_READ_BYTES = 256 * 2 ** 20;

function kindOf(info: Stats): string {
  if (info.isSymbolicLink()) return 'a symbolic link';
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

const refusal = (path: string, what: string) =>
  usageError(`${path} is ${what}; fogbench follows no link and opens only regular files inside the folders it keeps (runs, sweeps, builds, cluster state): remove it`);

/** `rel` split into its components; refused when it would leave the root. */
function components(rel: string): string[] {
  const clean = normalize(rel);
  if (isAbsolute(rel) || clean === '..' || clean.startsWith(`..${sep}`)) throw new Error(`${rel} is not a path inside a folder`);
  return clean.split(sep).filter((p) => p !== '' && p !== '.');
}

/** lstat, or null when nothing is there. */
async function lstatOrNull(path: string): Promise<Stats | null> {
  return lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
    throw error;
  });
}

/**
 * Checks that every folder from `root` down to the parent of `rel` is a real folder. Returns the
 * full path of `rel`, or null when one of those folders does not exist.
 */
async function checkParents(root: string, rel: string): Promise<string | null> {
  const parts = components(rel);
  let path = root;
  for (const part of parts.slice(0, -1)) {
    path = join(path, part);
    const info = await lstatOrNull(path);
    if (info === null) return null;
    if (!info.isDirectory()) throw refusal(path, kindOf(info));
  }
  return join(root, ...parts);
}

/** The bytes of a regular file inside `root`, or null when it does not exist. */
export async function readInside(root: string, rel: string, maxBytes = MAX_READ_BYTES): Promise<Buffer | null> {
  const path = await checkParents(root, rel);
  if (path === null) return null;
  // O_NONBLOCK: opening a FIFO with no writer returns at once (then refused), where a blocking
  // open would wait for ever in a libuv worker that no signal frees.
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    if (error.code === 'ELOOP') throw refusal(path, 'a symbolic link');
    throw error;
  });
  if (handle === null) return null;
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw refusal(path, kindOf(info));
    if (info.size > maxBytes) throw usageError(`${path} holds ${info.size} bytes, more than the ${maxBytes} fogbench reads back; it is not a file fogbench wrote`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** A JSON file inside `root`, parsed, for a caller that checks it itself; an error when it is missing. */
export async function parseJsonInside(root: string, rel: string): Promise<unknown> {
  const bytes = await readInside(root, rel);
  if (bytes === null) throw new Error('it is missing');
  return JSON.parse(bytes.toString('utf8'));
}

/**
 * A JSON file inside `root` checked against `shape`: null when it does not exist; a usage error
 * naming the file and its first problem when it is not JSON or not of that shape.
 */
export async function readJsonInside<T>(root: string, rel: string, shape: Check, what: string): Promise<T | null> {
  const bytes = await readInside(root, rel);
  if (bytes === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw usageError(`${join(root, rel)} is not ${what}: ${(error as Error).message}`);
  }
  const problem = firstProblem(problemsOf(shape, value));
  if (problem !== null) throw usageError(`${join(root, rel)} is not ${what}: ${problem}`);
  return value as T;
}

/** The names in a folder inside `root` (`''` for root itself, which must exist); empty when it does not exist. */
export async function listInside(root: string, rel: string): Promise<string[]> {
  if (rel === '') return readdir(root);
  const path = await checkParents(root, rel);
  if (path === null) return [];
  const info = await lstatOrNull(path);
  if (info === null) return [];
  if (!info.isDirectory()) throw refusal(path, kindOf(info));
  return readdir(path);
}

/** Whether something (of any kind, a dangling link included) is at `rel` inside `root`. */
export async function existsInside(root: string, rel: string): Promise<boolean> {
  const path = await checkParents(root, rel);
  return path !== null && (await lstatOrNull(path)) !== null;
}

/**
 * Removes `rel` inside `root` and everything under it. A link there is removed itself, never
 * followed (rm walks with lstat); a linked folder above it is refused.
 */
export async function removeInside(root: string, rel: string): Promise<void> {
  const path = await checkParents(root, rel);
  if (path !== null) await rm(path, { recursive: true, force: true });
}

/**
 * Makes the folder `rel` inside `root` (made too when missing) and the folders between them that
 * are missing, refusing any that is a link or not a folder. `exclusive`: the last one must not
 * exist yet (a folder made new holds nothing anyone planted); the error then says what is there.
 */
export async function makeDirInside(root: string, rel: string, options: { exclusive?: boolean; mode?: number } = {}): Promise<string> {
  const parts = components(rel);
  await mkdir(root, { recursive: true });
  let path = root;
  for (const [i, part] of parts.entries()) {
    path = join(path, part);
    const last = i === parts.length - 1;
    const made = await mkdir(path, { mode: options.mode ?? 0o777 }).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
        return false;
      },
    );
    if (made) continue;
    const info = await lstat(path);
    if (!info.isDirectory()) throw refusal(path, kindOf(info));
    if (last && options.exclusive) throw usageError(`${path} already exists; fogbench makes this folder new for each run: remove it or choose another id`);
  }
  return path;
}

/** Writes `content` to `rel` inside `root` by an exclusive temporary file and a rename (see above). */
export async function writeInside(root: string, rel: string, content: string | Buffer, mode = 0o644): Promise<void> {
  const path = await checkParents(root, rel);
  if (path === null) throw usageError(`${join(root, dirname(rel))} does not exist; fogbench cannot write ${rel} into it`);
  await writeFileReplacing(path, content, mode);
}

/** Creates `dir` (and parents) when missing; refuses when `dir` itself is a link or a file. */
export async function ensureRealDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const info = await lstat(dir);
  if (!info.isDirectory()) throw refusal(dir, kindOf(info));
}

/** Writes `content` to `file` (whose folder must be real) by an exclusive temporary file and a rename. */
export async function writeFileReplacing(file: string, content: string | Buffer, mode = 0o644): Promise<void> {
  const dir = dirname(file);
  const info = await lstatOrNull(dir);
  if (info !== null && !info.isDirectory()) throw refusal(dir, kindOf(info));
  await checkReplaceable(file);
  await replaceFile(file, content, mode);
}

/**
 * fogbench's one way to replace a file: `content` goes into a fresh temporary name beside `file`,
 * created exclusively with `mode` (so not through a link planted at that name, and never readable
 * by more than `mode` allows, not even for a moment: a secret is written 0600 from its first
 * byte), then renamed over `file`. Readers see the old file or the new one, never half of one; a
 * link at `file` is replaced, its target untouched; whoever holds the old file open keeps the old
 * bytes. The folder is taken as given: writeFileReplacing checks it first for run and build folders.
 */
export async function replaceFile(file: string, content: string | Buffer, mode = 0o644): Promise<void> {
  const temporary = temporaryBeside(file);
  const handle = await open(temporary, 'wx', mode);
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

/** replaceFile for the writers that must be done when they return (owner records, a daemon's status file). */
export function replaceFileSync(file: string, content: string | Buffer, mode = 0o644): void {
  const temporary = temporaryBeside(file);
  const fd = openSync(temporary, 'wx', mode);
  try {
    writeFileSync(fd, content);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** A fresh hidden name beside `file`, for replaceFile's temporary. */
const temporaryBeside = (file: string) => join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);

/**
 * Refuses `file` as the destination of a rename unless it is missing, a file or a link (which is
 * replaced, its target left untouched). A rename would replace a device or a FIFO with a regular
 * file (`--index /dev/null`, run as root, would replace /dev/null), and fails on a folder with
 * an EISDIR trace: neither is fogbench's to replace.
 */
export async function checkReplaceable(file: string): Promise<void> {
  const existing = await lstatOrNull(file);
  if (existing !== null && !existing.isFile() && !existing.isSymbolicLink()) {
    throw usageError(`${file} is ${kindOf(existing)}; fogbench writes a file there only in place of a file or a link: remove it or choose another path`);
  }
}

/** Copies a file the same way (the source is read whole: the vendored scripts are ~1 MB). */
export async function copyFileReplacing(source: string, destination: string): Promise<void> {
  await writeFileReplacing(destination, await readFile(source));
}

/**
 * Files the user names as input (--dataset, --scenario, --thresholds, a topology, a kubeconfig,
 * a cluster config): a link is fine (the user chose it), but what it names must be a regular
 * file. /dev/zero read whole never ends, and a read of a FIFO blocks a libuv worker, or the main
 * thread, through every signal: `--dataset /dev/zero` and a FIFO as --dataset held the bench
 * through Ctrl-C until SIGKILL. A missing file is left to the caller's own message.
 */
export async function checkInputFile(file: string, what: string): Promise<void> {
  const info = await stat(file).catch(() => null);
  if (info !== null && !info.isFile()) throw notRegularInput(file, what, info);
}

/** checkInputFile for the callers that read synchronously. */
export function checkInputFileSync(file: string, what: string): void {
  let info: Stats;
  try {
    info = statSync(file);
  } catch {
    return;
  }
  if (!info.isFile()) throw notRegularInput(file, what, info);
}

const notRegularInput = (file: string, what: string, info: Stats) =>
  usageError(`${what} ${file} is ${info.isDirectory() ? 'a folder' : kindOf(info)}, not a regular file: give the path of a file`);

/**
 * A small input file the user named, read whole (as text): only a regular file, opened without
 * blocking (a FIFO swapped in after a check is refused too), at most `maxBytes`.
 */
export async function readInputFile(file: string, what: string, maxBytes = 16 * 2 ** 20): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK).catch((error: NodeJS.ErrnoException) => {
    throw usageError(`cannot read ${what} ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`, error);
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notRegularInput(file, what, info);
    if (info.size > maxBytes) throw usageError(`${what} ${file} holds ${info.size} bytes, more than the ${maxBytes} such a file can need`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
