/**
 * fogbench's own registry client against a REAL registry (Docker's distribution, built from
 * source by scripts/build-kube-control-plane.sh), listening on 127.0.0.1: an image archive in
 * the format `docker save` writes is pushed, then checked by go-containerregistry's crane at
 * the version faas-netes 0.18.16 vendors (v0.20.6):
 * - `crane digest`: an anonymous HEAD of the manifest, which is OpenFaaS CE's image check
 *   (validate.go isAnonymous). go-containerregistry speaks plain HTTP to loopback and RFC 1918
 *   hosts (name/registry.go Scheme), so 127.0.0.1 here takes the same path as the core node's
 *   private address on a cluster;
 * - `crane validate --remote`: every blob fetched and checked against its digest and the
 *   config's diff_ids, as a node's containerd does when it pulls (imagePullPolicy Always).
 * No container engine runs; the archive is written here.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FogbenchError } from '../../../harness/errors.ts';
import { indexTar, parseImageRef, pushDockerArchive, registryHasImage } from '../../../harness/targets/kube/registry-push.ts';
import { REGISTRY_TOOLS_DIR } from './control-plane.ts';
import { registryUnavailable } from './registry-server.ts';

const run = promisify(execFile);
const TOOLS = REGISTRY_TOOLS_DIR;

/** A tar of (path, bytes) entries: ustar headers, with a pax header for paths over 100 bytes. */
function tar(entries: [string, Buffer][]): Buffer {
  const blocks: Buffer[] = [];
  const header = (name: string, size: number, type: string) => {
    const h = Buffer.alloc(512);
    h.write(name.slice(0, 100), 0, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
    h.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136);
    h.write('        ', 148);
    h.write(type, 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    return h;
  };
  const pad = (data: Buffer) => Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
  for (const [name, data] of entries) {
    if (name.length > 100) {
      const record = (len: number) => `${len} path=${name}\n`;
      let text = record(0);
      text = record(Buffer.byteLength(text) + String(Buffer.byteLength(text)).length - 1);
      const pax = Buffer.from(text);
      blocks.push(header('PaxHeader', pax.length, 'x'), pad(pax));
    }
    blocks.push(header(name, data.length, '0'), pad(data));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** An archive laid out as `docker save` writes it (Docker 25+: OCI blobs + manifest.json), one layer gzipped. */
function dockerSaveArchive(ref: string): Buffer {
  const plain = tar([['app/index.mjs', Buffer.from('console.log("fogbench")\n')]]);
  const gzipped = gzipSync(tar([['app/extra.txt', Buffer.from('second layer\n')]]));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['node', '/app/index.mjs'], WorkingDir: '/app' },
      rootfs: { type: 'layers', diff_ids: [`sha256:${sha(plain)}`, `sha256:${sha(tar([['app/extra.txt', Buffer.from('second layer\n')]]))}`] },
      history: [{ created_by: 'COPY index.mjs' }, { created_by: 'COPY extra.txt' }],
    }),
  );
  const blob = (data: Buffer) => `blobs/sha256/${sha(data)}`;
  const manifest = Buffer.from(JSON.stringify([{ Config: blob(config), RepoTags: [ref], Layers: [blob(plain), blob(gzipped)] }]));
  return tar([
    ['oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}')],
    [blob(config), config],
    [blob(plain), plain],
    [blob(gzipped), gzipped],
    ['manifest.json', manifest],
    [`a-very-long-name/${'x'.repeat(120)}`, Buffer.from('ignored')],
  ]);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const unavailable = await registryUnavailable();
if (unavailable) console.warn(`skipping the real-registry tests: ${unavailable}`);

describe('tar index', () => {
  it('finds regular files, pax long names included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fogbench-tar-'));
    try {
      const file = join(dir, 'a.tar');
      await writeFile(file, tar([['short', Buffer.from('one')], [`long/${'y'.repeat(150)}`, Buffer.from('two!')]]));
      const index = await indexTar(file);
      expect([...index.keys()]).toEqual(['short', `long/${'y'.repeat(150)}`]);
      expect(index.get(`long/${'y'.repeat(150)}`)!.size).toBe(4);
      expect(parseImageRef('10.0.0.5:5000/fogbench-get:0123456789ab')).toEqual({ registry: '10.0.0.5:5000', repository: 'fogbench-get', tag: '0123456789ab' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(unavailable !== null)('pushing to a real registry, checked as OpenFaaS CE and containerd will', () => {
  let dir: string;
  let registry: ChildProcess;
  let address: string;
  let stderr = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fogbench-registry-'));
    const port = await freePort();
    address = `127.0.0.1:${port}`;
    await writeFile(
      join(dir, 'config.yml'),
      ['version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: ${address}`, ''].join('\n'),
    );
    registry = spawn(join(TOOLS, 'registry'), ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    registry.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    for (let i = 0; i < 100; i++) {
      if (await fetch(`http://${address}/v2/`).then((r) => r.ok, () => false)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the registry did not start: ${stderr}`);
  }, 30_000);
  afterAll(async () => {
    if (registry?.pid && registry.exitCode === null) {
      registry.kill('SIGTERM');
      await new Promise((r) => registry.once('exit', r));
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** crane with no credentials at all (an empty docker config), like CE's authn.Anonymous. */
  const crane = (args: string[]) =>
    run(join(TOOLS, 'crane'), args, { env: { ...process.env, DOCKER_CONFIG: join(dir, 'no-credentials') } }).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
    );

  it('pushes a docker-save archive; CE\'s anonymous check finds it; a full pull validates every blob', { timeout: 60_000 }, async () => {
    const ref = `${address}/fogbench-get:0123456789ab`;
    const archive = join(dir, 'get.tar');
    await writeFile(archive, dockerSaveArchive(ref));
    expect(await registryHasImage(ref)).toBe(false);
    expect((await crane(['digest', ref])).code).not.toBe(0); // CE would answer 400 here
    await pushDockerArchive(archive, ref);
    expect(await registryHasImage(ref)).toBe(true);
    const digest = await crane(['digest', ref]);
    expect(digest).toMatchObject({ code: 0 });
    expect(digest.out.trim()).toMatch(/^sha256:[0-9a-f]{64}$/);
    const validated = await crane(['validate', '--remote', ref]);
    expect(validated.out).toMatch(/PASS/);
    expect(validated.code).toBe(0);
    const config = JSON.parse((await crane(['config', ref])).out) as { config: { Cmd: string[] } };
    expect(config.config.Cmd).toEqual(['node', '/app/index.mjs']);
    // Again: the registry has every blob, and the push is the same.
    await pushDockerArchive(archive, ref);
    expect((await crane(['digest', ref])).out).toBe(digest.out);
  });

  it('says so in one line when the registry cannot be reached or the archive is not docker save\'s', async () => {
    const closed = `127.0.0.1:${await freePort()}`;
    const error = await registryHasImage(`${closed}/fogbench-get:1`).then(() => undefined, (e: unknown) => e as FogbenchError);
    expect(error).toBeInstanceOf(FogbenchError);
    expect(error!.message).toMatch(new RegExp(`^cannot reach the image registry at http://${closed}/ \\(ECONNREFUSED\\)`));
    const bogus = join(dir, 'bogus.tar');
    await writeFile(bogus, tar([['hello.txt', Buffer.from('hi')]]));
    await expect(pushDockerArchive(bogus, `${address}/x:1`)).rejects.toThrow(/has no manifest\.json: not an archive written by `docker save`/);
  });
});
