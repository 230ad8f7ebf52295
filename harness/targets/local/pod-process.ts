/**
 * One process running inside a pod: in the pod's network namespace and its cgroup(s). A tiny
 * sh wrapper writes its own pid into the cgroups first and only then execs `ip netns exec`,
 * which execs the command: so the command, and everything it forks, starts already inside
 * the node's quota (no window where a child escapes), and keeps the pid we spawned.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { RunningUnit } from '../target.ts';

const STDERR_TAIL_BYTES = 64 * 1024;
const JOIN_FAILED = 97;

// $1 = number of cgroup.procs files, then the files, then the command line to exec.
const WRAPPER = [
  'n=$1; shift',
  'while [ "$n" -gt 0 ]; do echo $$ > "$1" || { echo "fogbench: cannot join cgroup $1" >&2; exit ' + JOIN_FAILED + '; }; shift; n=$((n-1)); done',
  'exec "$@"',
].join('\n');

export interface PodProcessSpec {
  name: string;
  ipPath: string;
  /** The pod's namespace; undefined runs the process in the host's (the link-delay relays). */
  netns: string | undefined;
  cgroupProcsFiles: string[];
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export type ExitStatus = { code: number | null; signal: NodeJS.Signals | null };

export class PodProcess implements RunningUnit {
  readonly name: string;
  readonly pid: number | undefined;
  readonly exited: Promise<ExitStatus>;
  private readonly listeners: ((line: string) => void)[] = [];
  private stderr = '';
  private status: ExitStatus | null = null;

  constructor(spec: PodProcessSpec) {
    this.name = spec.name;
    const child = spawn(
      '/bin/sh',
      [
        '-c',
        WRAPPER,
        'fogbench-pod',
        String(spec.cgroupProcsFiles.length),
        ...spec.cgroupProcsFiles,
        ...(spec.netns === undefined ? [] : [spec.ipPath, 'netns', 'exec', spec.netns]),
        spec.command,
        ...spec.args,
      ],
      // Own process group: a Ctrl-C in the terminal reaches the harness, which then stops
      // units in order, instead of killing every unit at once behind its back.
      { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    this.pid = child.pid;
    createInterface({ input: child.stdout }).on('line', (line) => {
      for (const listener of this.listeners) listener(line);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    this.exited = new Promise((resolve) => {
      let settled = false;
      const settle = (status: ExitStatus) => {
        if (settled) return;
        settled = true;
        this.status = status;
        resolve(status);
      };
      child.on('error', (error) => {
        this.stderr += `\n${error.message}`;
        settle({ code: null, signal: null });
      });
      // 'close' waits for stdout to drain (the last spans); a forked grandchild holding the
      // pipe open must not delay the exit for long, hence the fallback.
      child.on('close', (code, signal) => settle({ code, signal }));
      child.on('exit', (code, signal) => setTimeout(() => settle({ code, signal }), 500).unref());
    });
  }

  get hasExited(): boolean {
    return this.status !== null;
  }

  onLine(listener: (line: string) => void): void {
    this.listeners.push(listener);
  }

  stderrTail(): string {
    return this.stderr;
  }

  /** Signals the process, and SIGKILLs it if it is still there after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
    if (this.status !== null || this.pid === undefined) return;
    sendSignal(this.pid, signal);
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([this.exited, timer])) === 'timeout') {
      sendSignal(this.pid, 'SIGKILL');
      await this.exited;
    }
  }
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
