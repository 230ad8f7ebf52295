/**
 * REST client for the OpenFaaS gateway's system API (the faas-provider contract): deploy,
 * update, delete, list and scale functions, read /system/info. Basic auth with the password
 * from the `basic-auth` secret, which this client holds in memory only and never prints.
 * Autoscaling is off for benchmark functions: min and max scale labels are always equal.
 */
import { deployError, environmentError } from '../errors.ts';

export const SCALE_MIN_LABEL = 'com.openfaas.scale.min';
export const SCALE_MAX_LABEL = 'com.openfaas.scale.max';

/** faas-provider types.FunctionResources. */
export interface FunctionResources {
  memory?: string;
  cpu?: string;
}

/** faas-provider types.FunctionDeployment: the body of POST/PUT /system/functions. */
export interface FunctionDeployment {
  service: string;
  image: string;
  namespace?: string;
  envProcess?: string;
  envVars?: Record<string, string>;
  /** Node selectors, e.g. "kubernetes.io/hostname=lab-agent-1" (faas-netes turns them into a nodeSelector). */
  constraints?: string[];
  secrets?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  limits?: FunctionResources;
  requests?: FunctionResources;
  readOnlyRootFilesystem?: boolean;
}

/** faas-provider types.FunctionStatus: what GET /system/functions returns (the spec, named `name`). */
export interface FunctionStatus extends Omit<FunctionDeployment, 'service'> {
  name: string;
  invocationCount: number;
  replicas: number;
  availableReplicas: number;
  createdAt?: string;
}

/** faas-provider types.ProviderInfo as returned by the gateway's /system/info. */
export interface GatewayInfo {
  provider?: { provider?: string; orchestration?: string; version?: { release?: string; sha?: string } };
  version?: { release?: string; sha?: string; commit_message?: string };
  arch?: string;
}

/** A deployment spec with autoscaling pinned: exactly `replicas` replicas, always. */
export function withFixedScale(spec: FunctionDeployment, replicas: number): FunctionDeployment {
  if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`replicas must be a positive integer, not ${replicas}`);
  return { ...spec, labels: { ...spec.labels, [SCALE_MIN_LABEL]: String(replicas), [SCALE_MAX_LABEL]: String(replicas) } };
}

/** Pins a function to one node, the way p2p units are placed. */
export function pinnedToNode(spec: FunctionDeployment, node: string): FunctionDeployment {
  return { ...spec, constraints: [...(spec.constraints ?? []).filter((c) => !c.startsWith('kubernetes.io/hostname=')), `kubernetes.io/hostname=${node}`] };
}

export interface GatewayCredentials {
  user: string;
  password: string;
}

export interface GatewayClientOptions {
  /** e.g. http://192.168.56.10:31112 (the gateway's NodePort) or a port-forward. */
  url: string;
  credentials: GatewayCredentials;
  /** Namespace for functions; the chart's functionNamespace. */
  namespace?: string;
  timeoutMs?: number;
}

export class GatewayClient {
  private readonly base: string;
  private readonly authorization: string;
  private readonly namespace: string | undefined;

  constructor(private readonly options: GatewayClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.authorization = `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`;
    this.namespace = options.namespace;
  }

  /** Never show the password, even if someone logs the client. */
  toJSON(): Record<string, unknown> {
    return { url: this.base, user: this.options.credentials.user, namespace: this.namespace };
  }

  info(): Promise<GatewayInfo> {
    return this.json<GatewayInfo>('GET', '/system/info');
  }

  list(): Promise<FunctionStatus[]> {
    return this.json<FunctionStatus[]>('GET', `/system/functions${this.query()}`);
  }

  get(name: string): Promise<FunctionStatus> {
    return this.json<FunctionStatus>('GET', `/system/function/${encodeURIComponent(name)}${this.query()}`);
  }

  async deploy(spec: FunctionDeployment): Promise<void> {
    await this.send('POST', '/system/functions', this.checked(spec), `deploying function ${spec.service}`);
  }

  async update(spec: FunctionDeployment): Promise<void> {
    await this.send('PUT', '/system/functions', this.checked(spec), `updating function ${spec.service}`);
  }

  /** Deploys, or updates when the function already exists. */
  async apply(spec: FunctionDeployment): Promise<void> {
    const exists = (await this.list()).some((f) => f.name === spec.service);
    await (exists ? this.update(spec) : this.deploy(spec));
  }

  async remove(name: string): Promise<void> {
    const status = await this.request('DELETE', '/system/functions', { functionName: name, ...(this.namespace ? { namespace: this.namespace } : {}) });
    if (status.status === 404) return;
    this.ensure(status, `deleting function ${name}`);
  }

  async scale(name: string, replicas: number): Promise<void> {
    const body = { serviceName: name, replicas, ...(this.namespace ? { namespace: this.namespace } : {}) };
    await this.send('POST', `/system/scale-function/${encodeURIComponent(name)}`, body, `scaling function ${name}`);
  }

  /** Polls until every named function has all its replicas available. */
  async waitReady(names: readonly string[], timeoutMs: number, pollMs = 1_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let pending: string[] = [...names];
    while (Date.now() < deadline) {
      const functions = await this.list();
      pending = names.filter((n) => {
        const f = functions.find((x) => x.name === n);
        return !f || f.replicas < 1 || f.availableReplicas < f.replicas;
      });
      if (pending.length === 0) return;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    throw deployError(`OpenFaaS functions not ready after ${Math.round(timeoutMs / 1000)} s: ${pending.join(', ')}; see \`kubectl -n openfaas-fn get pods\``);
  }

  private checked(spec: FunctionDeployment): FunctionDeployment {
    const min = spec.labels?.[SCALE_MIN_LABEL];
    const max = spec.labels?.[SCALE_MAX_LABEL];
    // Benchmarks compare fixed replica counts, as in the paper: refuse anything that could autoscale.
    if (min === undefined || min !== max) {
      throw new Error(`function ${spec.service} must set ${SCALE_MIN_LABEL} = ${SCALE_MAX_LABEL} (use withFixedScale)`);
    }
    return this.namespace && !spec.namespace ? { ...spec, namespace: this.namespace } : spec;
  }

  private query(): string {
    return this.namespace ? `?namespace=${encodeURIComponent(this.namespace)}` : '';
  }

  private async json<T>(method: string, path: string): Promise<T> {
    const response = await this.request(method, path);
    this.ensure(response, `${method} ${path.split('?')[0]}`);
    try {
      return JSON.parse(response.body) as T;
    } catch {
      throw deployError(`the OpenFaaS gateway answered ${method} ${path.split('?')[0]} with something that is not JSON`);
    }
  }

  private async send(method: string, path: string, body: unknown, what: string): Promise<void> {
    this.ensure(await this.request(method, path, body), what);
  }

  private ensure(response: { status: number; body: string }, what: string): void {
    if (response.status === 401) {
      throw environmentError(`the OpenFaaS gateway at ${this.base} rejected the credentials; read them again from the basic-auth secret in the openfaas namespace`);
    }
    if (response.status < 200 || response.status >= 300) {
      const detail = response.body.trim().split('\n')[0]?.slice(0, 200) ?? '';
      throw deployError(`${what} failed: the OpenFaaS gateway answered ${response.status}${detail ? ` (${detail})` : ''}`);
    }
  }

  private async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: this.authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw environmentError(`cannot reach the OpenFaaS gateway at ${this.base} (${cause}); is OpenFaaS installed and the gateway NodePort open?`, error);
    }
    return { status: response.status, body: await response.text() };
  }
}
