/**
 * Coordinated omission, shown on numbers: a server stalls for 1 s once. Open loop, the sends
 * leave on schedule and the latency shows the stall in its p99; the closed loop barely shows it
 * at all, because its workers stopped sending while they waited.
 * And the open loop's books: every scheduled send accounted for exactly once, nothing queued in
 * the client unless a cap was asked for, and then counted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedBody } from '../../harness/load/body-source.ts';
import type { LoadSpec } from '../../harness/load/driver.ts';
import { httpDriver } from '../../harness/load/http-driver.ts';
import { openLoopDriver, uncappedInFlight } from '../../harness/load/open-loop-driver.ts';
import { decodeHistogram, latencyStats } from '../../harness/metrics/histogram.ts';
import { ProfileRecorder } from '../../harness/metrics/recorder.ts';

let server: ChildProcess | undefined;
afterEach(() => void server?.kill('SIGTERM'));

async function stallingServer(): Promise<string> {
  server = spawn(process.execPath, ['test/fixtures/stalling-server.mjs'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => createInterface({ input: server!.stdout! }).once('line', resolve));
  return `http://127.0.0.1:${port}/`;
}

async function measureWith(driver: typeof httpDriver, spec: LoadSpec) {
  const start = performance.now();
  const recorder = new ProfileRecorder(start, spec.durationMs);
  const { cutOff } = await driver.run(spec, fixedBody('{}'), recorder, new AbortController().signal);
  return recorder.finish(Math.min(performance.now(), start + spec.durationMs), cutOff);
}

// Timing on a shared VM drifts up to 2x between rounds: a measurement gets three tries, each
// held to the full tolerance.
const TIMING = { retry: 2 };

describe('open loop against a server that stalls once for 1 s', TIMING, () => {
  const base = { durationMs: 4_000, keepAlive: true, timeoutMs: 5_000, headers: { 'content-type': 'application/json' } };

  it('open loop: sends leave on schedule and the p99 shows the stall; closed loop hides it', async () => {
    const open = await measureWith(openLoopDriver, { ...base, url: await stallingServer(), workers: uncappedInFlight(200, base.timeoutMs), rate: 200, arrivals: 'constant' });
    server!.kill('SIGTERM');
    const closed = await measureWith(httpDriver, { ...base, url: await stallingServer(), workers: 4 });

    const corrected = latencyStats(decodeHistogram(open.latencyAll));
    expect(open.requests + open.cutOff + open.openLoop!.dropped).toBe(open.openLoop!.scheduled);
    const uncorrected = latencyStats(decodeHistogram(open.latencyUncorrected!));
    const closedLoop = latencyStats(decodeHistogram(closed.latencyAll));
    console.log(
      `open corrected p99 ${corrected.p99.toFixed(1)} ms, uncorrected p99 ${uncorrected.p99.toFixed(1)} ms, ` +
        `closed p99 ${closedLoop.p99.toFixed(1)} ms (max ${closedLoop.max.toFixed(0)} ms); late ${open.openLoop!.late} of ${open.openLoop!.scheduled}`,
    );
    // ~200 sends were due during the stall out of ~800: a quarter of corrected latencies are large.
    expect(corrected.p99).toBeGreaterThan(700);
    expect(corrected.p90).toBeGreaterThan(200);
    // Nothing held the sends back in the client (no cap it could reach): they left on time and
    // waited at the stalled server, so from the actual send they show the stall too. (With the
    // hidden cap of 25c3c31 they waited in the client instead, and the uncorrected p99 hid it.)
    expect(uncorrected.p99).toBeGreaterThan(0.7 * corrected.p99);
    expect(open.openLoop!.queued).toBe(0);
    // The closed loop saw the stall (its max) but its p99 hides it.
    expect(closedLoop.max).toBeGreaterThan(900);
    expect(closedLoop.p99).toBeLessThan(100);
  }, 30_000);

  it('keeps to the schedule when the server keeps up', async () => {
    const url = await stallingServer();
    const spec = { ...base, durationMs: 1_000, url, workers: 8, rate: 300, arrivals: 'poisson' as const, seed: 7 };
    const run = await measureWith(openLoopDriver, spec);
    expect(run.openLoop!.scheduled).toBeGreaterThan(240);
    expect(run.openLoop!.scheduled).toBeLessThan(360);
    expect(run.openLoop!.dropped).toBe(0);
    expect(run.ok).toBeGreaterThan(0.95 * run.openLoop!.scheduled - run.cutOff);
  }, 30_000);
});

/** A server that answers after `delayMs`, and never answers every `holdEvery`-th request. */
async function slowServer(delayMs: number, holdEvery = 0): Promise<{ url: string; close(): Promise<void> }> {
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      if (holdEvery && n % holdEvery === 0) return; // held: the client times out or cuts it off
      setTimeout(() => res.end('{}'), delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe('open-loop accounting', TIMING, () => {
  const base = { durationMs: 2_000, keepAlive: false, headers: {}, rate: 100, arrivals: 'constant' as const };

  // Issue 14: on 25c3c31 a request destroyed while waiting for a socket stayed in `waiting` and
  // was counted as dropped and cut off at once (cutOff was -150 and -375), and timed-out,
  // dropped and cut-off requests never reached the corrected histogram.
  it('accounts for every scheduled send exactly once, with timeouts, cut-offs and never-sent sends as censored latencies', async () => {
    const server = await slowServer(150, 3);
    try {
      // A cap of 4 in flight at 100 req/s of 150 ms requests (some never answered): sends must queue.
      const run = await measureWith(openLoopDriver, { ...base, url: server.url, workers: 4, timeoutMs: 500 });
      const o = run.openLoop!;
      console.log(`scheduled ${o.scheduled}: ${run.requests} ended (${run.ok} ok, ${run.errors.timeout} timed out), ${run.cutOff} cut off, ${o.dropped} never sent; ${o.queued} queued for the cap`);
      expect(run.cutOff).toBeGreaterThanOrEqual(0);
      expect(o.dropped).toBeGreaterThan(0);
      expect(run.errors.timeout).toBeGreaterThan(0);
      expect(run.requests + run.cutOff + o.dropped).toBe(o.scheduled);
      expect(run.censored).toBe(run.errors.timeout + run.cutOff + o.dropped);
      expect(o).toMatchObject({ cap: 4, queued: expect.any(Number) });
      expect(o.queued).toBeGreaterThan(0);
      expect(run.clientQueued).toBe(o.queued);
      const completed = latencyStats(decodeHistogram(run.latencyAll));
      const withTimeouts = latencyStats(decodeHistogram(run.latencyCensored!));
      expect(withTimeouts.count).toBe(completed.count + run.censored!);
      expect(withTimeouts.p99).toBeGreaterThan(500);
    } finally {
      await server.close();
    }
  }, 30_000);

  // Issue 14: on 25c3c31 `maxSockets: workers` capped the open loop, so at the bench's worker
  // counts --rate became a closed loop with a hidden client-side queue.
  it('queues nothing in the client without a cap it can reach, and counts every send that a small cap holds back', async () => {
    const server = await slowServer(60);
    try {
      const open = await measureWith(openLoopDriver, { ...base, url: server.url, workers: uncappedInFlight(100, 5_000), timeoutMs: 5_000 });
      expect(open.openLoop!.queued).toBe(0);
      expect(open.clientQueued).toBe(0);
      const capped = await measureWith(openLoopDriver, { ...base, url: server.url, workers: 2, timeoutMs: 5_000 });
      expect(capped.openLoop!.queued).toBeGreaterThan(0.3 * capped.openLoop!.scheduled);
      expect(capped.requests + capped.cutOff + capped.openLoop!.dropped).toBe(capped.openLoop!.scheduled);
    } finally {
      await server.close();
    }
  }, 30_000);
});
