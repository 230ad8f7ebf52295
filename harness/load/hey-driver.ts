/**
 * hey, the paper's own load generator, run by the harness as a closed-loop driver: `hey -z
 * <duration> -c <workers> -o csv`, its per-request rows read into the same recorder as every
 * other driver (histograms, per-second timeline, error classes), so its figures sit beside the
 * default driver's in the same tables.
 *
 * What hey cannot give, said in the result's notes rather than guessed:
 * - it sends one body for every request (-D file): the first body of the source;
 * - it does not report response headers, so a dataflow error envelope counts by its status
 *   (http4xx/http5xx), not as `envelope`;
 * - it prints times with four decimals of a second: 0.1 ms steps;
 * - its timeout is whole seconds (-t), so the client timeout is rounded up;
 * - its CSV has no row for a request that failed without a response. Those that took time are
 *   bounded from below by the workers' time no row covers (hey-csv.ts) and counted as timeouts
 *   censored at the timeout, the class inferred; those that took none (a refused or reset
 *   connection) cannot be seen at all;
 * - it keeps only its first 1,000,000 responses.
 * At the end of -z, hey stops sending and waits for the requests in flight: those that end after
 * the window are cut off at their age then, as the other drivers' are; a warm-up run this way
 * drains by itself. So hey runs -z, and then at most -t: the run fails, in one line naming
 * hey's exit and the end of its stderr, when hey exits non-zero or on a signal, prints no CSV
 * header, ends well short of -z without being interrupted, or has not exited -z + -t + a margin
 * after its start (a watchdog kills it then).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ProfileRecorder } from '../metrics/recorder.ts';
import type { BodySource } from './body-source.ts';
import { classifyStatus } from './classify.ts';
import type { LoadDriver, LoadSpec, RunOptions } from './driver.ts';
import { after, type Timer } from '../timers.ts';
import { readBoundedLines } from './bounded-lines.ts';
import { failuresAtLeast, HEY_MAX_LINE_BYTES, HEY_MAX_ROWS, HeyRows, isHeyHeader } from './hey-csv.ts';

/** The hey the driver runs: $FOGBENCH_HEY, or `hey` on the PATH. */
export function heyCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.FOGBENCH_HEY || 'hey';
}

/**
 * The hey for the load agent to run, as the pre-run check runs it: the load agent runs in a pod
 * with an environment of its own (no $FOGBENCH_HEY there), so the bench hands it the command
 * itself (RunOptions.hey), a path made absolute against the folder the check ran in.
 */
export function heyForAgent(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const command = heyCommand(env);
  return command.includes('/') ? path.resolve(cwd, command) : command;
}

/** hey's -t for a client timeout: whole seconds, rounded up (hey.go: `t = flag.Int("t", 20, "")`). */
export function heyTimeoutS(timeoutMs: number): number {
  return Math.ceil(timeoutMs / 1000);
}

/** hey's -z for a window, in whole ms; never 0, which hey reads as "no duration" (it then sends its default 200 requests). */
export function heyWindowMs(durationMs: number): number {
  const ms = Math.round(durationMs);
  if (!(ms >= 1)) throw new Error(`hey cannot run a window of ${durationMs} ms: its -z would be 0, which hey reads as no duration (it would send 200 requests); at least 1 ms is needed`);
  return ms;
}

/** The command line hey is run with (without the URL), for the spec and a body file. */
export function heyArgs(spec: LoadSpec, bodyFile: string): string[] {
  const args = ['-z', `${heyWindowMs(spec.durationMs)}ms`, '-c', String(spec.workers), '-m', 'POST', '-t', String(heyTimeoutS(spec.timeoutMs)), '-D', bodyFile, '-o', 'csv'];
  for (const [name, value] of Object.entries(spec.headers)) {
    if (name.toLowerCase() === 'content-type') args.push('-T', value);
    else args.push('-H', `${name}: ${value}`);
  }
  if (!spec.keepAlive) args.push('-disable-keepalive');
  return args;
}

