/**
 * What a p2p service does with hostile traffic, over real sockets (issue 13): looping and
 * over-long routes are refused before any connection is made, idle and slow clients are cut
 * off, connections are capped; and the benchmark's own load (50 keep-alive workers) is not.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyServerLimits, startP2PService, SERVER_LIMITS, type RunningService } from '../../harness/dataflow/p2p-service.ts';
import { HEADER } from '../../harness/dataflow/protocol.ts';
import type { ServiceAddress } from '../../harness/dataflow/service-table.ts';

/** A TCP listener that only counts the connections made to it. */
async function connectionCounter(): Promise<{ port: number; count: () => number; close: () => Promise<void> }> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    count++;
    sockets.add(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    count: () => count,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

async function service(name: string, table: Map<string, ServiceAddress>, limits = {}): Promise<RunningService> {
  return startP2PService({
    fn: { name, run: (input: unknown) => input },
    name,
    node: 'test',
    table,
    defaultRoute: [],
    config: {},
    host: '127.0.0.1',
    port: 0,
    hopTimeoutMs: 2_000,
    chainBudgetMs: 5_000,
    bodyLimitBytes: 1024 * 1024,
    poolConnections: 64,
    writeSpans: () => {},
    limits,
  });
}

function post(port: number, route: string | undefined, agent?: http.Agent): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/', agent: agent ?? false, headers: { 'content-type': 'application/json', ...(route === undefined ? {} : { [HEADER.route]: route }) } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started }));
      },
    );
    req.on('error', reject);
    req.end('{"x":1}');
  });
}

/** Resolves with how long the server took to close a socket that does `behave`. */
function timeUntilClosed(port: number, behave: (socket: net.Socket) => void): Promise<number> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => behave(socket));
    socket.on('error', () => {});
    socket.on('close', () => resolve(performance.now() - started));
  });
}

describe('p2p routes (issue 13)', () => {
  let counter: Awaited<ReturnType<typeof connectionCounter>>;
  let entry: RunningService;
  let last: RunningService;
  beforeAll(async () => {
    counter = await connectionCounter();
    last = await service('last', new Map());
    const table = new Map<string, ServiceAddress>([
      ['get', { host: '127.0.0.1', port: 0 }],
      ['other', { host: '127.0.0.1', port: counter.port }],
      ['last', { host: '127.0.0.1', port: last.port }],
    ]);
    entry = await service('get', table);
    table.set('get', { host: '127.0.0.1', port: entry.port });
  });
  afterAll(async () => {
    await entry?.close();
    await last?.close();
    await counter?.close();
  });

  it.each([
    ['names the receiver 65 times', Array(65).fill('get').join(','), /names 65 services; this deployment has 3/],
    ['leads back to the receiver', 'last,get', /leads back to get itself/],
    ['names a service twice', 'other,other', /names other more than once/],
    ['is longer than the table', 'other,last,other,last', /names 4 services/],
  ])('refuses a route that %s with 400 at once, making no connection', async (_what, route, message) => {
    const res = await post(entry.port, route);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ service: 'get', kind: 'rejected' });
    expect(JSON.parse(res.body).message).toMatch(message);
    expect(res.ms).toBeLessThan(1_000);
    expect(counter.count()).toBe(0);
  });

  it('still follows a route that visits each service once', async () => {
    const res = await post(entry.port, 'last');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ x: 1 });
  });
});

describe('p2p server limits (issue 13)', () => {
  it('has default limits far above a benchmark and far below minutes', () => {
    expect(SERVER_LIMITS.headersTimeoutMs).toBeLessThanOrEqual(10_000);
    expect(SERVER_LIMITS.requestTimeoutMs).toBeLessThanOrEqual(30_000);
    expect(SERVER_LIMITS.checkIntervalMs).toBeLessThanOrEqual(1_000);
    expect(SERVER_LIMITS.maxConnections).toBeGreaterThanOrEqual(50 * 4);
  });

  it('serves 50 keep-alive workers at once with the default limits', async () => {
    const svc = await service('last', new Map());
    const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
    try {
      for (let round = 0; round < 3; round++) {
        const results = await Promise.all(Array.from({ length: 50 }, () => post(svc.port, undefined, agent)));
        expect(results.every((r) => r.status === 200)).toBe(true);
      }
    } finally {
      agent.destroy();
      await svc.close();
    }
  });

  it('cuts off a client that sends nothing, and one that sends a header or a body byte a second', async () => {
    const svc = await service('last', new Map(), { headersTimeoutMs: 600, requestTimeoutMs: 1_200, checkIntervalMs: 100 });
    try {
      const trickle = (chunks: string[]) => (socket: net.Socket) => {
        let i = 0;
        const timer = setInterval(() => (i < chunks.length ? socket.write(chunks[i++]!) : undefined), 250);
        socket.on('close', () => clearInterval(timer));
      };
      const [idle, slowHead, slowBody] = await Promise.all([
        timeUntilClosed(svc.port, () => {}),
        timeUntilClosed(svc.port, trickle([...'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n'])),
        timeUntilClosed(svc.port, (socket) => {
          socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n');
          trickle(Array(100).fill(' '))(socket);
        }),
      ]);
      expect(idle).toBeLessThan(2_000);
      expect(slowHead).toBeLessThan(2_000);
      expect(slowBody).toBeLessThan(3_000);
    } finally {
      await svc.close();
    }
  });

  it('keeps nothing per request on a keep-alive socket (a listener per request leaked its request)', async () => {
    const server = http.createServer((req, res) => req.resume().on('end', () => res.end('ok')));
    applyServerLimits(server, SERVER_LIMITS);
    const sockets: net.Socket[] = [];
    server.on('connection', (socket: net.Socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 300; i++) expect((await post(port, undefined, agent)).status).toBe(200);
      // One connection served all 300 requests; what it carries must not grow with them.
      expect(sockets).toHaveLength(1);
      expect(sockets[0]!.listenerCount('close')).toBeLessThan(10);
      expect(sockets[0]!.listenerCount('end')).toBeLessThan(10);
    } finally {
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('holds no more than maxConnections sockets', async () => {
    const svc = await service('last', new Map(), { maxConnections: 20 });
    const sockets: net.Socket[] = [];
    try {
      const closed = await Promise.all(
        Array.from({ length: 30 }, () =>
          new Promise<boolean>((resolve) => {
            const socket = net.connect(svc.port, '127.0.0.1');
            sockets.push(socket);
            socket.on('error', () => {});
            socket.on('close', () => resolve(true));
            setTimeout(() => resolve(false), 1_000);
          }),
        ),
      );
      expect(closed.filter(Boolean)).toHaveLength(10);
    } finally {
      for (const s of sockets) s.destroy();
      await svc.close();
    }
  });
});
