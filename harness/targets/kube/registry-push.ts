/**
 * Pushes an image to the cluster's own registry over plain HTTP, from the archive `docker
 * save` writes, speaking the registry HTTP API (OCI distribution spec) directly: no Docker
 * daemon setting (insecure-registries) is needed on the user's machine for a registry on a
 * private address. And checks that an image exists the way OpenFaaS CE does before it
 * deploys a function: an anonymous HEAD of the manifest.
 *
 * The archive is read in place (a tar index of offsets), never loaded whole: images are
 * around 150 MB.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { deployError } from '../../errors.ts';

export interface ImageReference {
  /** host[:port] */
  registry: string;
  repository: string;
  tag: string;
}

/** "10.0.0.5:5000/fogbench-get:0123456789ab" → its parts; the registry part is required. */
export function parseImageRef(ref: string): ImageReference {
  const slash = ref.indexOf('/');
  const colon = ref.lastIndexOf(':');
  if (slash < 1 || colon < slash) throw new Error(`image reference "${ref}" must be registry/repository:tag`);
  return { registry: ref.slice(0, slash), repository: ref.slice(slash + 1, colon), tag: ref.slice(colon + 1) };
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

/** Anonymous HEAD of the manifest, as OpenFaaS CE's check does; true on 200. */
export async function registryHasImage(ref: string, timeoutMs = 10_000): Promise<boolean> {
  const { registry, repository, tag } = parseImageRef(ref);
  const response = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: MANIFEST_TYPES.join(', ') },
    signal: AbortSignal.timeout(timeoutMs),
  }).catch((error: unknown) => {
    throw deployError(`cannot reach the image registry at http://${registry}/ (${causeCode(error)}); is it running? (\`kubectl -n fogbench-registry get pods\`)`, error);
  });
  if (response.status === 200) return true;
  if (response.status === 404) return false;
  throw deployError(`the image registry at ${registry} answered ${response.status} to an anonymous HEAD of ${ref}: OpenFaaS CE needs anonymous read access`);
}

interface TarEntry {
  offset: number;
  size: number;
}

/** Path → where its bytes are, for every regular file of a tar (ustar, pax and GNU long names). */
export async function indexTar(file: string): Promise<Map<string, TarEntry>> {
  const handle = await open(file, 'r');
  const entries = new Map<string, TarEntry>();
  try {
    const { size: total } = await handle.stat();
    const header = Buffer.alloc(512);
    let position = 0;
    let longName: string | undefined;
    while (position + 512 <= total) {
      await handle.read(header, 0, 512, position);
      if (header.every((b) => b === 0)) break;
      const field = (start: number, length: number) => header.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
      const size = Number.parseInt(field(124, 12).trim() || '0', 8);
      const type = String.fromCharCode(header[156] ?? 0);
      const prefix = field(345, 155);
      let name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
      longName = undefined;
      const dataOffset = position + 512;
      if (type === 'x' || type === 'L') {
        const data = Buffer.alloc(size);
        await handle.read(data, 0, size, dataOffset);
        if (type === 'L') longName = data.toString('utf8').replace(/\0.*$/s, '');
        else {
          const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
          if (path) longName = path[1];
        }
      } else if (type === '0' || type === '\0') {
        name = name.replace(/^\.\//, '');
        entries.set(name, { offset: dataOffset, size });
      }
      position = dataOffset + Math.ceil(size / 512) * 512;
    }
  } finally {
    await handle.close();
  }
  return entries;
}

async function readEntry(file: string, entry: TarEntry): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const data = Buffer.alloc(entry.size);
    await handle.read(data, 0, entry.size, entry.offset);
    return data;
  } finally {
    await handle.close();
  }
}

