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
 * Idle pooled connections are closed after this long: before the next service's server drops
 * them (its keep-alive timeout is 15 s, p2p-service.ts), so a request never goes out on a
 * connection the server is closing at that moment.
 */
export const POOL_IDLE_TIMEOUT_MS = 10_000;

/** How often idle pooled connections are looked for: they close between the timeout and a second after. */
const POOL_SWEEP_MS = 1_000;

/**
 * A keep-alive pool whose idle connections close after POOL_IDLE_TIMEOUT_MS. They are found by a
 * sweep of the free connections once a second rather than by a timeout on each socket (the
 * Agent's `timeout` option): a socket timeout is re-armed on every read and write of every
 * request, and cost the p2p chain a few per cent of its CPU per request against a bare
 * forwarder chain (npm run perf p2p-chain, issue 14).
 */
export function createHopPool(connectionsPerService: number, timing: { idleMs?: number; sweepMs?: number } = {}): http.Agent {
  const idleMs = timing.idleMs ?? POOL_IDLE_TIMEOUT_MS;
  const agent = new http.Agent({ keepAlive: true, maxSockets: connectionsPerService, maxFreeSockets: connectionsPerService });
  const idleSince = new WeakMap<object, number>();
  agent.on('free', (socket: object) => idleSince.set(socket, Date.now()));
  const sweep = every(timing.sweepMs ?? POOL_SWEEP_MS, () => {
    const now = Date.now();
    for (const sockets of Object.values(agent.freeSockets)) {
      for (const socket of sockets ?? []) if (now - (idleSince.get(socket) ?? now) >= idleMs) socket.destroy();
    }
  });
  sweep.unref();
  const destroy = agent.destroy.bind(agent);
  agent.destroy = () => {
    clearInterval(sweep);
    destroy();
  };
  return agent;
}

/** Resolves with the full response; rejects with HopTimeoutError or the connection's error. */
export function postHop(
  pool: http.Agent,
  to: ServiceAddress & { path?: string },
  headers: Record<string, string>,
  payload: Buffer,
  timeoutMs: number,
): Promise<HopResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: to.host, port: to.port, method: 'POST', path: to.path ?? '/', agent: pool, headers: { ...headers, 'content-length': payload.length } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () => {
          timer.clear();
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(parts) });
        });
        res.on('error', fail);
      },
    );
    function fail(cause: Error) {
      timer.clear();
      reject(cause);
    }
    const timer = after(timeoutMs, () => req.destroy(new HopTimeoutError(`no answer within ${timeoutMs} ms`)));
    req.on('error', fail);
    req.end(payload);
  });
}
