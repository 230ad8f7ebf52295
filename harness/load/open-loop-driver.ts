/**
 * Open-loop load: requests leave on a schedule that does not wait for responses, so a stalled
 * system cannot slow the load down and hide its stall (coordinated omission). Each response is
 * recorded twice: from its intended send time (corrected, the honest latency) and from the
 * moment it really left (uncorrected). A send more than LATE_MS behind schedule is late; a
 * request still waiting for a connection when the window closes was dropped.
 */
import http from 'node:http';
import { HEADER } from '../dataflow/protocol.ts';
import type { ProfileRecorder } from '../metrics/recorder.ts';
import { schedule } from './arrivals.ts';
import type { BodySource } from './body-source.ts';
import { classifyFailure, classifyStatus } from './classify.ts';
import type { LoadDriver, LoadSpec } from './driver.ts';

const LATE_MS = 10;

class RequestTimeout extends Error {
  readonly code = 'FB_TIMEOUT';
}

export const openLoopDriver: LoadDriver = {
  name: 'fogbench-open-loop',
  unsupported: (spec) => (spec.rate && spec.rate > 0 ? undefined : 'the open-loop driver needs --rate'),

  async run(spec: LoadSpec, bodies: BodySource, recorder: ProfileRecorder, signal: AbortSignal) {
    const url = new URL(spec.url);
    // `workers` caps the connections: requests beyond it wait for one, on the client's clock.
    const agent = new http.Agent({ keepAlive: spec.keepAlive, maxSockets: spec.workers, maxFreeSockets: spec.workers });
    const start = performance.now();
    const end = start + spec.durationMs;
    const waiting = new Set<http.ClientRequest>();
    const active = new Set<http.ClientRequest>();
    const inFlight = new Set<Promise<void>>();
    let scheduled = 0;
    let late = 0;
    let stopped = false;
    signal.addEventListener('abort', () => (stopped = true), { once: true });

    const send = (intended: number) => {
      scheduled++;
      const body = bodies.next();
      let sentAt = 0;
      const done = new Promise<void>((resolve) => {
        let settled = false;
        const settle = (outcome: Parameters<ProfileRecorder['record']>[0], responded: boolean) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const now = performance.now();
          if (now <= end) {
            recorder.record(outcome, now - intended, now);
            if (responded) recorder.recordUncorrected(now - sentAt);
          }
          resolve();
        };
        const req = http.request(
          {
            host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', agent,
            headers: { ...spec.headers, 'content-length': body.length, connection: spec.keepAlive ? 'keep-alive' : 'close' },
          },
          (res) => {
            res.on('data', () => {});
            res.on('end', () => settle(classifyStatus(res.statusCode ?? 0, res.headers[HEADER.error] !== undefined), true));
            res.on('error', (e) => settle(classifyFailure(e), false));
          },
        );
        waiting.add(req);
        active.add(req);
        req.on('close', () => active.delete(req));
        req.on('socket', () => {
          waiting.delete(req);
          sentAt = performance.now();
          if (sentAt - intended > LATE_MS) late++;
        });
        const timer = setTimeout(() => req.destroy(new RequestTimeout(`no response within ${spec.timeoutMs} ms`)), spec.timeoutMs);
        req.on('error', (e) => settle(classifyFailure(e), false));
        req.end(body);
      });
      inFlight.add(done);
      void done.then(() => inFlight.delete(done));
    };

    // Dispatch every send that is due, then sleep until the next one; timers are coarse, so
    // a tick may send several requests, each still measured from its own intended time.
    for (const offset of schedule(spec.rate!, spec.arrivals ?? 'constant', spec.durationMs, spec.seed ?? 1)) {
      if (stopped) break;
      const intended = start + offset;
      const wait = intended - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      if (stopped) break;
      send(intended);
    }
    const remaining = end - performance.now();
    if (remaining > 0 && !stopped) await Promise.race([new Promise((r) => setTimeout(r, remaining)), new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    // The window is closed: requests that never got a connection were dropped; those in flight are cut off.
    const dropped = waiting.size;
    const cutOff = inFlight.size - dropped;
    for (const req of active) req.destroy();
    agent.destroy();
    recorder.setSchedule({ scheduled, late, dropped });
    return { cutOff };
  },
};
