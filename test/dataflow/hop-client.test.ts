/** What a hop sends: its headers as a list or an object, with Host and Content-Length either way. */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHopPool, hostHeader, joined, postHop } from '../../harness/dataflow/hop-client.ts';

describe('postHop', () => {
  let server: http.Server;
  let port: number;
  const seen: { rawHeaders: string[]; body: string }[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ rawHeaders: req.rawHeaders, body });
        res.writeHead(201, { 'x-answer': 'yes' }).end(`got ${body.length}`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it.each([
    ['a list', ['content-type', 'application/json', 'x-fogbench-route', 'b,c']],
    ['an object', { 'content-type': 'application/json', 'x-fogbench-route': 'b,c' }],
  ])('sends headers given as %s with Host and Content-Length, and resolves with the answer', async (_how, headers) => {
    const pool = createHopPool(2);
    try {
      const res = await postHop(pool, { host: '127.0.0.1', port }, headers, Buffer.from('{"a":1}'), 2_000);
      expect(res.status).toBe(201);
      expect(res.headers['x-answer']).toBe('yes');
      expect(res.body.toString()).toBe('got 7');
      const got = seen.at(-1)!;
      const pairs = Object.fromEntries(Array.from({ length: got.rawHeaders.length / 2 }, (_, i) => [got.rawHeaders[2 * i]!.toLowerCase(), got.rawHeaders[2 * i + 1]]));
      expect(pairs).toMatchObject({ host: `127.0.0.1:${port}`, 'content-length': '7', 'content-type': 'application/json', 'x-fogbench-route': 'b,c' });
      expect(pairs['transfer-encoding']).toBeUndefined();
      expect(got.body).toBe('{"a":1}');
    } finally {
      pool.destroy();
    }
  });
});

describe('hostHeader', () => {
  it('writes the port unless it is 80, and brackets an IPv6 address', () => {
    expect(hostHeader({ host: 'svc.ns.svc', port: 8080 })).toBe('svc.ns.svc:8080');
    expect(hostHeader({ host: '198.18.0.5', port: 80 })).toBe('198.18.0.5');
    expect(hostHeader({ host: '::1', port: 8080 })).toBe('[::1]:8080');
  });
});

describe('joined', () => {
  it('gives a one-chunk body as it is and concatenates several', () => {
    const one = Buffer.from('abc');
    expect(joined([one], 3)).toBe(one);
    expect(joined([Buffer.from('ab'), Buffer.from('c')], 3).toString()).toBe('abc');
    expect(joined([], 0)).toHaveLength(0);
  });
});
