/**
 * A RunningUnit backed by a child process: stdout split into lines, a bounded stderr tail for
 * error messages, and a stop that escalates from the given signal to SIGKILL. Every target that
 * runs local processes (loopback, and the fog target's pods) uses this one. Units are started
 * watched (owner-watch.ts): they end when this process ends, however it ends.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { RunningUnit } from '../target.ts';
import { WATCHED_EXEC, WATCHED_STDIO } from './owner-watch.ts';
import { after } from '../../timers.ts';

const STDERR_TAIL_BYTES = 64 * 1024;

export type ExitStatus = { code: number | null; signal: NodeJS.Signals | null };

export class ChildUnit implements RunningUnit {
  readonly pid: number | undefined;
  readonly exited: Promise<ExitStatus>;
  private readonly listeners: ((line: string) => void)[] = [];
  private stderr = '';
  private status: ExitStatus | null = null;

  /** `child` must have piped stdout and stderr (and, when watched, stdin: never written). */
  constructor(
    readonly name: string,
    child: ChildProcess,
    private readonly stopGraceMs: number,
  ) {
    this.pid = child.pid;
    // The watcher's pipe: nothing is written; an error on it (the unit gone) is no concern.
    child.stdin?.on('error', () => {});
    createInterface({ input: child.stdout! }).on('line', (line) => {
      for (const listener of this.listeners) listener(line);
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
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
    return this.stderr.trim();
  }

  /** Signals the process, and SIGKILLs it if it is still there after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = this.stopGraceMs): Promise<void> {
    if (this.status !== null || this.pid === undefined) return;
    sendSignal(this.pid, signal);
    const timer = new Promise<'timeout'>((resolve) => after(graceMs, () => resolve('timeout')).unref());
    if ((await Promise.race([this.exited, timer])) === 'timeout') {
      sendSignal(this.pid, 'SIGKILL');
      await this.exited;
    }
  }
}

/**
 * Starts `command` watched, in a process group of its own: a Ctrl-C in the terminal reaches the
 * harness, which stops units in order, and the watcher can end the unit's children with it.
 */
export function spawnUnit(name: string, command: string, args: readonly string[], options: SpawnOptions, stopGraceMs = 3_000): ChildUnit {
  const child = spawn('/bin/sh', ['-c', WATCHED_EXEC, `fogbench-unit`, command, ...args], { ...options, stdio: [...WATCHED_STDIO], detached: true });
  return new ChildUnit(name, child, stopGraceMs);
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
