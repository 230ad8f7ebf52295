/** The --serve file server: serves files under its root over loopback, nothing outside it. */
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveUnder, serveStatic, type StaticServer } from '../../harness/report/static-server.ts';
import { removeTempRoots, tempRoot } from './run-folder.ts';

let root: string;
let served: StaticServer;

beforeAll(async () => {
  root = await tempRoot();
  await mkdir(join(root, 'runs', 'r1'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<p>index</p>');
  await writeFile(join(root, 'runs', 'r1', 'index.html'), '<p>run</p>');
  await writeFile(join(root, 'runs', 'r1', 'throughput.csv'), 'a,b\r\n1,2\r\n');
  served = await serveStatic(root, 0);
});
afterAll(async () => {
  await served.close();
  await removeTempRoots();
});

describe('serveStatic', () => {
  it('listens on 127.0.0.1 only', () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('serves files with their type, and a folder as its index.html', async () => {
    const index = await fetch(served.url);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toBe('<p>index</p>');
    const run = await fetch(new URL('runs/r1/', served.url));
    expect(await run.text()).toBe('<p>run</p>');
    const csv = await fetch(new URL('runs/r1/throughput.csv', served.url));
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const redirect = await fetch(new URL('runs/r1', served.url), { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/runs/r1/');
  });

  it('answers 404 for what is not there and 405 for writes', async () => {
    expect((await fetch(new URL('nope.html', served.url))).status).toBe(404);
    expect((await fetch(served.url, { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('never resolves a path outside its root', async () => {
    expect(resolveUnder('/srv/reports', '/../etc/passwd')).toBeNull();
    expect(resolveUnder('/srv/reports', '/../reports-other/x')).toBeNull();
    expect(resolveUnder('/srv/reports', '/%2e%2e/%2e%2e/etc/passwd')).toBeNull();
    expect(resolveUnder('/srv/reports', '/a/%00')).toBeNull();
    expect(resolveUnder('/srv/reports', '/runs/x/index.html')).toBe('/srv/reports/runs/x/index.html');
    // fetch normalises dot segments itself, so send the raw path over a socket-level request
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(served.url);
      request({ host: url.hostname, port: url.port, path: '/..%2f..%2fetc%2fpasswd' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(403);
  });
});
