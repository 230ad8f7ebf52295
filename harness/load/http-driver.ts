/**
 * fogbench's own closed-loop driver on node:http. It measures each request from just before it
 * is written until its response has fully arrived, connection set-up included, which is what
 * hey reports, and it is correct with keep-alive off, where autocannon is not.
 */
import http from 'node:http';
import { HEADER } from '../dataflow/protocol.ts';
import type { ProfileRecorder } from '../metrics/recorder.ts';
import type { BodySource } from './body-source.ts';
import { classifyFailure, classifyStatus } from './classify.ts';
import type { LoadDriver, LoadSpec } from './driver.ts';

class RequestTimeout extends Error {
  readonly code = 'FB_TIMEOUT';
}
class CutOff extends Error {}

export const httpDriver: LoadDriver = {
  name: 'fogbench-http',
  unsupported: () => undefined,

  async run(spec: LoadSpec, bodies: BodySource, recorder: ProfileRecorder, signal: AbortSignal) {
    const url = new URL(spec.url);
    const agent = new http.Agent({ keepAlive: spec.keepAlive, maxSockets: spec.workers, maxFreeSockets: spec.workers });
    const inFlight = new Set<http.ClientRequest>();
    let cutOff = 0;
    let stopping = false;

    const once = (body: Buffer): Promise<void> =>
      new Promise((resolve) => {
        const started = performance.now();
        let settled = false;
        const settle = (outcome: Parameters<ProfileRecorder['record']>[0]) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          inFlight.delete(req);
          const now = performance.now();
          recorder.record(outcome, now - started, now);
          resolve();
        };
        const req = http.request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname + url.search,
            method: 'POST',
            agent,
            headers: {
              ...spec.headers,
              'content-length': body.length,
              connection: spec.keepAlive ? 'keep-alive' : 'close',
            },
          },
          (res) => {
            res.on('data', () => {});
            res.on('end', () => settle(classifyStatus(res.statusCode ?? 0, res.headers[HEADER.error] !== undefined)));
            res.on('error', (error) => (stopping ? drop() : settle(classifyFailure(error))));
          },
        );
        const drop = () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          inFlight.delete(req);
          cutOff++;
          resolve();
        };
        const timer = setTimeout(() => req.destroy(new RequestTimeout(`no response within ${spec.timeoutMs} ms`)), spec.timeoutMs);
        req.on('error', (error) => (error instanceof CutOff ? drop() : settle(classifyFailure(error))));
        inFlight.add(req);
        req.end(body);
      });

    const deadline = performance.now() + spec.durationMs;
    const stopAll = () => {
      stopping = true;
      for (const req of inFlight) req.destroy(new CutOff('profile ended'));
    };
    const endTimer = setTimeout(stopAll, spec.durationMs);
    signal.addEventListener('abort', stopAll, { once: true });

    const worker = async () => {
      while (!stopping && performance.now() < deadline) await once(bodies.next());
    };
    try {
      await Promise.all(Array.from({ length: spec.workers }, worker));
    } finally {
      clearTimeout(endTimer);
      signal.removeEventListener('abort', stopAll);
      agent.destroy();
    }
    return { cutOff };
  },
};
