/**
 * REST client for the OpenFaaS gateway's system API (the faas-provider contract): deploy,
 * update, delete, list and scale functions, read /system/info. Basic auth with the password
 * from the `basic-auth` secret, which this client holds in memory only and never prints.
 * Autoscaling is off for benchmark functions: min and max scale labels are always equal.
 */
import { deployError, environmentError } from '../errors.ts';
import { sleep } from '../timers.ts';

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
  /**
   * Node selectors in the contract. OpenFaaS CE ignores them: faas-netes 0.18.16 writes an
   * empty NodeSelector on deploy and update (pkg/handlers/deploy.go L203, update.go L122), so
   * fogbench never sends them and records where the scheduler really put each replica.
   */
  constraints?: string[];
  secrets?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  limits?: FunctionResources;
  requests?: FunctionResources;
  readOnlyRootFilesystem?: boolean;
}

/**
 * faas-provider types.FunctionStatus: what GET /system/functions returns (the spec, named
 * `name`). invocationCount, replicas and availableReplicas are `omitempty` (faas-provider
 * v0.25.8 types/function_status.go L53-60, vendored by faas-netes 0.18.16): at 0 they are
 * absent, so a missing availableReplicas means none is available.
 */
export interface FunctionStatus extends Omit<FunctionDeployment, 'service'> {
  name: string;
  invocationCount?: number;
  replicas?: number;
  availableReplicas?: number;
  createdAt?: string;
}

/** OpenFaaS CE's caps (faas-netes 0.18.16 pkg/handlers/replica_reader.go L25, L29). */
export const CE_MAX_REPLICAS = 5;
export const CE_MAX_FUNCTIONS = 15;

/** Replicas a function is meant to run: its fixed scale, else what the provider reports, else 1. */
export function desiredReplicas(f: Pick<FunctionStatus, 'labels' | 'replicas'>): number {
  const fixed = Number(f.labels?.[SCALE_MIN_LABEL]);
  if (Number.isInteger(fixed) && fixed > 0) return fixed;
  return f.replicas && f.replicas > 0 ? f.replicas : 1;
}

/** True when every wanted replica is available; a missing availableReplicas is 0 (omitempty). */
export function functionReady(f: FunctionStatus): boolean {
  return (f.availableReplicas ?? 0) >= desiredReplicas(f);
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

  /** Polls until every named function has all its wanted replicas (its fixed scale) available. */
  async waitReady(names: readonly string[], timeoutMs: number, pollMs = 1_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let pending: string[] = [...names];
    for (;;) {
      const functions = await this.list();
      pending = names.filter((n) => {
        const f = functions.find((x) => x.name === n);
        return !f || !functionReady(f);
      });
      if (pending.length === 0) return;
      if (Date.now() >= deadline) break;
      await sleep(pollMs);
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
