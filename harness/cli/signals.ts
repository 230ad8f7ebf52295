/**
 * Ctrl-C, SIGTERM and SIGHUP: the first asks the run to stop and clean up (every process,
 * namespace and cgroup it created); another one a person presses later exits at once.
 *
 * One Ctrl-C can arrive more than once: the terminal signals the whole foreground process
 * group, and a wrapper in front of fogbench may relay the same signal again (tsx did; npm relays
 * to its child, and `bash -c` execs fogbench in its place). So a signal within a short window
 * of the first is the same Ctrl-C, not a request to force; a person who really wants to force
 * presses again after it.
 *
 * The process that started fogbench ending (npm killed with SIGKILL, a closed terminal's shell)
 * counts as SIGTERM: fogbench would otherwise run on, orphaned, with nobody to stop it.
 */
import { readFileSync } from 'node:fs';
import { ExitCode } from '../errors.ts';

/** Signals closer together than this are one Ctrl-C delivered twice. */
export const DUPLICATE_WINDOW_MS = 750;
/** How often the parent processes are checked. */
export const PARENT_CHECK_MS = 500;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface SignalOptions {
  stream?: NodeJS.WritableStream;
  duplicateWindowMs?: number;
  /** Watch the processes that started this one (default true). */
  watchParents?: boolean;
  /** How a forced stop ends the process (tests replace it). */
  exit?: (code: number) => void;
}

export interface SignalScope {
  signal: AbortSignal;
  dispose(): void;
}

let stopRequested = false;

/**
 * Whether a signal (or the end of the starting process) asked this process to stop. Child
 * processes share the terminal's process group and get the same Ctrl-C: esbuild's service dies
 * with it and a build in progress then fails with an error of its own, which is the stop, not
 * a bug (run-main.ts reports it so).
 */
export function stopWasRequested(): boolean {
  return stopRequested;
}

export function abortOnSignals(options: SignalOptions = {}): SignalScope {
  const stream = options.stream ?? process.stderr;
  const windowMs = options.duplicateWindowMs ?? DUPLICATE_WINDOW_MS;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const controller = new AbortController();
  let firstAt: number | null = null;

  const stop = (why: string) => {
    firstAt = Date.now();
    stopRequested = true;
    stream.write(`\nfogbench: ${why}, stopping and cleaning up (Ctrl-C again to force)\n`);
    controller.abort();
  };
  const handler = (sig: NodeJS.Signals) => {
    if (firstAt === null) return stop(`${sig} received`);
    // The same Ctrl-C, relayed: cleanup goes on.
    if (Date.now() - firstAt < windowMs) return;
    stream.write(`fogbench: ${sig} again, exiting without finishing cleanup (units still stop with fogbench; the next run removes what is left)\n`);
    exit(ExitCode.interrupted);
  };
  for (const sig of SIGNALS) process.on(sig, handler);

  const parents = options.watchParents === false ? [] : startingProcesses();
  const timer =
    parents.length === 0
      ? null
      : setInterval(() => {
          const gone = parents.find((p) => processStart(p.pid) !== p.start);
          if (gone === undefined || controller.signal.aborted) return;
          stop(`the process that started it (${gone.name}, pid ${gone.pid}) ended`);
        }, PARENT_CHECK_MS);
  timer?.unref();

  return {
    signal: controller.signal,
    dispose() {
      for (const sig of SIGNALS) process.off(sig, handler);
      if (timer !== null) clearInterval(timer);
    },
  };
}

interface Watched {
  pid: number;
  start: string;
  name: string;
}

/**
 * The parent process, and when it is only a `sh -c` wrapper (npm runs scripts through one) the
 * process behind it: killing npm leaves its shell waiting on fogbench, so the shell alone says
 * nothing. Never pid 1.
 */
export function startingProcesses(pid: number = process.pid): Watched[] {
  const watched: Watched[] = [];
  let current = parentOf(pid);
  for (let depth = 0; depth < 2 && current !== null && current > 1; depth++) {
    const start = processStart(current);
    if (start === null) break;
    const argv = commandLine(current);
    watched.push({ pid: current, start, name: (argv[0] ?? '?').split('/').pop() ?? '?' });
    const shellWrapper = /(^|\/)(sh|bash|dash|zsh)$/.test(argv[0] ?? '') && argv[1] === '-c';
    if (!shellWrapper) break;
    current = parentOf(current);
  }
  return watched;
}

function stat(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

function parentOf(pid: number): number | null {
  const fields = stat(pid);
  return fields === null ? null : Number(fields[1]);
}

/** Start time in clock ticks (tells a reused pid apart); null when the process is gone. */
function processStart(pid: number): string | null {
  const fields = stat(pid);
  if (fields === null || fields[0] === 'Z' || fields[0] === 'X') return null;
  return fields[19] ?? null;
}

function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}
