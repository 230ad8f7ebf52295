/**
 * `cluster down` signals the pid in the cluster's daemon.json only when that pid is this
 * cluster's daemon: a forged or stale status naming another process (issue 25's attack,
 * repeated: `down` SIGTERMed an unrelated `sleep`) leaves it alone, and a FIFO there is not read.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { daemonAlive, readDaemonStatus, stopDaemon } from '../../../clusters/local-cluster/daemon-control.ts';
import { DAEMON_INPUT } from '../../../clusters/local-cluster/daemon.ts';
import { clusterLayout, type ClusterLayout } from '../../../clusters/local-cluster/layout.ts';
import { processStart } from '../../../harness/processes.ts';

let dir: string;
let layout: ClusterLayout;
const children: ChildProcess[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fogbench-daemon-control-'));
  layout = clusterLayout(dir);
  await mkdir(layout.dir);
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** A process of ours that waits; `args` end up in its command line. */
async function waiter(args: string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', ...args], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child;
}

const writeStatus = (pid: number, startTicks: string | null) =>
  writeFile(layout.daemonStatus, JSON.stringify({ pid, startTicks, phase: 'running', root: 'fbfx', processes: {}, namespaces: {}, delay: null, updatedAt: '' }));

describe('the daemon a status file names', () => {
  it('leaves alone a process that is not this cluster\'s daemon, whatever daemon.json says', async () => {
    const victim = await waiter();
    await writeStatus(victim.pid!, null);
    expect(daemonAlive(layout, readDaemonStatus(layout))).toBe(false);
    expect(await stopDaemon(layout, { timeoutMs: 1_000 })).toBe('not-running');
    await writeStatus(victim.pid!, processStart(victim.pid!));
    expect(await stopDaemon(layout, { timeoutMs: 1_000 })).toBe('not-running');
    expect(victim.exitCode).toBeNull();
    expect(victim.signalCode).toBeNull();
  });

  it("leaves alone another cluster's daemon", async () => {
    const other = await waiter(['cluster', 'local-daemon', join(dir, 'other', 'local', DAEMON_INPUT)]);
    await writeStatus(other.pid!, processStart(other.pid!));
    expect(await stopDaemon(layout, { timeoutMs: 1_000 })).toBe('not-running');
    expect(other.signalCode).toBeNull();
  });

  it("stops this cluster's own daemon", async () => {
    const daemon = await waiter(['cluster', 'local-daemon', join(layout.dir, DAEMON_INPUT)]);
    await writeStatus(daemon.pid!, processStart(daemon.pid!));
    const ended = new Promise((resolve) => daemon.once('exit', resolve));
    expect(await stopDaemon(layout, { timeoutMs: 10_000 })).toBe('stopped');
    await ended;
    expect(daemon.signalCode).toBe('SIGTERM');
  });

  it('reads no FIFO planted as daemon.json (a blocking read would hold the process through every signal)', () => {
    execFileSync('mkfifo', [layout.daemonStatus]);
    expect(readDaemonStatus(layout)).toBeNull();
  });

  it('ignores a status naming pid 0, 1 or a negative pid (process.kill would signal a whole group)', async () => {
    for (const pid of [0, 1, -1]) {
      await writeStatus(pid, null);
      expect(readDaemonStatus(layout)).toBeNull();
    }
  });
});
