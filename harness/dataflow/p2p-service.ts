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
import { routeProblem, type ServiceTable } from './service-table.ts';
import { listen } from './listen.ts';
import { nowMs, SpanWriter, type Span, type SpanOutcome } from './spans.ts';
import { after, type Timer } from '../timers.ts';

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
  /** Overrides of SERVER_LIMITS (tests use short ones). */
  limits?: Partial<ServerLimits>;
}

/**
 * Connection limits and timeouts of a service's server. A benchmark's own load never comes
 * near them (50 workers, each with at most one connection, plus an upstream pool of 64), but a
 * client that connects and sends nothing, or sends a byte a second, is cut off within seconds
 * instead of holding a socket for minutes, and no more than maxConnections sockets are held.
 */
export const SERVER_LIMITS = {
  /** Whole request head, from the first byte of the connection (or of the next request). */
  headersTimeoutMs: 10_000,
  /** Whole request, head and body: a 4 MiB body on a 100 mbit/s link takes 0.3 s. */
  requestTimeoutMs: 30_000,
  /** Idle keep-alive connection between requests; hop pools drop theirs sooner (hop-client.ts). */
  keepAliveTimeoutMs: 15_000,
  /** How often those timeouts are enforced (Node's default is every 30 s). */
  checkIntervalMs: 1_000,
  maxConnections: 1_024,
} as const;

export type ServerLimits = { [K in keyof typeof SERVER_LIMITS]: number };

export function applyServerLimits(server: http.Server, limits: ServerLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  // Node's headersTimeout starts at a request's first byte: a connection that never sends one
  // would be held for good. Its first request head must be complete within the same time.
  const firstRequest = new WeakMap<object, Timer>();
  server.on('connection', (socket: import('node:net').Socket) => {
    const timer = after(limits.headersTimeoutMs, () => socket.destroy()).unref();
    firstRequest.set(socket, timer);
    socket.once('close', () => timer.clear());
  });
  server.on('request', (req: http.IncomingMessage) => {
    firstRequest.get(req.socket)?.clear();
    firstRequest.delete(req.socket);
    // Node enforces requestTimeout from its periodic connection check, which a busy event loop
    // was seen to miss (a 1-byte-a-second body held past 60 s under load): a timer of our own
    // ends a request whose body has not fully arrived by then.
    // Cleared through the request's own events only: a listener per request on a keep-alive
    // socket would pile up for the socket's whole life, each holding its request (that leaked
    // ~8 MB/s in filter-temperature at 10 workers until the node's OOM killer ended it).
    const bodyDeadline = after(limits.requestTimeoutMs, () => req.socket.destroy()).unref();
    const clear = () => bodyDeadline.clear();
    req.once('end', clear);
    req.once('close', clear);
  });
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
    const problem = routeProblem(route, name, table);
    if (problem !== null) return answer(envelopeAnswer({ service: name, kind: 'rejected', message: problem }), 'rejected');

    let payload: Buffer;
    let error: ErrorEnvelope | undefined;
    let outcome: SpanOutcome = 'ok';
    if (req.headers[HEADER.error] !== undefined) {
      // An upstream failure: pass it on untouched, without running the function.
      error = parseEnvelope(body, name);
      payload = body;
      outcome = 'forwarded-error';
    } else {
      // Function time is the scenario function's own run, stamped where the OpenFaaS function
      // server stamps it (function-server.ts): after the body is decoded and before the result
      // is encoded. There the template decodes the body before the handler and encodes its
      // result after it, so decoding and encoding are the framework's transfer work in both
      // systems and land in the hop gap's parts (encoding in `toRequest`, decoding in `body`),
      // not in function time. Stamping around JSON.parse/stringify here, as before, moved the
      // (de)serialisation of every hop out of p2p's gaps and into OpenFaaS's.
      try {
        // No body is no input (the paper preset's requests carry none: `get` reads the sensors).
        const input: unknown = body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
        span.fnStart = nowMs();
        let result: unknown;
        try {
          result = await fn.run(input, context);
        } finally {
          span.fnEnd = nowMs();
        }
        payload = Buffer.from(JSON.stringify(result));
      } catch (cause) {
        // A body that is not JSON, a throwing function or a result that cannot be encoded: the
        // function's error, as before (the function did not run when the body did not decode,
        // so its stamps stay at the request's start).
        error = { service: name, kind: 'function', message: (cause as Error).message ?? String(cause) };
        payload = Buffer.from(JSON.stringify(error));
        outcome = 'function-error';
      }
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

  const limits: ServerLimits = { ...SERVER_LIMITS, ...options.limits };
  const server = http.createServer({ connectionsCheckingInterval: limits.checkIntervalMs, headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs }, (req, res) => {
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
  applyServerLimits(server, limits);

  const listening = await listen(server, options.host, options.port, () => spans.flush());
  return {
    port: listening.port,
    async close() {
      await listening.close();
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
