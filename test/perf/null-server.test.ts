/** The null server the load-generator benchmark measures clients against: right answers, keep-alive or not. */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNullServer } from '../../harness/perf/load-generator.ts';

describe('null server', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startNullServer>>;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-null-'));
    server = await startNullServer(dir, undefined);
  }, 60_000);
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('answers POSTs with bodies, on kept-alive connections and on closing ones', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = (body: string, connection: string) =>
      new Promise<{ status: number; text: string; reused: boolean }>((resolve, reject) => {
        const req = http.request(server.url, { method: 'POST', agent, headers: { connection, 'content-type': 'application/json' } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const first = await post('x'.repeat(100_000), 'keep-alive');
    const second = await post('{}', 'keep-alive');
    expect([first.status, first.text, second.status, second.reused]).toEqual([200, '{}', 200, true]);
    expect(await post('{}', 'close')).toMatchObject({ status: 200, text: '{}' });
    agent.destroy();
  }, 30_000);
});
