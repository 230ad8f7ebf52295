/**
 * Starting, watching and stopping the cluster daemon (daemon.ts) from `cluster up`, `down` and
 * `status`. The daemon is started detached (a session of its own, so a Ctrl-C in the terminal
 * reaches `up`, which then stops it in order); `up` keeps a pipe to its stdin until it hands
 * the cluster over, so `up` dying any way before that stops the daemon too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processStart } from '../../harness/targets/local/owner.ts';
import { DETACH, type DaemonStatus } from './daemon.ts';
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

export function readDaemonStatus(layout: ClusterLayout): DaemonStatus | null {
  try {
    return JSON.parse(readFileSync(layout.daemonStatus, 'utf8')) as DaemonStatus;
  } catch {
    return null;
  }
}

export function daemonAlive(status: Pick<DaemonStatus, 'pid' | 'startTicks'> | null): boolean {
  if (status === null) return false;
  const start = processStart(status.pid);
  return start !== null && (status.startTicks === null || start === status.startTicks);
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
  if (!daemonAlive(status)) return 'not-running';
  const follow = logFollower(layout);
  follow();
  process.kill(status!.pid, 'SIGTERM');
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (daemonAlive(status)) {
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
