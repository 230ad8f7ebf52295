/**
 * Open-loop load: requests leave on a schedule that does not wait for responses, so a stalled
 * system cannot slow the load down and hide its stall (coordinated omission). Each response is
 * recorded twice: from its intended send time (corrected, the honest latency) and from the
 * moment it really left (uncorrected). A send more than LATE_MS behind schedule is late.
 *
 * Nothing queues quietly in the client: the connection agent has no socket cap, and the only
 * limit is `workers` requests in flight at once, the profile's explicit cap. A send that finds
 * the cap full waits in the driver's own queue, is counted (queued), and its wait is inside its
 * corrected latency. Every scheduled send is accounted for exactly once: a response or failure
 * (recorded), cut off (in flight when the window closed) or dropped (still queued then); cut-off
 * and dropped sends are recorded as censored latencies at their age when the window closed.
 */
import http from 'node:http';
import { HEADER } from '../dataflow/protocol.ts';
import type { Outcome, ProfileRecorder } from '../metrics/recorder.ts';
import { schedule } from './arrivals.ts';
import type { BodySource } from './body-source.ts';
import { classifyFailure, classifyStatus } from './classify.ts';
import type { LoadDriver, LoadSpec, RunOptions } from './driver.ts';
import { uncappedAgent, waitsInAgent } from './node-agent.ts';
import { after, sleep } from '../timers.ts';

const LATE_MS = 10;

class RequestTimeout extends Error {
  readonly code = 'FB_TIMEOUT';
}
class CutOff extends Error {}

interface Sent {
  intended: number;
  cut(now: number): void;
}

/** The largest cap worth having at `rate`: about every request of one timeout in flight at once. */
export function uncappedInFlight(rate: number, timeoutMs: number): number {
  return Math.ceil(rate * (timeoutMs / 1000) * 1.5) + 16;
}

export const openLoopDriver: LoadDriver = {
  name: 'fogbench-open-loop',
  unsupported: (spec) => (spec.rate && spec.rate > 0 ? undefined : 'the open-loop driver needs --rate'),

  async run(spec: LoadSpec, bodies: BodySource, recorder: ProfileRecorder, signal: AbortSignal, options: RunOptions = { end: 'cut' }) {
    const url = new URL(spec.url);
    const agent = uncappedAgent(spec.keepAlive, spec.workers);
    const requestOptions: http.RequestOptions = { host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', agent };
    const cap = spec.workers;
    const start = performance.now();
    const end = start + spec.durationMs;
    const queue: number[] = [];
    const inFlight = new Set<Sent>();
    let scheduled = 0;
    let late = 0;
    let queued = 0;
    let stopped = false;
    let idle: (() => void) | undefined;
    signal.addEventListener(
      'abort',
      () => {
        stopped = true;
        // Interrupted while draining a warm-up: what is left is cut, not waited for.
        if (idle) for (const sent of [...inFlight]) sent.cut(performance.now());
      },
      { once: true },
    );

    const startRequest = (intended: number) => {
      const body = bodies.next();
      const sentAt = performance.now();
      if (sentAt - intended > LATE_MS) late++;
      // Sends due within a millisecond go out at once (timers are coarser than that), so a send
      // can leave before its intended time: its latency then counts from when it really left,
      // never less than what the system took (a timeout never below the limit).
      const from = Math.min(intended, sentAt);
      let settled = false;
      const finish = () => {
        settled = true;
        timer.clear();
        inFlight.delete(sent);
        // A freed slot goes to the oldest queued send, unless the window has closed.
        const next = queue.shift();
        if (next !== undefined && !stopped) startRequest(next);
        else if (next !== undefined) queue.unshift(next);
        if (inFlight.size === 0) idle?.();
      };
      const settle = (outcome: Outcome, responded: boolean) => {
        if (settled) return;
        const now = performance.now();
        // Corrected: from the intended send. A timeout's latency is censored at the limit (plus any queueing).
        recorder.record(outcome, outcome === 'timeout' ? sentAt + spec.timeoutMs - from : now - from, now);
        if (responded && now - start <= spec.durationMs) recorder.recordUncorrected(now - sentAt);
        finish();
      };
      const req = http.request(
        { ...requestOptions, headers: { ...spec.headers, 'content-length': body.length, connection: spec.keepAlive ? 'keep-alive' : 'close' } },
        (res) => {
          res.on('data', () => {});
          res.on('end', () => settle(classifyStatus(res.statusCode ?? 0, res.headers[HEADER.error] !== undefined), true));
          res.on('error', (e) => settle(classifyFailure(e), false));
        },
      );
      const sent: Sent = {
        intended,
        cut(now) {
          if (settled) return;
          recorder.cutOff(now - from);
          settled = true;
          timer.clear();
          inFlight.delete(sent);
          req.destroy(new CutOff('window closed'));
          if (inFlight.size === 0) idle?.();
        },
      };
      const timer = after(spec.timeoutMs, () => req.destroy(new RequestTimeout(`no response within ${spec.timeoutMs} ms`)));
      req.on('error', (e) => settle(classifyFailure(e), false));
      inFlight.add(sent);
      if (waitsInAgent(agent, req)) recorder.queuedInClient();
      req.end(body);
    };

    const send = (intended: number) => {
      scheduled++;
      if (inFlight.size < cap) startRequest(intended);
      else {
        queued++;
        recorder.queuedInClient();
        queue.push(intended);
      }
    };

    // Dispatch every send that is due, then sleep until the next one; timers are coarse, so
    // a tick may send several requests, each still measured from its own intended time.
    for (const offset of schedule(spec.rate!, spec.arrivals ?? 'constant', spec.durationMs, spec.seed ?? 1)) {
      if (stopped) break;
      const intended = start + offset;
      const wait = intended - performance.now();
      if (wait > 1) await sleep(wait);
      if (stopped) break;
      send(intended);
    }
    const remaining = end - performance.now();
    if (remaining > 0 && !stopped) await sleep(remaining, signal);
    stopped = true;
    let dropped = 0;
    if (options.end === 'drain' && !signal.aborted) {
      // A warm-up: what was queued is dropped unsent; what is in flight ends by itself or times out.
      dropped = queue.length;
      queue.length = 0;
      if (inFlight.size > 0) await new Promise<void>((resolve) => (idle = resolve));
    } else {
      // The window is closed: queued sends were never sent (dropped), those in flight are cut off,
      // each aged at the window's end (a late timer would make the lower bound too high).
      const now = Math.min(performance.now(), end);
      for (const intended of queue.splice(0)) {
        dropped++;
        recorder.censor(now - intended);
      }
      for (const sent of [...inFlight]) sent.cut(now);
    }
    agent.destroy();
    recorder.setSchedule({ scheduled, late, dropped, cap, queued });
    return { cutOff: 0 };
  },
};
