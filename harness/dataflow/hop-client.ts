/**
 * One hop: POST a payload to the next service over a keep-alive pool, with a timeout that
 * fires on time. node:http's Agent is the pool: with the undici Pool, each service spent
 * about 1.8× the CPU per request of a bare forwarder, with node:http about 1.3× (measured by
 * CPU-seconds per request of the same chain, same load, side by side).
 */
import http from 'node:http';
import type { ServiceAddress } from './service-table.ts';

export class HopTimeoutError extends Error {
  override name = 'HopTimeoutError';
}

export interface HopResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export function createHopPool(connectionsPerService: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: connectionsPerService, maxFreeSockets: connectionsPerService });
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
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(parts) });
        });
        res.on('error', fail);
      },
    );
    function fail(cause: Error) {
      clearTimeout(timer);
      reject(cause);
    }
    const timer = setTimeout(() => req.destroy(new HopTimeoutError(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', fail);
    req.end(payload);
  });
}
