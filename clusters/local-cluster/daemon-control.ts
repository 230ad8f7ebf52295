/**
 * Starting, watching and stopping the cluster daemon (daemon.ts) from `cluster up`, `down` and
 * `status`. The daemon is started detached (a session of its own, so a Ctrl-C in the terminal
 * reaches `up`, which then stops it in order); `up` keeps a pipe to its stdin until it hands
 * the cluster over, so `up` dying any way before that stops the daemon too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writerAlive } from '../../harness/processes.ts';
import { DAEMON_INPUT, DETACH, type DaemonStatus } from './daemon.ts';
import type { ClusterLayout } from './layout.ts';

/** The command line npm runs: the daemon is a hidden `cluster local-daemon` command of it. */
const FOGBENCH = fileURLToPath(new URL('../../scripts/fogbench.mjs', import.meta.url));

export function startDaemon(layout: ClusterLayout, inputFile: string, env: NodeJS.ProcessEnv): ChildProcess {
  const out = openSync(join(layout.dir, 'daemon.out'), 'a', 0o600);
  try {
    const child = spawn(process.execPath, [FOGBENCH, 'cluster', 'local-daemon', inputFile], { cwd: '/', env, stdio: ['pipe', out, out], detached: true });
    child.stdin?.on('error', () => {});
    return child;
  } finally {
    closeSync(out);
  }
}

/** `up` is done: the daemon runs on by itself until `cluster down`. */
export function detachDaemon(child: ChildProcess): void {
  child.stdin?.end(`${DETACH}\n`);
  child.unref();
}

/**
 * The daemon's status file, or null when there is none or it is not one: read without following
 * a link and only as a regular file (O_NONBLOCK: a FIFO planted there is refused at once instead
 * of blocking this thread, and with it every signal handler, for good).
 */
export function readDaemonStatus(layout: ClusterLayout): DaemonStatus | null {
  let fd: number;
  try {
    fd = openSync(layout.daemonStatus, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size > 2 ** 20) return null;
    const value = JSON.parse(readFileSync(fd, 'utf8')) as DaemonStatus | null;
    return typeof value === 'object' && value !== null && Number.isInteger(value.pid) && value.pid > 1 ? value : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether `status` names this cluster's daemon, still running: the pid is alive with the start
 * time recorded, and runs `cluster local-daemon` on this very cluster's input file. A status file
 * is data (left by a crash, copied, or planted): the pid it names is signalled only when it is
 * that daemon, never some other process that has, or was given, that pid.
 */
export function daemonAlive(layout: ClusterLayout, status: Pick<DaemonStatus, 'pid' | 'startTicks'> | null): boolean {
  if (status === null || !Number.isInteger(status.pid) || status.pid <= 1) return false;
  if (!writerAlive(status)) return false;
  let args: string[];
  try {
    args = readFileSync(`/proc/${status.pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return false;
  }
  const at = args.indexOf('local-daemon');
  return at > 0 && args[at - 1] === 'cluster' && args[at + 1] !== undefined && resolve(args[at + 1]!) === resolve(layout.dir, DAEMON_INPUT);
}

/** New lines of the daemon's log since the last call, for progress output. */
export function logFollower(layout: ClusterLayout): () => string[] {
  let seen = 0;
  return () => {
    if (!existsSync(layout.daemonLog)) return [];
    const text = readFileSync(layout.daemonLog, 'utf8');
    const fresh = text.slice(seen);
    const end = fresh.lastIndexOf('\n');
    if (end < 0) return [];
    seen += end + 1;
    return fresh
      .slice(0, end)
      .split('\n')
      .map((line) => line.replace(/^\S+ /, ''));
  };
}

/** Asks the daemon to stop (it removes everything), waits, and kills it when it does not. */
export async function stopDaemon(layout: ClusterLayout, options: { timeoutMs?: number; onLine?: (line: string) => void } = {}): Promise<'stopped' | 'killed' | 'not-running'> {
  const status = readDaemonStatus(layout);
  if (!daemonAlive(layout, status)) return 'not-running';
  const follow = logFollower(layout);
  follow();
  process.kill(status!.pid, 'SIGTERM');
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (daemonAlive(layout, status)) {
    for (const line of follow()) options.onLine?.(line);
    if (Date.now() > deadline) {
      process.kill(status!.pid, 'SIGKILL');
      return 'killed';
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  for (const line of follow()) options.onLine?.(line);
  return 'stopped';
}
