/** The --serve file server: serves files under its root over loopback, nothing outside it. */
import { readdirSync, readlinkSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
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

/** A raw GET with the exact path and Host header given (fetch would normalise both). */
function rawGet(url: string, path: string, host?: string): Promise<{ status: number; location: string | undefined; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    request({ host: target.hostname, port: target.port, path, headers: host === undefined ? {} : { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('serveStatic against a hostile folder (issue 13)', () => {
  let outside: string;
  let hostile: string;
  let server: StaticServer;

  beforeAll(async () => {
    outside = await tempRoot('fogbench-outside-');
    await writeFile(join(outside, 'secret.txt'), 'top secret');
    hostile = await tempRoot();
    await mkdir(join(hostile, 'runs', 'r1'), { recursive: true });
    await mkdir(join(hostile, '.ssh'));
    await writeFile(join(hostile, 'index.html'), '<p>index</p>');
    await writeFile(join(hostile, 'runs', 'r1', 'index.html'), '<p>run</p>');
    await writeFile(join(hostile, '.ssh', 'id_ed25519'), 'PRIVATE KEY');
    await writeFile(join(hostile, '.env'), 'TOKEN=1');
    await symlink(join(outside, 'secret.txt'), join(hostile, 'runs', 'r1', 'linked.txt'));
    await symlink(outside, join(hostile, 'runs', 'linked-dir'));
    server = await serveStatic(hostile, 0);
  });
  afterAll(() => server.close());

  it('does not follow a link out of its root, to a file or through a folder', async () => {
    const file = await rawGet(server.url, '/runs/r1/linked.txt');
    expect(file.status).toBe(404);
    expect(file.body).not.toContain('top secret');
    expect((await rawGet(server.url, '/runs/linked-dir/secret.txt')).status).toBe(404);
  });

  it('serves no dotfile and nothing inside a dot-folder', async () => {
    for (const path of ['/.env', '/.ssh/id_ed25519', '/%2essh/id_ed25519', '/runs/../.env']) {
      const res = await rawGet(server.url, path);
      expect([403, 404], path).toContain(res.status);
      expect(res.body).not.toMatch(/PRIVATE|TOKEN/);
    }
  });

  it('answers only to its own address in Host (no DNS rebinding)', async () => {
    const port = new URL(server.url).port;
    expect((await rawGet(server.url, '/index.html', `127.0.0.1:${port}`)).status).toBe(200);
    expect((await rawGet(server.url, '/index.html', `localhost:${port}`)).status).toBe(200);
    expect((await rawGet(server.url, '/index.html', 'evil.example')).status).toBe(421);
    expect((await rawGet(server.url, '/index.html', `evil.example:${port}`)).status).toBe(421);
  });

  it('never redirects off-site, whatever the path', async () => {
    for (const path of ['//evil.example/..%2fruns', '//evil.example/%2e%2e/runs', '/\\evil.example/..%2fruns', '/runs']) {
      const res = await rawGet(server.url, path);
      if (res.status === 301) {
        expect(res.location, path).toMatch(/^\/[^/\\]/);
        expect(res.location, path).not.toContain('evil');
      }
    }
    expect((await rawGet(server.url, '//evil.example/..%2fruns')).location).toBe('/runs/');
  });

  it('serves only what `allow` accepts', async () => {
    const narrow = await serveStatic(hostile, 0, { allow: (rel) => rel === 'index.html' });
    try {
      expect((await rawGet(narrow.url, '/')).status).toBe(200);
      expect((await rawGet(narrow.url, '/runs/r1/index.html')).status).toBe(404);
    } finally {
      await narrow.close();
    }
  });

  it('closes the file of every aborted download', async () => {
    const big = join(hostile, 'runs', 'r1', 'big.csv');
    await writeFile(big, Buffer.alloc(32 * 1024 * 1024, 'x'));
    const openFiles = () => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === big;
      } catch {
        return false;
      }
    }).length;
    const target = new URL(server.url);
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const req = request({ host: target.hostname, port: target.port, path: '/runs/r1/big.csv' }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => resolve());
        req.end();
      });
    }
    // The server sees each abort a moment later.
    const deadline = Date.now() + 5_000;
    while (openFiles() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(openFiles()).toBe(0);
  });
});
