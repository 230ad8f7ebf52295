/**
 * One hop: POST a payload to the next service over a keep-alive pool, with a timeout that
 * fires on time. node:http's Agent is the pool: with the undici Pool, each service spent
 * about 1.8× the CPU per request of a bare forwarder, with node:http about 1.3× (measured by
 * CPU-seconds per request of the same chain, same load, side by side).
 */
import http from 'node:http';
import { after, every } from '../timers.ts';
import type { ServiceAddress } from './service-table.ts';

export class HopTimeoutError extends Error {
  override name = 'HopTimeoutError';
}

export interface HopResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Request headers as a flat list of names and values (`['content-type', 'application/json', …]`),
 * lower-case names. node:http writes such a list into the request head as it is, where an object
 * goes through setHeader, one name at a time (lower-cased, stored, looked up again for Host and
 * Expect): about 2 % of a p2p service's instructions per request (callgrind, 6 KB bodies).
 */
export type HeaderList = readonly string[];

/**
 * Idle pooled connections are closed after this long: before the next service's server drops
 * them (its keep-alive timeout is 15 s, p2p-service.ts), so a request never goes out on a
 * connection the server is closing at that moment.
 */
export const POOL_IDLE_TIMEOUT_MS = 10_000;

/** How often idle pooled connections are looked for: they close between the timeout and two sweeps after. */
const POOL_SWEEP_MS = 1_000;

/**
 * A keep-alive pool whose idle connections close after POOL_IDLE_TIMEOUT_MS. They are found by a
 * sweep of the free connections once a second rather than by a timeout on each socket (the
 * Agent's `timeout` option): a socket timeout is re-armed on every read and write of every
 * request, and cost the p2p chain a few per cent of its CPU per request against a bare
 * forwarder chain (npm run perf p2p-chain, issue 14). The sweep needs nothing per request either:
 * a free connection whose count of bytes written has not moved since a sweep first saw it free
 * has been idle since then.
 */
export function createHopPool(connectionsPerService: number, timing: { idleMs?: number; sweepMs?: number } = {}): http.Agent {
  const idleMs = timing.idleMs ?? POOL_IDLE_TIMEOUT_MS;
  const agent = new http.Agent({ keepAlive: true, maxSockets: connectionsPerService, maxFreeSockets: connectionsPerService });
  let idle = new Map<object, { written: number; since: number }>();
  const sweep = every(timing.sweepMs ?? POOL_SWEEP_MS, () => {
    const now = Date.now();
    const seen = new Map<object, { written: number; since: number }>();
    for (const sockets of Object.values(agent.freeSockets)) {
      for (const socket of sockets ?? []) {
        const before = idle.get(socket);
        const since = before !== undefined && before.written === socket.bytesWritten ? before.since : now;
        if (now - since >= idleMs) socket.destroy();
        else seen.set(socket, { written: socket.bytesWritten, since });
      }
    }
    idle = seen;
  });
  sweep.unref();
  const destroy = agent.destroy.bind(agent);
  agent.destroy = () => {
    clearInterval(sweep);
    destroy();
  };
  return agent;
}

/** The Host header of an address, as node:http would write it. */
export function hostHeader(to: ServiceAddress): string {
  const host = to.host.includes(':') && !to.host.startsWith('[') ? `[${to.host}]` : to.host;
  return to.port === 80 ? host : `${host}:${to.port}`;
}

/**
 * Resolves with the full response; rejects with HopTimeoutError or the connection's error.
 * Headers as an object, or as a HeaderList (then Host and Content-Length are added here).
 */
export function postHop(
  pool: http.Agent,
  to: ServiceAddress & { path?: string },
  headers: Record<string, string> | HeaderList,
  payload: Buffer,
  timeoutMs: number,
): Promise<HopResponse> {
  const head = isHeaderList(headers)
    ? ['host', hostHeader(to), 'content-length', String(payload.length), ...headers]
    : { ...headers, 'content-length': payload.length };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: to.host, port: to.port, method: 'POST', path: to.path ?? '/', agent: pool, headers: head }, (res) => {
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        parts.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => {
        timer.clear();
        resolve({ status: res.statusCode ?? 502, headers: res.headers, body: joined(parts, size) });
      });
      res.on('error', fail);
    });
    function fail(cause: Error) {
      timer.clear();
      reject(cause);
    }
    const timer = after(timeoutMs, () => req.destroy(new HopTimeoutError(`no answer within ${timeoutMs} ms`)));
    req.on('error', fail);
    req.end(payload);
  });
}

function isHeaderList(headers: Record<string, string> | HeaderList): headers is HeaderList {
  return Array.isArray(headers);
}

/** The chunks of a body as one Buffer; a body that came in one chunk is not copied. */
export function joined(parts: readonly Buffer[], size: number): Buffer {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
}
