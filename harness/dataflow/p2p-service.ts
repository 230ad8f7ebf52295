/**
 * The point-to-point service runtime: receives a request, runs its scenario function, and
 * calls the next service named by the route, relaying that service's answer back. Errors are
 * never dropped: they travel downstream as envelopes and reach the client with a non-2xx.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AnyFunction, FunctionContext } from './scenario.ts';
import { HEADER, parseEnvelope, parseRoute, statusForError, type ErrorEnvelope } from './protocol.ts';
import { createHopPool, HopTimeoutError, postHop } from './hop-client.ts';
import { unknownNames, type ServiceTable } from './service-table.ts';
import { nowMs, SpanWriter, type Span, type SpanOutcome } from './spans.ts';

export interface P2PServiceOptions {
  fn: AnyFunction;
  /** This service's route name. */
  name: string;
  node: string;
  table: ServiceTable;
  /** Route used when the request carries none (the entry service of a chain). */
  defaultRoute: readonly string[];
  config: Readonly<Record<string, string>>;
  host: string;
  port: number;
  /** Longest wait for the next service's answer. */
  hopTimeoutMs: number;
  /** Budget of the whole chain when the request carries none. */
  chainBudgetMs: number;
  bodyLimitBytes: number;
  /** Keep-alive connections per downstream service. */
  poolConnections: number;
  writeSpans: (chunk: string) => void;
}

export interface RunningService {
  port: number;
  close(): Promise<void>;
}

/** Margin a hop keeps for itself so that the innermost timeout fires first. */
const BUDGET_MARGIN_MS = 50;

interface Answer {
  status: number;
  body: Buffer;
  error?: ErrorEnvelope;
}

export async function startP2PService(options: P2PServiceOptions): Promise<RunningService> {
  const { fn, name, table } = options;
  const spans = new SpanWriter(options.writeSpans);
  const pool = createHopPool(options.poolConnections);
  const context: FunctionContext = { service: name, config: options.config };

  const envelopeAnswer = (error: ErrorEnvelope): Answer => ({
    status: statusForError(error.kind),
    body: Buffer.from(JSON.stringify(error)),
    error,
  });

  async function forward(
    next: string,
    rest: readonly string[],
    requestId: string,
    budgetMs: number,
    payload: Buffer,
    error: ErrorEnvelope | undefined,
  ): Promise<Answer> {
    const timeout = Math.max(1, Math.floor(Math.min(options.hopTimeoutMs, budgetMs)));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [HEADER.route]: rest.join(','),
      [HEADER.requestId]: requestId,
      [HEADER.budget]: String(Math.max(1, Math.floor(timeout - BUDGET_MARGIN_MS))),
    };
    if (error) headers[HEADER.error] = error.kind;
    try {
      const res = await postHop(pool, table.get(next)!, headers, payload, timeout);
      if (res.headers[HEADER.error] !== undefined) return { status: res.status, body: res.body, error: parseEnvelope(res.body, next) };
      return { status: res.status, body: res.body };
    } catch (cause) {
      const timedOut = cause instanceof HopTimeoutError;
      return envelopeAnswer({
        service: next,
        kind: timedOut ? 'timeout' : 'network',
        message: timedOut ? `no answer from ${next} within ${timeout} ms` : `call to ${next} failed: ${(cause as Error).message}`,
      });
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, start: number) {
    const requestId = headerValue(req.headers[HEADER.requestId]) ?? randomUUID();
    const span: Span = { requestId, service: name, node: options.node, start, fnStart: start, fnEnd: start, end: start, outcome: 'ok' };
    const answer = (a: Answer, outcome: SpanOutcome) => {
      const headers: Record<string, string> = { 'content-type': 'application/json', [HEADER.requestId]: requestId };
      if (a.error) headers[HEADER.error] = a.error.kind;
      res.writeHead(a.status, headers);
      res.end(a.body);
      span.end = nowMs();
      span.outcome = outcome;
      spans.add(span);
    };

    const route = parseRoute(req.headers[HEADER.route]) ?? [...options.defaultRoute];
    const unknown = unknownNames(route, table);
    if (unknown.length > 0) {
      const message = `route names not in the service table: ${unknown.join(', ')}`;
      return answer(envelopeAnswer({ service: name, kind: 'rejected', message }), 'rejected');
    }

    let payload: Buffer;
    let error: ErrorEnvelope | undefined;
    let outcome: SpanOutcome = 'ok';
    if (req.headers[HEADER.error] !== undefined) {
      // An upstream failure: pass it on untouched, without running the function.
      error = parseEnvelope(body, name);
      payload = body;
      outcome = 'forwarded-error';
    } else {
      span.fnStart = nowMs();
      try {
        const input: unknown = JSON.parse(body.toString('utf8'));
        payload = Buffer.from(JSON.stringify(await fn.run(input, context)));
      } catch (cause) {
        error = { service: name, kind: 'function', message: (cause as Error).message ?? String(cause) };
        payload = Buffer.from(JSON.stringify(error));
        outcome = 'function-error';
      }
      span.fnEnd = nowMs();
    }

    const [next, ...rest] = route;
    if (next === undefined) {
      return answer(error ? envelopeAnswer(error) : { status: 200, body: payload }, outcome);
    }
    span.next = next;
    const budgetHeader = Number(headerValue(req.headers[HEADER.budget]));
    const budget = Number.isFinite(budgetHeader) && budgetHeader > 0 ? budgetHeader : options.chainBudgetMs;
    const remaining = budget - (nowMs() - start);
    const downstream = await forward(next, rest, requestId, remaining, payload, error);
    const hopFailed = downstream.error && downstream.error.service === next && downstream.error.kind !== 'function' && !error;
    answer(downstream, outcome !== 'ok' ? outcome : hopFailed ? (downstream.error!.kind as SpanOutcome) : 'ok');
  }

  const server = http.createServer((req, res) => {
    const start = nowMs();
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (req.method !== 'POST' || (req.url !== '/' && !req.url?.startsWith('/?'))) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('POST / or GET /healthz');
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > options.bodyLimitBytes) {
      return rejectTooLarge(res, name, options.bodyLimitBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.bodyLimitBytes) {
        rejectTooLarge(res, name, options.bodyLimitBytes);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      handle(req, res, Buffer.concat(chunks), start).catch((cause: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(cause));
      });
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    port,
    async close() {
      spans.flush();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      pool.destroy();
    },
  };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function rejectTooLarge(res: http.ServerResponse, service: string, limit: number): void {
  if (res.headersSent) return;
  const envelope: ErrorEnvelope = { service, kind: 'rejected', message: `request body larger than ${limit} bytes` };
  res.writeHead(413, { 'content-type': 'application/json', [HEADER.error]: 'rejected', connection: 'close' });
  res.end(JSON.stringify(envelope));
}
