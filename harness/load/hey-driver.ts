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
 * - its CSV has no row for a request that failed without a response: such failures are counted
 *   as at least the number hey-csv.ts can prove (class `other`), with no latency;
 * - its timeout is whole seconds (-t), so the client timeout is rounded up.
 * At the end of -z, hey stops sending and waits for the requests in flight: those that end after
 * the window are cut off at their age then, as the other drivers' are; a warm-up run this way
 * drains by itself.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ProfileRecorder } from '../metrics/recorder.ts';
import type { BodySource } from './body-source.ts';
import { classifyStatus } from './classify.ts';
import type { LoadDriver, LoadSpec } from './driver.ts';
import { failuresAtLeast, HEY_MAX_ROWS, parseHeyRow, type HeyRow } from './hey-csv.ts';

/** The command line hey is run with (without the URL), for the spec and a body file. */
export function heyArgs(spec: LoadSpec, bodyFile: string): string[] {
  const args = ['-z', `${Math.round(spec.durationMs)}ms`, '-c', String(spec.workers), '-m', 'POST', '-t', String(Math.ceil(spec.timeoutMs / 1000)), '-D', bodyFile, '-o', 'csv'];
  for (const [name, value] of Object.entries(spec.headers)) {
    if (name.toLowerCase() === 'content-type') args.push('-T', value);
    else args.push('-H', `${name}: ${value}`);
  }
  if (!spec.keepAlive) args.push('-disable-keepalive');
  return args;
}

export const heyDriver: LoadDriver = {
  name: 'hey',
  canDrain: true,
  unsupported: (spec) => (spec.rate !== undefined ? 'hey is a closed-loop tool here (its -q limits each worker, it does not schedule sends)' : undefined),

  async run(spec: LoadSpec, bodies: BodySource, recorder: ProfileRecorder, signal: AbortSignal) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-hey-'));
    try {
      const bodyFile = path.join(dir, 'body');
      await writeFile(bodyFile, bodies.next());
      // hey's clock starts a few milliseconds after the spawn (process start): its times are
      // placed from here, so they read at most that much early.
      const t0 = performance.now();
      const child = spawn(process.env.FOGBENCH_HEY ?? 'hey', [...heyArgs(spec, bodyFile), spec.url], { stdio: ['ignore', 'pipe', 'pipe'] });
      const onAbort = () => child.kill('SIGINT'); // hey stops and still prints its rows
      signal.addEventListener('abort', onAbort, { once: true });
      const rows: HeyRow[] = [];
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        const row = parseHeyRow(line);
        if (row) rows.push(row);
      });
      const exit = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
        child.once('error', (error) => resolve({ code: null, error }));
        child.once('close', (code) => resolve({ code }));
      });
      signal.removeEventListener('abort', onAbort);
      if (exit.error) throw new Error(`cannot run hey (${exit.error.message}); install it (Debian: apt-get install hey) or choose another --driver`);
      if (exit.code !== 0 && rows.length === 0) throw new Error(`hey exited with code ${exit.code}: ${stderr.trim() || 'no output'}`);

      rows.sort((a, b) => a.offset + a.seconds - (b.offset + b.seconds));
      for (const row of rows) {
        const latencyMs = row.seconds * 1000;
        recorder.record(classifyStatus(row.status, false), latencyMs, t0 + row.offset * 1000 + latencyMs);
      }
      recorder.note('hey: one body for every request; error envelopes counted by their HTTP status (hey reports no headers)');
      const failures = signal.aborted ? [] : failuresAtLeast(rows, spec.workers, spec.durationMs / 1000);
      // Each is placed when its worker began to fail (hey does not say when it gave up).
      for (const at of failures) recorder.record('other', 0, t0 + at * 1000);
      if (failures.length > 0) {
        recorder.note(`hey: ${failures.length} request(s) at least failed without a response (hey's CSV leaves them out; counted as "other", no latency)`);
      }
      if (rows.length >= HEY_MAX_ROWS) recorder.note(`hey: it keeps only its first ${HEY_MAX_ROWS} responses; later ones are missing from every figure`);
      return { cutOff: 0 };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
