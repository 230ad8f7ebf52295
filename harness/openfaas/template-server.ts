/**
 * The function process as the official node20 template serves it (openfaas/templates@69ca16ae,
 * template/node20/index.js): express 4 with body-parser's text (`text/*`), JSON and urlencoded
 * parsers, a text/plain content type put on requests that carry none, the JSON limit from
 * MAX_JSON_SIZE (body-parser's 100 kB default without it), every method on every path, and the
 * answer written with express's `res.send` (a function's object result JSON.stringify'd first;
 * ETag and Content-Type as express sets them). express and body-parser are pinned in
 * package.json at the versions the template's `npm i` resolves (`^4.16.2`, `^1.18.2`).
 *
 * Two deliberate differences, both so that what the user deploys is measured honestly:
 * - a handler that throws answers 500 (invokeHandler) where the template answers 200, and a
 *   failure's body stays readable (an object is sent as JSON, where the template's
 *   `err.toString()` would send "[object Object]"): errors must be counted as errors;
 * - one span per request (start, handler start and end, answer sent), as p2p services write.
 */
import http from 'node:http';
import bodyParser from 'body-parser';
import express, { type Request, type Response } from 'express';
import { listen } from '../dataflow/listen.ts';
import { nowMs, SpanWriter, type Span } from '../dataflow/spans.ts';
import type { JsonNextCall } from './chain-next.ts';
import { requestIdOf, type FunctionServerBase, type StartedFunctionServer } from './function-server-options.ts';
import { invokeHandler } from './template-contract.ts';

/** body-parser's default limit, which the template keeps unless MAX_JSON_SIZE is set. */
export const TEMPLATE_DEFAULT_JSON_LIMIT = '100kb';

export interface TemplateServerOptions extends FunctionServerBase {
  /** body-parser's JSON limit (bytes, or text such as "100kb"): the template's MAX_JSON_SIZE. */
  jsonLimit: number | string;
  /** openfaas-chain: after a successful run, call the next function and answer with its answer. */
  next?: JsonNextCall;
}

const isArrayOrObject = (value: unknown): boolean => Array.isArray(value) || (value !== null && typeof value === 'object' && value.constructor === Object);

export async function startTemplateServer(options: TemplateServerOptions): Promise<StartedFunctionServer> {
  const spans = new SpanWriter(options.writeSpans);
  const app = express();
  app.disable('x-powered-by');
  // of-watchdog answers its health path itself, so the template never sees it; answered here
  // too for running without a watchdog (tests, loopback), as the bare server does.
  app.get('/_/health', (_req, res) => void res.status(200).send('OK'));
  // First of all, so the span's start is the request's arrival, before any parser ran.
  app.use((req, res, next) => {
    const start = nowMs();
    const span: Span = { requestId: requestIdOf(req.headers), service: options.name, node: options.node, start, fnStart: start, fnEnd: start, end: start, outcome: 'ok' };
    res.locals.span = span;
    res.on('finish', () => {
      span.end = nowMs();
      span.outcome = res.statusCode >= 200 && res.statusCode < 300 ? 'ok' : 'function-error';
      spans.add(span);
    });
    next();
  });
  // The template's addDefaultContentType: without a content type the body would be left unparsed.
  app.use((req, _res, next) => {
    if (!req.headers['content-type']) req.headers['content-type'] = 'text/plain';
    next();
  });
  app.use(bodyParser.text({ type: 'text/*' }));
  app.use(bodyParser.json({ limit: options.jsonLimit }));
  app.use(bodyParser.urlencoded({ extended: true }));

  const handle = async (req: Request, res: Response) => {
    const span = res.locals.span as Span;
    span.fnStart = nowMs();
    const result = await invokeHandler(options.handler, { body: req.body as unknown, headers: req.headers, method: req.method, query: req.query as Record<string, string>, path: req.path }, options.name);
    span.fnEnd = nowMs();
    if (result.status >= 500) console.error(`${options.name}: ${result.status} ${typeof result.body === 'string' ? result.body : JSON.stringify(result.body)}`);
    if (options.next && result.status >= 200 && result.status < 300) {
      span.next = options.next.next;
      const answer = await options.next.call(result.body, span.requestId);
      res.status(answer.status).send(answer.body);
      return;
    }
    res.set(result.headers).status(result.status).send(isArrayOrObject(result.body) ? JSON.stringify(result.body) : (result.body as string | Buffer | undefined));
  };
  // The template registers these six methods on every path; express answers others with 404.
  for (const method of ['post', 'get', 'patch', 'put', 'delete', 'options'] as const) app[method]('/*', (req, res) => void handle(req, res));

  return listen(http.createServer(app), options.host, options.port, () => spans.flush());
}