async function digestOf(file: string, entry: TarEntry): Promise<string> {
  const hash = createHash('sha256');
  if (entry.size > 0) for await (const chunk of createReadStream(file, { start: entry.offset, end: entry.offset + entry.size - 1 })) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** OCI media type of a layer from its first bytes (docker save keeps layers as they are stored), or null if uncompressed. */
async function compressedMediaType(file: string, entry: TarEntry): Promise<string | null> {
  if (entry.size < 4) return null;
  const head = await readEntry(file, { offset: entry.offset, size: 4 });
  if (head[0] === 0x1f && head[1] === 0x8b) return 'application/vnd.oci.image.layer.v1.tar+gzip';
  if (head.readUInt32LE(0) === 0xfd2fb528) return 'application/vnd.oci.image.layer.v1.tar+zstd';
  return null;
}

/** A blob to upload: `size` bytes of `file` from `offset`. */
interface Blob {
  digest: string;
  size: number;
  mediaType: string;
  file: string;
  offset: number;
}

/**
 * Gzips an uncompressed layer into `out`, as `docker push` does: registries and every client
 * handle gzip layers, while some clients (go-containerregistry among them) read any layer they
 * fetch as compressed.
 */
async function gzipLayer(file: string, entry: TarEntry, out: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const source = entry.size > 0 ? createReadStream(file, { start: entry.offset, end: entry.offset + entry.size - 1 }) : Readable.from([]);
  await pipeline(source, createGzip(), measure, createWriteStream(out));
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/**
 * Pushes the first image of a `docker save` archive as `ref`: an OCI image manifest with the
 * archive's config and its layers, gzipped when the archive holds them uncompressed (the image
 * config's diff_ids stay the uncompressed digests, as they must). Blobs the registry already
 * has are not sent again.
 */
export async function pushDockerArchive(archive: string, ref: string, options: { timeoutMs?: number } = {}): Promise<void> {
  parseImageRef(ref);
  const entries = await indexTar(archive);
  const manifestEntry = entries.get('manifest.json');
  if (!manifestEntry) throw deployError(`${archive} has no manifest.json: not an archive written by \`docker save\``);
  const [image] = JSON.parse((await readEntry(archive, manifestEntry)).toString('utf8')) as { Config: string; Layers: string[] }[];
  if (!image?.Config || !Array.isArray(image.Layers)) throw deployError(`${archive}: manifest.json names no image`);
  const entryOf = (path: string): TarEntry => {
    const entry = entries.get(path);
    if (!entry) throw deployError(`${archive}: manifest.json names ${path}, which is not in the archive`);
    return entry;
  };
  const scratch = await mkdtemp(join(tmpdir(), 'fogbench-push-'));
  try {
    const configEntry = entryOf(image.Config);
    const config: Blob = { digest: await digestOf(archive, configEntry), size: configEntry.size, mediaType: 'application/vnd.oci.image.config.v1+json', file: archive, offset: configEntry.offset };
    const layers: Blob[] = [];
    for (const [i, path] of image.Layers.entries()) {
      const entry = entryOf(path);
      const mediaType = await compressedMediaType(archive, entry);
      if (mediaType) {
        layers.push({ digest: await digestOf(archive, entry), size: entry.size, mediaType, file: archive, offset: entry.offset });
      } else {
        const out = join(scratch, `layer-${i}.tar.gz`);
        const gz = await gzipLayer(archive, entry, out);
        layers.push({ ...gz, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', file: out, offset: 0 });
      }
    }
    await uploadImage(ref, config, layers, options);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/**
 * Pushes the image tagged `tag` in an OCI image layout (what umoci writes) as `ref`: its config
 * and layers as they are in the layout (already compressed), under a fresh OCI manifest.
 */
export async function pushOciLayout(layout: string, tag: string, ref: string, options: { timeoutMs?: number } = {}): Promise<void> {
  parseImageRef(ref);
  const blob = (digest: string) => join(layout, 'blobs', ...digest.split(':'));
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests?: (Descriptor & { annotations?: Record<string, string> })[] };
  const entry = index.manifests?.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!entry) throw deployError(`${layout} holds no image tagged ${tag}`);
  const manifest = JSON.parse(await readFile(blob(entry.digest), 'utf8')) as { config: Descriptor; layers: Descriptor[] };
  const asBlob = (d: Descriptor): Blob => ({ digest: d.digest, size: d.size, mediaType: d.mediaType, file: blob(d.digest), offset: 0 });
  await uploadImage(ref, asBlob(manifest.config), manifest.layers.map(asBlob), options);
}

async function uploadImage(ref: string, config: Blob, layers: Blob[], options: { timeoutMs?: number }): Promise<void> {
  const { registry, repository, tag } = parseImageRef(ref);
  const base = `http://${registry}/v2/${repository}`;
  const timeout = () => AbortSignal.timeout(options.timeoutMs ?? 600_000);
  const call = async (url: string, init: RequestInit & { duplex?: 'half' }, what: string): Promise<Response> => {
    try {
      return await fetch(url, { ...init, signal: timeout() });
    } catch (error) {
      throw deployError(`pushing ${ref}: ${what} failed (${causeCode(error)}); is the registry at ${registry} reachable from this machine?`, error);
    }
  };
  for (const b of [config, ...layers]) {
    const head = await call(`${base}/blobs/${b.digest}`, { method: 'HEAD' }, 'checking a blob');
    if (head.status === 200) continue;
    const start = await call(`${base}/blobs/uploads/`, { method: 'POST' }, 'starting an upload');
    const location = start.headers.get('location');
    if (start.status !== 202 || !location) throw deployError(`pushing ${ref}: the registry answered ${start.status} to an upload request`);
    const url = new URL(location, `http://${registry}`);
    url.searchParams.set('digest', b.digest);
    const body = b.size === 0 ? Buffer.alloc(0) : (Readable.toWeb(createReadStream(b.file, { start: b.offset, end: b.offset + b.size - 1 })) as ReadableStream);
    const put = await call(url.toString(), { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': String(b.size) }, body, duplex: 'half' }, 'uploading a blob');
    if (put.status !== 201) throw deployError(`pushing ${ref}: the registry answered ${put.status} to the upload of ${b.digest} (${(await put.text()).slice(0, 200)})`);
  }
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  const put = await call(`${base}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': manifest.mediaType }, body: JSON.stringify(manifest) }, 'uploading the manifest');
  if (put.status !== 201) throw deployError(`pushing ${ref}: the registry answered ${put.status} to the manifest (${(await put.text()).slice(0, 200)})`);
}

function causeCode(error: unknown): string {
  const e = error as { cause?: { code?: string }; name?: string; message?: string };
  return e.cause?.code ?? e.name ?? e.message ?? String(error);
}

