/**
 * Loading a kubeconfig and proving the API server answers, with one-line errors for the
 * usual ways this goes wrong: no file, bad YAML, unknown context, server unreachable,
 * credentials expired or rejected.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { environmentError, usageError } from '../../errors.ts';
import { checkInputFileSync } from '../../safe-fs.ts';

export function loadKubeconfig(options: { kubeconfig?: string; context?: string }): KubeConfig {
  const kc = new KubeConfig();
  const source = options.kubeconfig ?? 'the default kubeconfig (KUBECONFIG or ~/.kube/config)';
  if (options.kubeconfig) checkInputFileSync(options.kubeconfig, 'kubeconfig');
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    throw usageError(`cannot load ${source}: ${message}; pass --kubeconfig FILE (\`npm run cluster -- status\` prints it for a fogbench cluster)`, error);
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
      throw usageError(`context "${options.context}" is not in ${source} (it has: ${known}); fix --context`);
    }
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw usageError(`${source} has no current context with a cluster server; pass --context or fix the file`);
  // client-node falls back to http://localhost:8080 when it finds no kubeconfig at all.
  if (!options.kubeconfig && kc.getCurrentContext() === 'loaded-context' && cluster.server === 'http://localhost:8080') {
    throw usageError('no kubeconfig found (KUBECONFIG unset, no ~/.kube/config): pass --kubeconfig FILE');
  }
  return kc;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with the kubeconfig's credentials and a hard timeout (client-node has none). */
export async function kubeRequest(kc: KubeConfig, path: string, options: { method?: string; timeoutMs?: number; body?: string; contentType?: string } = {}): Promise<RawResponse> {
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/json';
    headers['content-length'] = String(Buffer.byteLength(options.body));
  }
  const requestOptions: RequestOptions = {
    method: options.method ?? 'GET',
    hostname: server.hostname.replace(/^\[|\]$/g, ''),
    port: server.port || (server.protocol === 'https:' ? 443 : 80),
    path: `${server.pathname.replace(/\/$/, '')}${path}`,
    headers,
  };
  await kc.applyToHTTPSOptions(requestOptions);
  const send = server.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(requestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** GET /version; returns the server's gitVersion or throws a FogbenchError saying what to do. */
export async function probeApiServer(kc: KubeConfig, timeoutMs = 10_000): Promise<string> {
  const server = kc.getCurrentCluster()?.server ?? '?';
  let response: RawResponse;
  try {
    response = await kubeRequest(kc, '/version', { timeoutMs });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
      throw environmentError(`the API server at ${server} has a certificate the kubeconfig does not trust (${code}); fetch a fresh kubeconfig`, error);
    }
    throw environmentError(`cannot reach the API server at ${server} (${code || (error as Error).message}); is the cluster up? (\`npm run cluster -- status\`)`, error);
  }
  return checkAuthorised(response, server, '/version', (body) => String((JSON.parse(body) as { gitVersion?: string }).gitVersion ?? 'unknown'));
}

function checkAuthorised<T>(response: RawResponse, server: string, path: string, read: (body: string) => T): T {
  if (response.status === 401) {
    throw environmentError(`the API server at ${server} rejected the kubeconfig's credentials (expired or invalid); fetch a fresh kubeconfig`);
  }
  if (response.status === 403) {
    throw environmentError(`the kubeconfig's user may not use the API server at ${server} (403); use a context with cluster-admin rights`);
  }
  if (response.status < 200 || response.status >= 300) {
    throw environmentError(`the API server at ${server} answered ${response.status} to GET ${path}; is it a Kubernetes API server?`);
  }
  try {
    return read(response.body);
  } catch {
    throw environmentError(`the API server at ${server} answered GET ${path} with something that is not JSON`);
  }
}

/** GET /api/v1/nodes checks authentication too (some servers allow /version anonymously). */
export async function probeCredentials(kc: KubeConfig, timeoutMs = 10_000): Promise<void> {
  const server = kc.getCurrentCluster()?.server ?? '?';
  const response = await kubeRequest(kc, '/api/v1/nodes?limit=1', { timeoutMs }).catch((error: unknown) => {
    throw environmentError(`cannot reach the API server at ${server}: ${(error as Error).message}`, error);
  });
  checkAuthorised(response, server, '/api/v1/nodes', () => undefined);
}
