/**
 * One process per sweep folder at a time (`sweep.lock`). Reading the lock and then writing it
 * let two resumes started together both run the same point; so the lock is created whole and
 * exclusively (written to a name of its own, then hard-linked to `sweep.lock`, which fails when
 * the name exists, a planted link included), and it is released only while it is still this
 * process's (its token).
 *
 * A lock whose writer is gone (same pid and start time no longer running: killed, crashed) is
 * stale. To drop it, a process moves it aside under a name of its own and checks that what it
 * moved is the stale lock it judged; if another process took the lock in between, that lock is
 * put back and this process gives way.
 */
import { randomBytes } from 'node:crypto';
import { link, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { usageError } from '../errors.ts';
import { processStart, writerAlive } from '../processes.ts';
import { exactly, integer, nullable, object, req, string, type Check } from '../results/checks.ts';
import { readJsonInside } from '../safe-fs.ts';

export const LOCK_FILE = 'sweep.lock';

interface LockRecord {
  kind: 'fogbench.sweep-lock';
  pid: number;
  startTicks: string | null;
  token: string;
  since: string;
}

const LOCK_SHAPE: Check = object({
  kind: req(exactly('fogbench.sweep-lock')),
  pid: req(integer(1)),
  startTicks: req(nullable(string)),
  token: req(string),
  since: req(string),
});

/** Attempts before giving way, when locks keep changing under this process. */
const ATTEMPTS = 5;

/**
 * Takes the lock of the sweep folder `runsDir/sweepId`, or refuses in one line naming the
 * process that holds it. Returns the release.
 */
export async function takeSweepLock(runsDir: string, sweepId: string): Promise<() => Promise<void>> {
  const file = path.join(runsDir, sweepId, LOCK_FILE);
  const read = (name: string) => readJsonInside<LockRecord>(runsDir, path.join(sweepId, name), LOCK_SHAPE, 'a sweep lock fogbench wrote (remove it if no sweep runs)');
  const busy = (held: LockRecord) => usageError(`sweep ${sweepId} is being run by process ${held.pid}; wait for it or stop it first`);
  const mine: LockRecord = { kind: 'fogbench.sweep-lock', pid: process.pid, startTicks: processStart(process.pid), token: randomBytes(8).toString('hex'), since: new Date().toISOString() };
  const own = path.join(runsDir, sweepId, `.${LOCK_FILE}.${mine.token}`);

  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    await writeFile(own, JSON.stringify(mine) + '\n', { flag: 'wx', mode: 0o644 });
    const taken = await link(own, file).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') return false;
        throw error;
      },
    );
    await rm(own, { force: true });
    if (taken) {
      return async () => {
        // Only while it is still ours: a lock taken over since is another process's.
        const held = await read(LOCK_FILE).catch(() => null);
        if (held?.token === mine.token) await rm(file, { force: true });
      };
    }
    const held = await read(LOCK_FILE);
    if (held === null) continue;
    if (writerAlive(held)) throw busy(held);
    // Stale: moved aside under this process's name, then checked to be the lock judged stale.
    const aside = `.${LOCK_FILE}.stale.${mine.token}`;
    const moved = await rename(file, path.join(runsDir, sweepId, aside)).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    if (!moved) continue;
    const was = await read(aside).catch(() => null);
    if (was?.token !== held.token) {
      // Another process took the lock between the read and the move: its lock goes back.
      await link(path.join(runsDir, sweepId, aside), file).catch(() => undefined);
      await rm(path.join(runsDir, sweepId, aside), { force: true });
      throw busy(was ?? held);
    }
    await rm(path.join(runsDir, sweepId, aside), { force: true });
  }
  throw usageError(`sweep ${sweepId}: its lock kept changing while this process tried to take it; another process is starting it: wait for it`);
}
