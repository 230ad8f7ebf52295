/**
 * A RunningUnit backed by a child process: stdout split into lines, a bounded stderr tail for
 * error messages, and a stop that escalates from the given signal to SIGKILL.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { RunningUnit } from '../target.ts';

const STDERR_TAIL_BYTES = 64 * 1024;
const STOP_GRACE_MS = 3_000;

export function spawnUnit(name: string, command: string, args: readonly string[], options: SpawnOptions): RunningUnit {
  const child: ChildProcess = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const listeners: ((line: string) => void)[] = [];
  let stderr = '';

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      stderr += `\n${error.message}`;
      resolve({ code: -1, signal: null });
    });
  });
  let ended = false;
  void exited.then(() => (ended = true));

  createInterface({ input: child.stdout! }).on('line', (line) => {
    for (const listener of listeners) listener(line);
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });

  return {
    name,
    pid: child.pid,
    exited,
    onLine: (listener) => void listeners.push(listener),
    stderrTail: () => stderr.trim(),
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (ended) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