/**
 * Whether hey can be run here: null when it can, else one line saying why (for the bench to
 * refuse --driver hey before it deploys anything). Runs `hey -h` (hey prints its usage on stderr
 * and exits 2), with the environment the agent will have.
 */
export function checkHeyAvailable(env: NodeJS.ProcessEnv = process.env): string | null {
  const command = heyCommand(env);
  const r = spawnSync(command, ['-h'], { env, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `--driver hey: ${command === 'hey' ? 'hey is not on the PATH' : `${command} ($FOGBENCH_HEY) does not exist`}; install it (Debian/Ubuntu: apt-get install hey) or choose another --driver`;
    return `--driver hey: cannot run ${command} (${code === 'ETIMEDOUT' ? '`-h` did not end within 10 s' : r.error.message})`;
  }
  if (!/^\s*-z\b/m.test(`${r.stdout}\n${r.stderr}`)) return `--driver hey: ${command} does not look like hey (its -h lists no -z option): ${oneLine(`${r.stderr} ${r.stdout}`) || 'no output'}`;
  return null;
}

/** How long after -z and -t hey may still take to exit (starting, building its report, printing its CSV): 3 s and 5 % of -z. */
export function heyExitMarginMs(windowMs: number): number {
  return 3_000 + 0.05 * windowMs;
}
/** Past its deadline, the watchdog still waits while hey prints its CSV: it kills hey after this long with nothing on stdout. */
const QUIET_MS = 1_000;
/** After hey exited, how long its output may take to end (a process it left behind may hold the pipe). */
const OUTPUT_END_MS = 5_000;
/** hey ended short of its window when it ran less than -z minus this, not interrupted: max(1 s, 10 % of -z). */
export function heyShortfallMs(windowMs: number): number {
  return Math.max(1_000, 0.1 * windowMs);
}

/** The end of some output, on one line (its lines joined by " | "). */
function oneLine(text: string, max = 300): string {
  const flat = text
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join(' | ');
  return flat.length > max ? `…${flat.slice(-max)}` : flat;
}

interface HeyExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
  /** When it exited (performance.now()). */
  atMs: number;
}

