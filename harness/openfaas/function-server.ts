/**
 * The function process behind of-watchdog (http mode): listens on the upstream port, turns
 * each request into a template event, runs the handler and writes its result. JSON bodies are
 * parsed when the content type says so, as the template does.
 */
import http from 'node:http';
import { invokeHandler, type TemplateHandler } from './template-contract.ts';

export interface FunctionServerOptions {
  name: string;
  handler: TemplateHandler;
  host: string;
  port: number;
  /** The template's default JSON body limit is 100 kB (MAX_JSON_SIZE). */
  bodyLimitBytes: number;
}

export async function startFunctionServer(options: FunctionServerOptions): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    // of-watchdog answers /_/health itself; the process answers it too for running without one.
    if (req.method === 'GET' && req.url === '/_/health') return void res.writeHead(200).end('OK');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= options.bodyLimitBytes) chunks.push(chunk);
    });
    req.on('end', async () => {
      if (size > options.bodyLimitBytes) {
        res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ function: options.name, error: `body larger than ${options.bodyLimitBytes} bytes` }));
        return;
      }
      const url = new URL(req.url ?? '/', 'http://function');
      const raw = Buffer.concat(chunks);
      let body: unknown = raw.toString('utf8');
      if ((req.headers['content-type'] ?? '').includes('json') && raw.length > 0) {
        try {
          body = JSON.parse(body as string);
        } catch {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ function: options.name, error: 'malformed JSON body' }));
          return;
        }
      }
      const result = await invokeHandler(
        options.handler,
        { body, headers: req.headers, method: req.method ?? 'GET', query: Object.fromEntries(url.searchParams), path: url.pathname },
        options.name,
      );
      const isText = typeof result.body === 'string' || Buffer.isBuffer(result.body);
      const payload = isText ? (result.body as string | Buffer) : JSON.stringify(result.body ?? null);
      res.writeHead(result.status, { 'content-type': isText ? 'text/plain' : 'application/json', ...result.headers });
      res.end(payload);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
