/**
 * The bare function runtime (`--function-runtime bare`, a sensitivity check): the function
 * process behind of-watchdog (http mode) on plain node:http, with one JSON.parse of the body
 * when the content type says JSON and one write of the result; no framework. The default
 * runtime is the node20 template's express server (template-server.ts); the two answer the
 * same bytes, and the difference between their rows is what the template costs.
 */
import http from 'node:http';
import { listen } from '../dataflow/listen.ts';
import { nowMs, SpanWriter, type Span } from '../dataflow/spans.ts';
import type { BytesNextCall } from './chain-next.ts';
import { requestIdOf, type FunctionServerBase, type StartedFunctionServer } from './function-server-options.ts';
import { invokeHandler } from './template-contract.ts';

export interface FunctionServerOptions extends FunctionServerBase {
  bodyLimitBytes: number;
  /** openfaas-chain: after a successful run, call the next function and answer with its answer. */
  next?: BytesNextCall;
}

export async function startFunctionServer(options: FunctionServerOptions): Promise<StartedFunctionServer> {
  const spans = new SpanWriter(options.writeSpans);
  const server = http.createServer((req, res) => {
    // of-watchdog answers /_/health itself; the process answers it too for running without one.
    if (req.method === 'GET' && req.url === '/_/health') return void res.writeHead(200).end('OK');
    const start = nowMs();
    const span: Span = { requestId: requestIdOf(req.headers), service: options.name, node: options.node, start, fnStart: start, fnEnd: start, end: start, outcome: 'ok' };
    const finish = (status: number) => {
      span.end = nowMs();
      span.outcome = status >= 200 && status < 300 ? 'ok' : 'function-error';
      spans.add(span);
    };
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= options.bodyLimitBytes) chunks.push(chunk);
    });
    req.on('end', async () => {
      if (size > options.bodyLimitBytes) {
        res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ function: options.name, error: `body larger than ${options.bodyLimitBytes} bytes` }));
        return finish(413);
      }
      const url = new URL(req.url ?? '/', 'http://function');
      const raw = Buffer.concat(chunks);
      let body: unknown = raw.toString('utf8');
      if ((req.headers['content-type'] ?? '').includes('json') && raw.length > 0) {
        try {
          body = JSON.parse(body as string);
        } catch {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ function: options.name, error: 'malformed JSON body' }));
          return finish(400);
        }
      }
      // Function time is the handler's run only, as in p2p (p2p-service.ts stamps at the same
      // points): the body is decoded above and the result encoded below, as the template does
      // around its handler, so that work is the framework's transfer, in the hop gap's parts
      // (decoding in `body`, from the request's arrival to this stamp; encoding in the next
      // hop's `toRequest`), never in function time.
      span.fnStart = nowMs();
      const result = await invokeHandler(
        options.handler,
        { body, headers: req.headers, method: req.method ?? 'GET', query: Object.fromEntries(url.searchParams), path: url.pathname },
        options.name,
      );
      span.fnEnd = nowMs();
      const isText = typeof result.body === 'string' || Buffer.isBuffer(result.body);
      const payload = isText ? (result.body as string | Buffer) : JSON.stringify(result.body ?? null);
      if (options.next && result.status >= 200 && result.status < 300) {
        span.next = options.next.next;
        const answer = await options.next.call(Buffer.from(payload), span.requestId);
        res.writeHead(answer.status, { 'content-type': answer.json ? 'application/json' : 'text/plain' });
        res.end(answer.body);
        return finish(answer.status);
      }
      res.writeHead(result.status, { 'content-type': isText ? 'text/plain' : 'application/json', ...result.headers });
      res.end(payload);
      finish(result.status);
    });
  });
  server.keepAliveTimeout = 65_000;
  return listen(server, options.host, options.port, () => spans.flush());
}
