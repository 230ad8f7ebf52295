/**
 * One long-running process of a local cluster (etcd, the API server, a node's kubelet...),
 * kept by the cluster daemon as systemd keeps a node's services: started in its cgroup (and,
 * for a node's daemons, inside the node's network and mount namespaces with nsenter), its
 * output appended to a log file of its own, restarted after a back-off when it ends on its own,
 * and ended with its owner however the owner ends (owner-watch.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { WATCH_OWNER_LINES } from '../../harness/targets/process/owner-watch.ts';

// $1 = number of cgroup.procs files, then the files, then the command line. The owner watcher
// is forked first, so it stays outside the cgroup; the command then starts inside it.
const WRAPPER = [
  ...WATCH_OWNER_LINES,
  'n=$1; shift',
  'while [ "$n" -gt 0 ]; do echo $$ > "$1" || { echo "fogbench: cannot join cgroup $1" >&2; exit 97; }; shift; n=$((n-1)); done',
  'exec "$@" </dev/null',
].join('\n');

export interface DaemonProcessSpec {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cgroupProcsFiles: string[];
  logFile: string;
  /** Run inside these namespaces: a network namespace file, and/or the mount namespace of a pid. */
  enter?: { netns?: string; mountOf?: () => number | undefined };
  /** Restarted when it ends on its own (not for one-shot or holder processes). */
  restart: boolean;
}

export type ProcessEvent = (message: string) => void;

const MAX_BACKOFF_MS = 30_000;

export class DaemonProcess {
  private child: ChildProcess | null = null;
  private stopping = false;
  private backoffMs = 1_000;
  private timer: NodeJS.Timeout | null = null;
  private exitWaiters: (() => void)[] = [];
  starts = 0;

  constructor(
    readonly spec: DaemonProcessSpec,
    private readonly onEvent: ProcessEvent,
  ) {}

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  get running(): boolean {
    return this.pid !== undefined;
  }

  start(): void {
    if (this.stopping) return;
    const { spec } = this;
    const prefix: string[] = [];
    if (spec.enter) {
      const mountPid = spec.enter.mountOf?.();
      if (spec.enter.mountOf && mountPid === undefined) throw new Error(`${spec.name}: the namespace it must enter is gone`);
      prefix.push('nsenter');
      if (mountPid !== undefined) prefix.push('--target', String(mountPid), '--mount', '--net');
      else if (spec.enter.netns) prefix.push(`--net=${spec.enter.netns}`);
      prefix.push('--');
    }
    const log = openSync(spec.logFile, 'a', 0o600);
    try {
      const child = spawn('/bin/sh', ['-c', WRAPPER, `fogbench-${spec.name}`, String(spec.cgroupProcsFiles.length), ...spec.cgroupProcsFiles, ...prefix, spec.command, ...spec.args], {
        cwd: '/',
        env: spec.env,
        stdio: ['pipe', log, log],
        detached: true,
      });
      child.stdin?.on('error', () => {});
      this.child = child;
      this.starts++;
      child.once('exit', (code, signal) => this.exited(child, code, signal));
      child.once('error', (error) => this.onEvent(`${spec.name} could not start: ${error.message}`));
    } finally {
      closeSync(log);
    }
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = null;
    for (const wake of this.exitWaiters.splice(0)) wake();
    if (this.stopping) return;
    this.onEvent(`${this.spec.name} ended (${signal ?? `exit code ${code}`}); see ${this.spec.logFile}`);
    if (!this.spec.restart) return;
    this.onEvent(`${this.spec.name}: restarting in ${this.backoffMs / 1000} s`);
    this.timer = setTimeout(() => {
      this.timer = null;
      try {
        this.start();
      } catch (error) {
        this.onEvent(`${this.spec.name} could not restart: ${(error as Error).message}`);
      }
    }, this.backoffMs);
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
  }

  /** Waits until the process has ended (resolves at once when it is not running). */
  ended(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  /** Signals it, and SIGKILLs it after `graceMs`; no restart afterwards. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const pid = this.pid;
    if (pid === undefined) return;
    const ended = this.ended();
    send(pid, signal);
    const timedOut = await Promise.race([ended.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
    if (timedOut) {
      send(pid, 'SIGKILL');
      await ended;
    }
  }
}

function send(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
