/**
 * A FAKE OpenFaaS gateway for tests: a real HTTP server implementing the faas-provider system
 * API the gateway client calls (with basic auth), answering as OpenFaaS CE (faas-netes 0.18.16)
 * does in the ways that matter to fogbench:
 * - replicas, availableReplicas and invocationCount are omitted at 0 (omitempty);
 * - constraints are dropped (CE writes an empty nodeSelector);
 * - more than 5 replicas per function, or a 16th function, is a 400 with CE's message;
 * - functions live in openfaas-fn only.
 * With `kube`, each function becomes a real Deployment in a real API server, shaped as
 * faas-netes shapes it (label faas_function, imagePullPolicy Always, no nodeSelector, the
 * requested resources), so the real scheduler places its pods and status is the Deployment's.
 * It checks requests and answers, not OpenFaaS itself.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppsV1Api, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { SCALE_MAX_LABEL, SCALE_MIN_LABEL, type FunctionDeployment, type FunctionStatus } from '../../harness/openfaas/gateway-client.ts';

export const PASSWORD = 'pa55-w0rd-from-secret';
const NAMESPACE = 'openfaas-fn';

export interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/** JSON as faas-provider's Go structs marshal it: zero values of omitempty fields are left out. */
function omitEmpty(status: FunctionStatus): Record<string, unknown> {
  const out: Record<string, unknown> = { ...status };
  for (const key of ['invocationCount', 'replicas', 'availableReplicas'] as const) if (!out[key]) delete out[key];
  delete out.constraints;
  return out;
}

export class FakeGateway {
  readonly seen: Seen[] = [];
  readonly functions = new Map<string, FunctionStatus>();
  /** Replicas become available only after this many list calls (a function starting up). */
  startupPolls = 0;
  listCalls = 0;
  private server: Server | undefined;

  /** With a kube config, functions are real Deployments in openfaas-fn of that API server. */
  constructor(private readonly kube?: KubeConfig) {}

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    }));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', resolve);
    });
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server?.listening ? this.server.close(() => r()) : r()));
  }

  private apps() {
    return this.kube!.makeApiClient(AppsV1Api);
  }

  private async statuses(): Promise<FunctionStatus[]> {
    if (!this.kube) return [...this.functions.values()];
    const list = await this.apps().listNamespacedDeployment({ namespace: NAMESPACE });
    return list.items.map((d) => ({
      name: d.metadata!.name!,
      image: d.spec!.template.spec!.containers[0]!.image!,
      namespace: NAMESPACE,
      labels: d.spec!.template.metadata?.labels ?? {},
      replicas: d.spec?.replicas ?? 0,
      availableReplicas: d.status?.availableReplicas ?? 0,
      invocationCount: 0,
    }));
  }

  private deployment(spec: FunctionDeployment, replicas: number): V1Deployment {
    const labels = { faas_function: spec.service, ...spec.labels };
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: spec.service, namespace: NAMESPACE, labels: { faas_function: spec.service } },
      spec: {
        replicas,
        selector: { matchLabels: { faas_function: spec.service } },
        template: {
          metadata: { labels },
          spec: {
            nodeSelector: {},
            containers: [
              {
                name: spec.service,
                image: spec.image,
                imagePullPolicy: 'Always',
                ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
                env: Object.entries(spec.envVars ?? {}).map(([name, value]) => ({ name, value })),
                resources: { ...(spec.requests ? { requests: { ...spec.requests } } : {}), ...(spec.limits ? { limits: { ...spec.limits } } : {}) },
                readinessProbe: { httpGet: { path: '/_/health', port: 8080 }, initialDelaySeconds: 2, periodSeconds: 2, timeoutSeconds: 1 },
              },
            ],
          },
        },
      },
    } as V1Deployment;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const c of req) raw += c;
    const url = new URL(req.url ?? '/', 'http://gw');
    const body = raw ? JSON.parse(raw) : undefined;
    this.seen.push({ method: req.method ?? '', path: url.pathname + url.search, authorization: req.headers.authorization, body });
    const reply = (status: number, value?: unknown) => {
      res.writeHead(status, { 'content-type': typeof value === 'string' ? 'text/plain' : 'application/json' });
      res.end(value === undefined ? '' : typeof value === 'string' ? `${value}\n` : JSON.stringify(value));
    };
    if (req.headers.authorization !== `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`) return reply(401);
    if (url.pathname === '/system/info') return reply(200, { provider: { provider: 'faas-netes-ce', orchestration: 'kubernetes', version: { release: '0.18.16' } }, version: { release: '0.27.13' }, arch: 'x86_64' });
    if (url.pathname === '/system/functions' && req.method === 'GET') {
      this.listCalls++;
      if (!this.kube) for (const f of this.functions.values()) if (this.startupPolls-- <= 0) f.availableReplicas = f.replicas;
      return reply(200, (await this.statuses()).map(omitEmpty));
    }
    if (url.pathname === '/system/functions' && (req.method === 'POST' || req.method === 'PUT')) {
      const spec = body as FunctionDeployment;
      if (spec.namespace && spec.namespace !== NAMESPACE) return reply(400, `namespace must be: ${NAMESPACE}`);
      for (const label of [SCALE_MAX_LABEL, SCALE_MIN_LABEL]) {
        const v = Number(spec.labels?.[label]);
        if (v > 5) return reply(400, `${label} is set too high for Community Edition`);
      }
      const existing = await this.statuses();
      const exists = existing.some((f) => f.name === spec.service);
      if (req.method === 'POST' && exists) return reply(400, `unable to create Deployment: deployments.apps "${spec.service}" already exists`);
      if (req.method === 'PUT' && !exists) return reply(404);
      if (req.method === 'POST' && existing.length + 1 > 15) return reply(400, 'unable to create function, maximum: 15, visit https://openfaas.com/pricing to upgrade to OpenFaaS Standard');
      const replicas = Number(spec.labels?.[SCALE_MIN_LABEL] ?? 1);
      if (this.kube) {
        const d = this.deployment(spec, replicas);
        if (req.method === 'POST') await this.apps().createNamespacedDeployment({ namespace: NAMESPACE, body: d });
        else await this.apps().replaceNamespacedDeployment({ name: spec.service, namespace: NAMESPACE, body: d });
      } else {
        this.functions.set(spec.service, { name: spec.service, image: spec.image, namespace: spec.namespace, labels: spec.labels, invocationCount: 0, replicas, availableReplicas: 0 });
      }
      return reply(202);
    }
    if (url.pathname === '/system/functions' && req.method === 'DELETE') {
      const name = (body as { functionName: string }).functionName;
      if (this.kube) {
        const gone = await this.apps().deleteNamespacedDeployment({ name, namespace: NAMESPACE, propagationPolicy: 'Background' }).then(() => false, (e: { code?: number }) => e.code === 404);
        return gone ? reply(404) : reply(202);
      }
      return this.functions.delete(name) ? reply(202) : reply(404);
    }
    const scale = /^\/system\/scale-function\/(.+)$/.exec(url.pathname);
    if (scale && req.method === 'POST') {
      const f = this.functions.get(scale[1]!);
      if (!f) return reply(404);
      f.replicas = Math.min(5, (body as { replicas: number }).replicas);
      return reply(202);
    }
    const one = /^\/system\/function\/(.+)$/.exec(url.pathname);
    if (one) {
      const f = (await this.statuses()).find((x) => x.name === one[1]);
      return f ? reply(200, omitEmpty(f)) : reply(404);
    }
    reply(404);
  }
}
