/**
 * A FAKE OpenFaaS gateway for tests: a real HTTP server implementing the faas-provider system
 * API the gateway client calls (with basic auth), keeping the functions it is given. It checks
 * requests and answers, not OpenFaaS itself.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SCALE_MIN_LABEL, type FunctionDeployment, type FunctionStatus } from '../../harness/openfaas/gateway-client.ts';

export const PASSWORD = 'pa55-w0rd-from-secret';

export interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export class FakeGateway {
  readonly seen: Seen[] = [];
  readonly functions = new Map<string, FunctionStatus>();
  /** Replicas become available only after this many list calls (a function starting up). */
  startupPolls = 0;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const c of req) raw += c;
    const url = new URL(req.url ?? '/', 'http://gw');
    const body = raw ? JSON.parse(raw) : undefined;
    this.seen.push({ method: req.method ?? '', path: url.pathname + url.search, authorization: req.headers.authorization, body });
    const reply = (status: number, value?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(value === undefined ? '' : JSON.stringify(value));
    };
    if (req.headers.authorization !== `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`) return reply(401);
    if (url.pathname === '/system/info') return reply(200, { provider: { provider: 'faas-netes', orchestration: 'kubernetes', version: { release: '0.18.0' } }, version: { release: '0.27.0' }, arch: 'x86_64' });
    if (url.pathname === '/system/functions' && req.method === 'GET') {
      for (const f of this.functions.values()) if (this.startupPolls-- <= 0) f.availableReplicas = f.replicas;
      return reply(200, [...this.functions.values()]);
    }
    if (url.pathname === '/system/functions' && (req.method === 'POST' || req.method === 'PUT')) {
      const spec = body as FunctionDeployment;
      if (req.method === 'POST' && this.functions.has(spec.service)) return reply(400, undefined);
      if (req.method === 'PUT' && !this.functions.has(spec.service)) return reply(404);
      const replicas = Number(spec.labels?.[SCALE_MIN_LABEL] ?? 1);
      this.functions.set(spec.service, { name: spec.service, image: spec.image, namespace: spec.namespace, labels: spec.labels, constraints: spec.constraints, invocationCount: 0, replicas, availableReplicas: 0 });
      return reply(202);
    }
    if (url.pathname === '/system/functions' && req.method === 'DELETE') {
      const name = (body as { functionName: string }).functionName;
      return this.functions.delete(name) ? reply(202) : reply(404);
    }
    const scale = /^\/system\/scale-function\/(.+)$/.exec(url.pathname);
    if (scale && req.method === 'POST') {
      const f = this.functions.get(scale[1]!);
      if (!f) return reply(404);
      f.replicas = (body as { replicas: number }).replicas;
      return reply(202);
    }
    const one = /^\/system\/function\/(.+)$/.exec(url.pathname);
    if (one) return this.functions.has(one[1]!) ? reply(200, this.functions.get(one[1]!)) : reply(404);
    reply(404);
  }
}
