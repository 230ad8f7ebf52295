/**
 * The point-to-point service runtime: receives a request, runs its scenario function, and
 * calls the next service named by the route, relaying that service's answer back. Errors are
 * never dropped: they travel downstream as envelopes and reach the client with a non-2xx.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AnyFunction, FunctionContext } from './scenario.ts';
import { HEADER, parseEnvelope, statusForError, type ErrorEnvelope } from './protocol.ts';
import { createHopPool, HopTimeoutError, joined, postHop, type HeaderList } from './hop-client.ts';
import type { ServiceTable } from './service-table.ts';
import { createRoutePlanner } from './route-plan.ts';
import { listen } from './listen.ts';
import { nowMs, SpanWriter, type Span, type SpanOutcome } from './spans.ts';
import { after, every, type Timer } from '../timers.ts';

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

/**
 * Sets the limits on a server. Gives back what the server's handler calls once a request's body
 * has all arrived (its 'end'): the request leaves the body-deadline sweep then, rather than at the
 * sweep after, which would keep every request alive for up to a second (long enough for the
 * garbage collector to move them all to the old generation, at a few hundred requests a second).
 */
export function applyServerLimits(server: http.Server, limits: ServerLimits): (req: http.IncomingMessage) => void {
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
  // Node enforces requestTimeout from its periodic connection check, which a busy event loop
  // was seen to miss (a 1-byte-a-second body held past 60 s under load): a sweep of our own, as
  // often as Node's check, ends a request whose body has not fully arrived by then. A sweep, not
  // a timer and two listeners per request to clear it, which cost a p2p service about as much as
  // routing a request. Nothing is held past the next sweep, and no listener is left on a
  // keep-alive socket (a listener per request leaked ~8 MB/s in filter-temperature at 10 workers
  // until the node's OOM killer ended it).
  let arriving = new Map<http.IncomingMessage, number>();
  const sweep = every(limits.checkIntervalMs, () => {
    const now = Date.now();
    const still = new Map<http.IncomingMessage, number>();
    for (const [req, since] of arriving) {
      if (req.complete || req.destroyed) continue;
      if (now - since >= limits.requestTimeoutMs) req.socket.destroy();
      else still.set(req, since);
    }
    arriving = still;
  });
  sweep.unref();
  server.once('close', () => clearInterval(sweep));
  server.on('request', (req: http.IncomingMessage) => {
    const timer = firstRequest.get(req.socket);
    if (timer !== undefined) {
      timer.clear();
      firstRequest.delete(req.socket);
    }
    arriving.set(req, Date.now());
  });
  return (req) => void arriving.delete(req);
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
  const planFor = createRoutePlanner(name, table, options.defaultRoute);

  const envelopeAnswer = (error: ErrorEnvelope): Answer => ({
    status: statusForError(error.kind),
    body: Buffer.from(JSON.stringify(error)),
    error,
  });

  async function forward(
    next: string,
    rest: string,
    requestId: string,
    budgetMs: number,
    payload: Buffer,
    error: ErrorEnvelope | undefined,
  ): Promise<Answer> {
    const timeout = Math.max(1, Math.floor(Math.min(options.hopTimeoutMs, budgetMs)));
    const headers: HeaderList = [
      'content-type', 'application/json',
      HEADER.route, rest,
      HEADER.requestId, requestId,
      HEADER.budget, String(Math.max(1, Math.floor(timeout - BUDGET_MARGIN_MS))),
      ...(error ? [HEADER.error, error.kind] : []),
    ];
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
      // The length given, so the body goes out as it is rather than in chunked framing (what
      // writeHead without one does), and the headers as a list node:http writes as they are.
      const headers = ['content-type', 'application/json', 'content-length', String(a.body.length), HEADER.requestId, requestId];
      if (a.error) headers.push(HEADER.error, a.error.kind);
      res.writeHead(a.status, headers);
      res.end(a.body);
      span.end = nowMs();
      span.outcome = outcome;
      spans.add(span);
    };

    const plan = planFor(req.headers[HEADER.route]);
    if (plan.kind === 'rejected') return answer(envelopeAnswer({ service: name, kind: 'rejected', message: plan.problem }), 'rejected');

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

    if (plan.kind === 'last') {
      return answer(error ? envelopeAnswer(error) : { status: 200, body: payload }, outcome);
    }
    span.next = plan.next;
    const budgetHeader = Number(headerValue(req.headers[HEADER.budget]));
    const budget = Number.isFinite(budgetHeader) && budgetHeader > 0 ? budgetHeader : options.chainBudgetMs;
    const remaining = budget - (nowMs() - start);
    const downstream = await forward(plan.next, plan.rest, requestId, remaining, payload, error);
    const hopFailed = downstream.error && downstream.error.service === plan.next && downstream.error.kind !== 'function' && !error;
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
      arrived(req);
      if (res.headersSent) return;
      handle(req, res, joined(chunks, size), start).catch((cause: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(cause));
      });
    });
  });
  const arrived = applyServerLimits(server, limits);

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
