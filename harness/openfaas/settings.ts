/**
 * How the official chart and the official Node template configure OpenFaaS, as fogbench runs
 * it on the fog target. Each value names where it comes from (repository@ref:path), so a
 * reader can check it; docs/openfaas.md has the same table. Times are in seconds where the
 * chart writes seconds.
 *
 * Refs: chart 14.2.124 = openfaas/faas-netes@8278f594 (chart/openfaas), faas-netes 0.18.16
 * (the provider image that chart pins), openfaas/templates@69ca16ae template/node20.
 */
import type { HttpProbe, Probes } from '../targets/target.ts';

/** The chart version clusters/sizes.yaml pins for the kube target; the fog target mirrors its settings. */
export const CHART_VERSION = '14.2.124';
/** Gateway image that chart pins (values.yaml gateway.image); fog runs commit 1ab3f32 instead. */
export const CHART_GATEWAY_IMAGE = 'ghcr.io/openfaas/gateway:0.27.13';
export const FUNCTION_NAMESPACE = 'openfaas-fn';

/** The gateway container's env (templates/gateway-dep.yaml, values.yaml gateway.*). */
export const GATEWAY = {
  port: 8080,
  /** Fixed in the gateway's main.go: /metrics on 8082. */
  metricsPort: 8082,
  readTimeoutSeconds: 65, // gateway.readTimeout "1m05s"
  writeTimeoutSeconds: 65, // gateway.writeTimeout "1m05s"
  upstreamTimeoutSeconds: 60, // gateway.upstreamTimeout "1m": kept under read/write, as the chart says
  scaleFromZero: true, // gateway.scaleFromZero
  maxIdleConns: 1024, // gateway.maxIdleConns
  maxIdleConnsPerHost: 1024, // gateway.maxIdleConnsPerHost
  /** The chart points the gateway at the provider beside it in the same pod. */
  providerUrl: 'http://127.0.0.1:8081/',
} as const;

/** The faas-netes container: port 8081, timeouts fall back to the gateway's (gateway-dep.yaml L2-3, L401-406). */
export const PROVIDER = {
  port: 8081,
  readTimeoutSeconds: 65,
  writeTimeoutSeconds: 65,
} as const;

const probe = (path: string, port: number, p: Omit<HttpProbe, 'path' | 'port'>): HttpProbe => ({ path, port, ...p });

/** values.yaml gateway.readinessProbe / livenessProbe: httpGet /healthz :8080, 1 s delay, every 5 s, 5 s timeout, 3 failures. */
export const GATEWAY_PROBES: Probes = {
  readiness: probe('/healthz', 8080, { initialDelaySeconds: 1, periodSeconds: 5, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 3 }),
  liveness: probe('/healthz', 8080, { initialDelaySeconds: 1, periodSeconds: 5, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 3 }),
};

/** The faas-netes container has a liveness probe only (values.yaml operator.livenessProbe, used by the CE container). */
export const PROVIDER_PROBES: Probes = {
  liveness: probe('/healthz', 8081, { initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 3, successThreshold: 1, failureThreshold: 3 }),
};

/**
 * Function pods: faas-netes 0.18.16 hard-codes its probes (main.go L104-118, pkg/k8s/probes.go):
 * httpGet /_/health :8080, 2 s delay, every 2 s, 1 s timeout, 3 failures, for readiness and
 * liveness alike; the chart's functions.readinessProbe values are not read by CE.
 */
export const FUNCTION_PROBES: Probes = {
  readiness: probe('/_/health', 8080, { initialDelaySeconds: 2, periodSeconds: 2, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 }),
  liveness: probe('/_/health', 8080, { initialDelaySeconds: 2, periodSeconds: 2, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 }),
};

/** The official node20 template's Dockerfile ENV (L50-58) for of-watchdog in http mode. */
export const NODE_TEMPLATE = {
  mode: 'http',
  upstreamPort: 3000,
  execTimeoutSeconds: 10,
  readTimeoutSeconds: 15,
  writeTimeoutSeconds: 15,
  prefixLogs: false,
} as const;

/** The of-watchdog release that binaries/pins.json pins by pseudo-version; images use the same tag. */
export const WATCHDOG_RELEASE = '0.11.6';

/** The watchdog listens on 8080 (its `port` default) and binds metrics on 8081, always. */
export const WATCHDOG_PORT = 8080;

export interface OpenFaaSTimeouts {
  /** Gateway upstream_timeout; its read/write stay 5 s above, as the chart keeps them. */
  gatewaySeconds: number;
  /** of-watchdog exec_timeout; its read/write stay 5 s above, as the template keeps them. */
  functionSeconds: number;
}

export const DEFAULT_TIMEOUTS: OpenFaaSTimeouts = {
  gatewaySeconds: GATEWAY.upstreamTimeoutSeconds,
  functionSeconds: NODE_TEMPLATE.execTimeoutSeconds,
};

/** Go duration text for env values ("65s"). */
export const goSeconds = (seconds: number): string => `${Math.round(seconds * 1000) / 1000}s`;

/**
 * The chart values fogbench sets on a cluster (harness/openfaas/helm.ts), each a key of the
 * pinned chart's values.yaml (faas-netes@8278f594 chart/openfaas/values.yaml, line given).
 * helm accepts any `--set` path silently, so a key that is not here would be a setting that
 * does nothing. There is no `faasnetes.imagePullPolicy`: the faasnetes block has only image and
 * resources (L211-216).
 */
export const CHART_VALUE_KEYS: Readonly<Record<string, string>> = {
  functionNamespace: 'values.yaml#L4',
  serviceType: 'values.yaml#L33',
  async: 'values.yaml#L34',
  generateBasicAuth: 'values.yaml#L27',
  openfaasImagePullPolicy: 'values.yaml#L41',
  'functions.imagePullPolicy': 'values.yaml#L51 (read into faas-netes env image_pull_policy, gateway-dep.yaml#L408, which CE does not read)',
  'gateway.nodePort': 'values.yaml#L78',
  nodeSelector: 'values.yaml#L498 (every core Deployment: gateway-dep.yaml#L491)',
  tolerations: 'values.yaml#L500 (every core Deployment: gateway-dep.yaml#L499)',
};

/**
 * How OpenFaaS CE (faas-netes 0.18.16) treats function Deployments, whatever the chart says:
 * what fogbench's kube target must provide for functions to start at all.
 */
export const CE_FUNCTION_FACTS = {
  /** pkg/handlers/deploy.go L217 and update.go L116: every start asks the registry. */
  imagePullPolicy: 'Always',
  /** pkg/handlers/validate.go isAnonymous, called from deploy.go L76 and update.go L109: 400 otherwise. */
  imageMustExistAnonymously: true,
  /** deploy.go L203 and update.go L122: constraints are dropped. */
  nodeSelector: 'always empty',
  /** Pods carry the label faas_function=<name> (deploy.go makeDeploymentSpec). */
  podLabel: 'faas_function',
} as const;
