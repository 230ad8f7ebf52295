/**
 * OpenFaaS on a cluster: the official chart, unmodified, installed with `helm upgrade
 * --install` at a pinned version. Settings that matter for the benchmark are explicit here,
 * each a key of the chart's values.yaml (CHART_VALUE_KEYS in settings.ts, with its line):
 * functions in openfaas-fn, a generated basic-auth password, no NATS queue (async=false) on
 * small nodes, the core components on the core node (and tolerating its taint). Function
 * images are not a chart setting: CE pulls them with policy Always whatever the chart says, so
 * they come from a registry (clusters/registry.ts). The password is read from the
 * `basic-auth` secret when needed and never printed or written anywhere.
 */
import { ApiextensionsV1Api, AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { serverSideApply } from '../targets/kube/apply.ts';
import { deployError, environmentError } from '../errors.ts';
import { firstLine, type CommandRunner } from '../../clusters/run-command.ts';
import { CORE_TOLERATION } from '../../clusters/registry.ts';
import type { GatewayCredentials } from './gateway-client.ts';

export const OPENFAAS_NAMESPACE = 'openfaas';
export const FUNCTION_NAMESPACE = 'openfaas-fn';
export const CHART_REPO = 'https://openfaas.github.io/faas-netes/';
export const RELEASE = 'openfaas';
/** The CRD the chart installs (createCRDs defaults to true); its absence means no chart. */
export const OPENFAAS_CRD = 'profiles.openfaas.com';
/** Marks fogbench's layout of the chart on a local cluster (clusters/local-cluster/openfaas-layout.ts). */
export const LAYOUT_CONFIGMAP = 'fogbench-openfaas-layout';
export const GATEWAY_NODE_PORT = 31112;

export interface HelmInstallOptions {
  chartVersion: string;
  kubeconfig: string;
  context?: string;
  /** fogbench.io/role value of the node the gateway and provider must run on; null: anywhere. */
  coreRole: 'core' | null;
  timeout?: string;
}

export function helmInstallArgs(options: HelmInstallOptions): string[] {
  const args = [
    'upgrade', '--install', RELEASE, 'openfaas',
    '--repo', CHART_REPO,
    '--version', options.chartVersion,
    '--namespace', OPENFAAS_NAMESPACE,
    '--set', `functionNamespace=${FUNCTION_NAMESPACE}`,
    '--set', 'generateBasicAuth=true',
    '--set', 'async=false',
    '--set', 'serviceType=NodePort',
    '--set', `gateway.nodePort=${GATEWAY_NODE_PORT}`,
    // The core images (gateway, faas-netes, prometheus): pulled once per node, the chart's default.
    '--set', 'openfaasImagePullPolicy=IfNotPresent',
  ];
  if (options.coreRole) {
    args.push('--set-string', `nodeSelector.fogbench\\.io/role=${options.coreRole}`);
    // A dedicated K3s server is tainted (clusters/registry.ts CORE_TAINT); the core runs there anyway.
    args.push('--set-string', `tolerations[0].key=${CORE_TOLERATION.key}`, '--set-string', `tolerations[0].operator=${CORE_TOLERATION.operator}`);
  }
  args.push('--wait', '--timeout', options.timeout ?? '10m', '--kubeconfig', options.kubeconfig);
  if (options.context) args.push('--kube-context', options.context);
  return args;
}

/** Creates both namespaces (the chart expects them), runs helm, waits for the gateway. */
export async function installOpenFaaS(kc: KubeConfig, run: CommandRunner, options: HelmInstallOptions): Promise<string> {
  const version = await run('helm', ['version', '--short']);
  if (version.exitCode !== 0) throw environmentError(`helm does not work: ${firstLine(version)}`);
  for (const name of [OPENFAAS_NAMESPACE, FUNCTION_NAMESPACE]) {
    const manifest = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'role': name === OPENFAAS_NAMESPACE ? 'openfaas-system' : 'openfaas-fn', 'app.kubernetes.io/managed-by': 'fogbench' } },
    };
    await serverSideApply(kc, manifest);
  }
  const result = await run('helm', helmInstallArgs(options), { timeoutMs: 15 * 60_000 });
  if (result.exitCode !== 0) {
    throw deployError(`helm could not install OpenFaaS chart ${options.chartVersion}: ${firstLine(result)} (see \`kubectl -n openfaas get pods\`)`);
  }
  return version.stdout.trim();
}