export const heyDriver: LoadDriver = {
  name: 'hey',
  canDrain: true,
  unsupported: (spec) => (spec.rate !== undefined ? 'hey is a closed-loop tool here (its -q limits each worker, it does not schedule sends)' : undefined),

  async run(spec: LoadSpec, bodies: BodySource, recorder: ProfileRecorder, signal: AbortSignal, options?: RunOptions) {
    const windowMs = heyWindowMs(spec.durationMs);
    const timeoutS = heyTimeoutS(spec.timeoutMs);
    const dir = await mkdtemp(path.join(options?.scratchDir ?? os.tmpdir(), 'fogbench-hey-'));
    let watchdog: Timer | undefined;
    try {
      const bodyFile = path.join(dir, 'body');
      await writeFile(bodyFile, bodies.next());
      const args = heyArgs(spec, bodyFile);
      // hey's clock starts a few milliseconds after the spawn (process start): its times are
      // placed from here, so they read at most that much early.
      const t0 = performance.now();
      const child = spawn(options?.hey ?? heyCommand(), [...args, spec.url], { stdio: ['ignore', 'pipe', 'pipe'] });
      const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
      const exited = new Promise<HeyExit>((resolve) => {
        child.once('error', (error) => resolve({ code: null, signal: null, error, atMs: performance.now() }));
        child.once('exit', (code, sig) => resolve({ code, signal: sig, atMs: performance.now() }));
      });
      const onAbort = () => child.kill('SIGINT'); // hey stops and still prints its rows
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
      // Its rows are the lines after its CSV header, each checked (HeyRows); before the header,
      // whatever it printed is kept for the error message.
      const heyRows = new HeyRows();
      let header = false;
      let stderr = '';
      let otherOutput = '';
      let lastOutput = t0;
      child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
      child.stdout.on('data', () => (lastOutput = performance.now()));
      readBoundedLines(
        child.stdout,
        HEY_MAX_LINE_BYTES,
        (bytes) => {
          const line = bytes.toString('latin1');
          if (header) heyRows.add(line);
          else if (isHeyHeader(line)) header = true;
          else otherOutput = (otherOutput + '\n' + line).slice(-2000);
        },
        () => (header ? heyRows.reject('longer than a row can be') : (otherOutput = `${otherOutput}\n[a line of more than ${HEY_MAX_LINE_BYTES} bytes]`.slice(-2000))),
      );
      // hey ends by itself -z after its start plus at most -t for the requests in flight (a
      // SIGINT only makes that sooner); one that has not, and prints nothing, is killed.
      const deadlineMs = windowMs + timeoutS * 1000 + heyExitMarginMs(windowMs);
      let killed = false;
      const check = () => {
        const quiet = performance.now() - lastOutput;
        if (quiet < QUIET_MS) {
          watchdog = after(QUIET_MS - quiet, check);
          return;
        }
        killed = true;
        child.kill('SIGKILL');
      };
      watchdog = after(deadlineMs, check);
      const exit = await exited;
      watchdog.clear();
      signal.removeEventListener('abort', onAbort);
      const outputEnded = exit.error
        ? true
        : await Promise.race([closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), OUTPUT_END_MS).unref())]);
      if (!outputEnded) {
        child.stdout.destroy();
        child.stderr.destroy();
      }
      const ranMs = exit.atMs - t0;
      const ran = `${(ranMs / 1000).toFixed(2)} s`;
      const said = () => oneLine(stderr) || 'nothing on stderr';
      if (exit.error) throw new Error(`cannot run hey (${exit.error.message}); install it (Debian: apt-get install hey) or choose another --driver`);
      if (killed) {
        throw new Error(
          `hey had not exited ${(deadlineMs / 1000).toFixed(1)} s after its start (-z ${windowMs} ms, -t ${timeoutS} s and ${(heyExitMarginMs(windowMs) / 1000).toFixed(1)} s more): killed it (SIGKILL pid ${child.pid}); stderr: ${said()}`,
        );
      }
      const interrupted = signal.aborted && (exit.code === 0 || exit.signal === 'SIGINT');
      if (exit.signal && !interrupted) throw new Error(`hey was killed by ${exit.signal} after ${ran}; stderr: ${said()}`);
      if (exit.code !== 0 && !interrupted) throw new Error(`hey exited with code ${exit.code} after ${ran}; stderr: ${said()}`);
      if (!outputEnded) throw new Error(`hey exited after ${ran} but its output had not ended ${OUTPUT_END_MS / 1000} s later (a process it left holds it?); stderr: ${said()}`);
      if (!header && !(signal.aborted && exit.signal === 'SIGINT')) {
        throw new Error(`hey exited with code 0 after ${ran} but printed no CSV header (is it hey, with -o csv?); stdout: ${oneLine(otherOutput) || 'nothing'}; stderr: ${said()}`);
      }
      if (!signal.aborted && ranMs < windowMs - heyShortfallMs(windowMs)) {
        throw new Error(`hey ended ${ran} after its start, short of its ${windowMs / 1000} s window (-z), with ${heyRows.rows.length} response(s) and exit code 0; stderr: ${said()}`);
      }

      heyRows.keepWithin(ranMs / 1000);
      const rows = heyRows.rows;
      rows.sort((a, b) => a.offset + a.seconds - (b.offset + b.seconds));
      for (const row of rows) {
        const latencyMs = row.seconds * 1000;
        recorder.record(classifyStatus(row.status, false), latencyMs, t0 + row.offset * 1000 + latencyMs);
      }
      recorder.note(
        `hey: one body for every request; error envelopes counted by their HTTP status (hey reports no headers); ` +
          `times in steps of 0.1 ms (hey prints seconds with four decimals: percentiles below a few ms are coarse, a 0.0000 row is recorded as 1 µs); ` +
          `client timeout ${timeoutS} s (hey's -t is whole seconds${timeoutS * 1000 !== spec.timeoutMs ? `; ${spec.timeoutMs} ms asked` : ''})`,
      );
      const rejected = heyRows.note();
      if (rejected) recorder.note(rejected);
      recorder.note(
        "hey: NOT SEEN: requests that failed at once without a response (connection refused, reset) are in no figure: hey's CSV has no row for them and they take no worker time to infer them from",
      );
      // Interrupted, hey stopped at an unknown moment: its window, and so the bound, is unknown.
      const bound = signal.aborted ? undefined : failuresAtLeast(rows, { workers: spec.workers, durationS: windowMs / 1000, timeoutS, ranS: ranMs / 1000 });
      // Each is a timeout censored at hey's timeout, ending t after the start the rows put it at;
      // one that would end after the window is cut off at its age then (the recorder does it:
      // its count of requests tells which).
      let asTimeouts = 0;
      for (const at of bound?.starts ?? []) {
        const before = recorder.counters().requests;
        recorder.record('timeout', timeoutS * 1000, t0 + (at + timeoutS) * 1000);
        if (recorder.counters().requests > before) asTimeouts++;
      }
      const workerTime = (b: NonNullable<typeof bound>) =>
        `over ${(b.to - b.from).toFixed(1)} s its ${spec.workers} closed-loop workers spent ${b.unaccountedS.toFixed(2)} worker-s in no row ` +
        `(${b.allowanceS.toFixed(2)} s of it allowed for handoffs and the workers' start)`;
      if (bound && bound.starts.length > 0) {
        const cut = bound.starts.length - asTimeouts;
        recorder.note(
          `hey: ${bound.starts.length} timeout(s) inferred, at least: hey's CSV has no row for a request that failed without a response; ` +
            `${workerTime(bound)}, which takes at least that many requests of up to ${timeoutS} s; ` +
            `recorded as ${asTimeouts} timeout(s) censored at ${timeoutS} s` +
            (cut > 0 ? ` and ${cut} as request(s) cut off at the window's end (in flight then: counted with the cut-off requests, censored at their age then, not as timeouts)` : '') +
            `; placed where the rows leave workers idle, each within hey's run (${ran} from its start to its exit); ` +
            `the class is inferred (a long run of fast failures would leave the same time)`,
        );
      }
      if (bound && bound.ruledOut > 0) {
        recorder.note(
          `hey: ${bound.ruledOut} more failure(s) without a response the workers' time implies were not inferred: ${workerTime(bound)}, ` +
            `but hey ran ${ran} from its start to its exit, waiting for its requests in flight, so ${bound.starts.length === 0 ? `none of its requests can have lasted its ${timeoutS} s timeout` : `no more than ${bound.starts.length} of them can have been ${timeoutS} s timeouts`}; ` +
            `what took that time (workers slow to start, failures faster than the timeout) is unknown, and is in no figure`,
        );
      }
      if (!bound) recorder.note('hey: interrupted: requests that failed without a response were not inferred (their number is unknown)');
      else if (bound.limit === 'no timeout') recorder.note('hey: no client timeout (-t 0): requests that failed without a response were not inferred (their number is unknown)');
      if (rows.length >= HEY_MAX_ROWS) {
        const reached = rows.reduce((m, r) => Math.max(m, r.offset + r.seconds), 0);
        recorder.note(
          `hey: it keeps only its first ${HEY_MAX_ROWS.toLocaleString('en')} responses (reached ${reached.toFixed(1)} s after it started): later responses are missing from every figure, ` +
            `and requests that failed without a response were inferred only ${bound && bound.to > bound.from ? `up to ${bound.to.toFixed(1)} s` : 'nowhere'}: after it their number is unknown`,
        );
      }
      return { cutOff: 0 };
    } finally {
      watchdog?.clear();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
