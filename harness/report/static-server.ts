/**
 * Serves the reports folder read-only on 127.0.0.1 for `fogbench report --serve`.
 *
 * What it serves is narrow on purpose, since the folder may sit among other files (an `--index`
 * in a home folder, say): regular files only, whose real path (symbolic links resolved) lies
 * under the root's real path; no name starting with a dot anywhere in the path; and, when the
 * caller gives `allow`, only the paths it accepts (the report's own files). Folders serve their
 * index.html; a folder URL without its slash is redirected to a path built from the resolved
 * file, so the Location is always on this server. Requests must name this server in `Host`
 * (127.0.0.1 or localhost with its port): a page on another site cannot read the reports through
 * a DNS name rebound to 127.0.0.1. Every file stream is closed when the client goes away.
 */
import { constants, createReadStream } from 'node:fs';
import { open, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { environmentError } from '../errors.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.ndjson': 'application/x-ndjson; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** The file a URL path names under root, or null when it would leave the root. */
export function resolveUnder(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const base = resolve(root);
  const file = resolve(base, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
  return file === base || file.startsWith(base + sep) ? file : null;
}

/** `rel` (relative, "/"-separated) names something hidden: a segment starting with a dot. */
function hidden(rel: string): boolean {
  return rel.split('/').some((segment) => segment.startsWith('.'));
}

const toUrlPath = (rel: string) => (rel === '' ? '' : rel.split(sep).map(encodeURIComponent).join('/'));

export interface ServeOptions {
  host?: string;
  /**
   * Which files may be served, by path relative to the root ("/"-separated, "" for the root's
   * index.html is "index.html"). Default: every regular, non-hidden file under the root.
   */
  allow?: (relativePath: string) => boolean;
}

export interface StaticServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function serveStatic(root: string, port: number, options: ServeOptions | string = {}): Promise<StaticServer> {
  const { host = '127.0.0.1', allow = () => true } = typeof options === 'string' ? { host: options } : options;
  const realRoot = await realpath(root);
  let allowedHosts = new Set<string>();

  /** The real path of the file to send, or an HTTP status saying why not (or a redirect). */
  async function locate(urlPath: string): Promise<{ file: string } | { status: number; location?: string }> {
    const requested = resolveUnder(realRoot, urlPath);
    if (requested === null) return { status: 403 };
    let rel = relative(realRoot, requested).split(sep).join('/');
    if (hidden(rel)) return { status: 404 };
    let real = await realpath(requested).catch(() => null);
    if (real === null) return { status: 404 };
    let info = await stat(real).catch(() => null);
    if (info?.isDirectory()) {
      if (!urlPath.endsWith('/')) {
        // Built from the resolved path, never from the request: `//evil.example/..` stays here.
        return { status: 301, location: `/${toUrlPath(relative(realRoot, requested))}/`.replace(/^\/\/$/, '/') };
      }
      rel = rel === '' ? 'index.html' : `${rel}/index.html`;
      real = await realpath(join(real, 'index.html')).catch(() => null);
      if (real === null) return { status: 404 };
      info = await stat(real).catch(() => null);
    }
    if (!info?.isFile()) return { status: 404 };
    // The real path must be under the real root and hidden nowhere: a link cannot lead out.
    const realRel = relative(realRoot, real);
    if (realRel.startsWith('..') || isAbsolute(realRel) || hidden(realRel.split(sep).join('/'))) return { status: 404 };
    if (!allow(rel)) return { status: 404 };
    return { file: real };
  }

  /** Opens without following a final link and checks the open file is the one located. */
  async function openChecked(file: string): Promise<FileHandle | null> {
    const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => null);
    if (handle === null) return null;
    const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => file);
    if (opened !== file) {
      await handle.close();
      return null;
    }
    return handle;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
      res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' }).end('this server answers only to its own address\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const urlPath = (req.url ?? '/').split('?')[0]!;
    const found = await locate(urlPath);
    if (!('file' in found)) {
      if (found.status === 301) res.writeHead(301, { location: found.location }).end();
      else res.writeHead(found.status, { 'content-type': 'text/plain; charset=utf-8' }).end(found.status === 403 ? 'forbidden\n' : 'not found\n');
      return;
    }
    const file = await openChecked(found.file);
    if (file === null) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    try {
      const info = await file.stat();
      if (!info.isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      res.writeHead(200, {
        'content-type': TYPES[extname(found.file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': info.size,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      // pipeline closes the file when the client aborts, where .pipe() left it open.
      await pipeline(createReadStream(found.file, { fd: file, autoClose: true, start: 0, ...(info.size > 0 ? { end: info.size - 1 } : {}) }), res).catch(() => undefined);
    } finally {
      await file.close().catch(() => undefined);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? environmentError(`port ${port} on ${host} is in use; pick another with --port`, error) : error),
    );
    server.listen(port, host, () => resolvePromise());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  allowedHosts = new Set([`${host}:${actualPort}`, `localhost:${actualPort}`, `127.0.0.1:${actualPort}`]);
  return {
    url: `http://${host}:${actualPort}/`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