export async function uninstallOpenFaaS(run: CommandRunner, options: { kubeconfig: string; context?: string }): Promise<void> {
  const args = ['uninstall', RELEASE, '--namespace', OPENFAAS_NAMESPACE, '--wait', '--kubeconfig', options.kubeconfig];
  if (options.context) args.push('--kube-context', options.context);
  const result = await run('helm', args, { timeoutMs: 10 * 60_000 });
  if (result.exitCode !== 0 && !/not found/i.test(result.stderr)) throw deployError(`helm uninstall openfaas failed: ${firstLine(result)}`);
}

/** Fails with what to do when the cluster has no OpenFaaS chart (CRD) or no gateway. */
export async function checkOpenFaaSInstalled(kc: KubeConfig): Promise<void> {
  const missing = (error: unknown) => (error as { code?: number }).code === 404;
  try {
    await kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: OPENFAAS_CRD });
  } catch (error) {
    if (!missing(error)) throw error;
    // A local cluster has fogbench's layout of the chart instead, marked by its ConfigMap.
    const layout = await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: LAYOUT_CONFIGMAP, namespace: OPENFAAS_NAMESPACE }).catch(() => null);
    if (!layout) {
      throw deployError(`this cluster has no OpenFaaS (CRD ${OPENFAAS_CRD} missing): install the chart with \`npm run cluster -- openfaas --kubeconfig FILE\``, error);
    }
  }
  let ready = 0;
  try {
    const gateway = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'gateway', namespace: OPENFAAS_NAMESPACE });
    ready = gateway.status?.readyReplicas ?? 0;
  } catch (error) {
    if (missing(error)) throw deployError('the OpenFaaS CRDs exist but there is no gateway Deployment in namespace openfaas: reinstall the chart (`npm run cluster -- openfaas`)', error);
    throw error;
  }
  if (ready < 1) throw deployError('the OpenFaaS gateway has no ready replica; see `kubectl -n openfaas get pods` (faas-netes exits if it cannot reach the internet at start-up)');
}

/**
 * The gateway's URL from outside the cluster: the NodePort of the chart's gateway-external
 * Service on the core node (the gateway is pinned there), or on the first node with an
 * address when no node is labelled core.
 */
export async function gatewayUrl(kc: KubeConfig, nodes: readonly { role: string; address: string | null; ready: boolean }[]): Promise<string> {
  let nodePort: number | undefined;
  try {
    const service = await kc.makeApiClient(CoreV1Api).readNamespacedService({ name: 'gateway-external', namespace: OPENFAAS_NAMESPACE });
    nodePort = service.spec?.ports?.find((p) => p.nodePort)?.nodePort;
  } catch (error) {
    if ((error as { code?: number }).code !== 404) throw error;
  }
  if (!nodePort) throw deployError('the OpenFaaS chart has no gateway-external NodePort Service: reinstall it with `npm run cluster -- openfaas` (serviceType=NodePort)');
  const node = nodes.find((n) => n.role === 'core' && n.ready && n.address) ?? nodes.find((n) => n.ready && n.address);
  if (!node?.address) throw deployError('no Ready node has an address to reach the OpenFaaS gateway NodePort on');
  const host = node.address.includes(':') ? `[${node.address}]` : node.address;
  return `http://${host}:${nodePort}`;
}

/** Reads the generated admin password. Keep the result in memory only. */
export async function readGatewayCredentials(kc: KubeConfig): Promise<GatewayCredentials> {
  let data: Record<string, string> | undefined;
  try {
    data = (await kc.makeApiClient(CoreV1Api).readNamespacedSecret({ name: 'basic-auth', namespace: OPENFAAS_NAMESPACE })).data;
  } catch (error) {
    if ((error as { code?: number }).code === 404) {
      throw deployError('no basic-auth secret in namespace openfaas: install the chart with generateBasicAuth=true (`npm run cluster -- openfaas`)', error);
    }
    throw error;
  }
  const decode = (key: string) => (data?.[key] ? Buffer.from(data[key], 'base64').toString('utf8') : undefined);
  const user = decode('basic-auth-user') ?? 'admin';
  const password = decode('basic-auth-password');
  if (!password) throw deployError('the basic-auth secret in namespace openfaas has no basic-auth-password');
  return { user, password };
}
