/** Small waits of the cluster daemon: a free port, a condition with a deadline, an HTTPS status. */
import { request } from 'node:https';
import { createServer } from 'node:net';

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls `ready` until it holds; fails when `alive` turns false (the process it waits for
 * ended), when the deadline passes, or when `check` throws (a stop was asked for).
 */
export async function waitFor(what: string, ready: () => Promise<boolean>, timeoutMs: number, alive: () => boolean, check: () => void, pollMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    check();
    if (await ready().catch(() => false)) return;
    if (!alive()) throw new Error(`${what}: the process ended before it was ready (see its log)`);
    if (Date.now() > deadline) throw new Error(`${what} was not ready within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** GET over HTTPS with a client certificate; resolves the status code. */
export function httpsStatus(url: string, tls: { ca: Buffer; cert: Buffer; key: Buffer }, timeoutMs = 2_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ca: tls.ca, cert: tls.cert, key: tls.key, timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
