/** How a p2p service frames what it sends: answers and hops with their length, not chunked. */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startP2PService, type RunningService } from '../../harness/dataflow/p2p-service.ts';
import { HEADER } from '../../harness/dataflow/protocol.ts';

/** One raw HTTP/1.1 exchange, so the framing is seen as sent. */
function rawPost(port: number, body: string, headers: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const socket = net.connect(port, '127.0.0.1', () =>
      socket.write(['POST / HTTP/1.1', 'Host: x', 'Connection: close', `Content-Length: ${Buffer.byteLength(body)}`, ...headers, '', body].join('\r\n')),
    );
    socket.on('data', (c: Buffer) => (got += c.toString()));
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
  });
}

describe('p2p service framing', () => {
  let last: RunningService;
  let entry: RunningService;
  let downstream: http.Server;
  const hops: http.IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    // A stand-in for the last service that records what the entry sends it.
    downstream = http.createServer((req, res) => {
      hops.push(req.headers);
      req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"done":true}'));
    });
    await new Promise<void>((r) => downstream.listen(0, '127.0.0.1', r));
    const base = { node: 'n', config: {}, host: '127.0.0.1', port: 0, hopTimeoutMs: 2_000, chainBudgetMs: 5_000, bodyLimitBytes: 1 << 20, poolConnections: 4, writeSpans: () => {} };
    last = await startP2PService({ ...base, fn: { name: 'last', run: (x: unknown) => x }, name: 'last', table: new Map(), defaultRoute: [] });
    const table = new Map([
      ['entry', { host: '127.0.0.1', port: 1 }],
      ['next', { host: '127.0.0.1', port: (downstream.address() as net.AddressInfo).port }],
    ]);
    entry = await startP2PService({ ...base, fn: { name: 'entry', run: (x: unknown) => x }, name: 'entry', table, defaultRoute: ['next'] });
  });
  afterAll(async () => {
    await entry?.close();
    await last?.close();
    await new Promise<void>((r) => downstream.close(() => r()));
  });

  it('answers with a Content-Length and the request id, not in chunked framing', async () => {
    const raw = await rawPost(last.port, '{"x":1}', [`${HEADER.requestId}: r-1`]);
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head!.toLowerCase()).toContain('content-length: 7\r\n');
    expect(head!.toLowerCase()).toContain('x-request-id: r-1');
    expect(head!.toLowerCase()).not.toContain('transfer-encoding');
    expect(body).toBe('{"x":1}');
  });

  it('frames an error envelope the same way', async () => {
    const raw = await rawPost(last.port, 'not json');
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 500 /);
    expect(head!.toLowerCase()).toContain(`content-length: ${Buffer.byteLength(body!)}\r\n`);
    expect(head!.toLowerCase()).toContain(`${HEADER.error}: function`);
    expect(JSON.parse(body!)).toMatchObject({ service: 'last', kind: 'function' });
  });

  it('calls the next service with Host, Content-Length, route, request id and budget', async () => {
    const raw = await rawPost(entry.port, '{"y":2}', [`${HEADER.requestId}: r-2`]);
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(raw.endsWith('{"done":true}')).toBe(true);
    const sent = hops.at(-1)!;
    expect(sent.host).toBe(`127.0.0.1:${(downstream.address() as net.AddressInfo).port}`);
    expect(sent['content-length']).toBe('7');
    expect(sent['transfer-encoding']).toBeUndefined();
    expect(sent[HEADER.route]).toBe('');
    expect(sent[HEADER.requestId]).toBe('r-2');
    expect(Number(sent[HEADER.budget])).toBeGreaterThan(0);
    expect(sent[HEADER.error]).toBeUndefined();
  });
});
