/**
 * The deployment the harness hands our OpenFaaS provider (harness/openfaas/provider): which
 * functions exist and which of their replicas are ready. The provider re-reads the file
 * whenever it changes (it polls every 100 ms), much as faas-netes watches the Kubernetes API
 * for endpoints, so the harness rewrites it each time a replica's readiness changes. The Go
 * side (provider/state.go) refuses unknown fields, so this type is the whole contract.
 */
import { replaceFile } from '../safe-fs.ts';

/** Env var through which the provider learns the state file's path. */
export const PROVIDER_STATE_ENV = 'FOGBENCH_PROVIDER_STATE';

export interface ProviderEndpoint {
  /** The supervised unit (pod) of this replica, e.g. "get-0"; for logs and debugging. */
  unit: string;
  /** The replica pod's IP address (or a host name); the provider proxies to http://address:port. */
  address: string;
  /** of-watchdog's port in the pod (8080). */
  port: number;
  /** Only ready replicas receive calls, and they are the function's availableReplicas. */
  ready: boolean;
}

export interface ProviderFunction {
  name: string;
  image: string;
  envProcess: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  envVars: Record<string, string>;
  /** The fixed replica count of the run; a scale request for any other count is refused. */
  replicas: number;
  endpoints: ProviderEndpoint[];
}

export interface ProviderState {
  /** The one namespace the provider serves, "openfaas-fn" as in the Helm chart. */
  namespace: string;
  functions: ProviderFunction[];
}

/**
 * Replaces `file` atomically (safe-fs.ts replaceFile), mode 0600, so the provider never reads
 * half a file. Callers serialize their writes: of two concurrent ones, the later rename wins.
 */
export async function writeProviderState(file: string, state: ProviderState): Promise<void> {
  await replaceFile(file, `${JSON.stringify(stateJson(state), null, 2)}\n`, 0o600);
}

/** Exactly the contract's fields: an extra property on a caller's object would make the provider refuse the file. */
function stateJson(state: ProviderState): ProviderState {
  return {
    namespace: state.namespace,
    functions: state.functions.map((fn) => ({
      name: fn.name,
      image: fn.image,
      envProcess: fn.envProcess,
      labels: fn.labels,
      annotations: fn.annotations,
      envVars: fn.envVars,
      replicas: fn.replicas,
      endpoints: fn.endpoints.map(({ unit, address, port, ready }) => ({ unit, address, port, ready })),
    })),
  };
}
