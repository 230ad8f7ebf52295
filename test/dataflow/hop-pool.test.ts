/** The hop pool closes idle connections by a sweep (issue 14: not by a timer re-armed on every read and write). */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHopPool, postHop } from '../../harness/dataflow/hop-client.ts';

describe('hop pool', () => {
  let server: http.Server;
  let port: number;
  const closed: number[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => req.resume().on('end', () => res.end('{}')));
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket) => socket.on('close', () => closed.push(Date.now())));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reuses a connection while it is busy, closes it once idle for the timeout, and sets no socket timeout', async () => {
    const pool = createHopPool(4, { idleMs: 300, sweepMs: 50 });
    const started = Date.now();
    for (let i = 0; i < 3; i++) await postHop(pool, { host: '127.0.0.1', port }, {}, Buffer.from('{}'), 2_000);
    const sockets = Object.values(pool.freeSockets).flat();
    expect(sockets).toHaveLength(1); // one connection for the three calls
    expect(sockets[0]!.timeout ?? 0).toBe(0);
    await new Promise((r) => setTimeout(r, 600));
    expect(closed).toHaveLength(1);
    expect(closed[0]! - started).toBeGreaterThanOrEqual(300);
    expect(Object.values(pool.freeSockets).flat()).toHaveLength(0);
    pool.destroy();
  });
});
