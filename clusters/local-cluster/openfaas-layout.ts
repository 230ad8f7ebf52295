/**
 * OpenFaaS on a local cluster, laid out as the official chart (14.2.124) lays it out, with the
 * programs this host can build: in namespace openfaas, the gateway pod holding the real gateway
 * (the pinned MIT build fog runs) and, where the chart puts faas-netes, fogbench's provider in
 * Kubernetes mode (harness/openfaas/provider, FOGBENCH_PROVIDER_KUBERNETES=true: functions as
 * Deployments and Services shaped as CE shapes them, ready replicas from EndpointSlices);
 * Prometheus and alertmanager as the chart configures them; the `gateway` Service and the
 * `gateway-external` NodePort; the generated `basic-auth` Secret. Functions go to openfaas-fn.
 * Settings are the chart's values (harness/openfaas/settings.ts says where each comes from);
 * the layout ConfigMap says plainly which provider runs, for the run manifest.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { ALERT_RULES } from '../../harness/openfaas/fog/companions.ts';
import { gatewayEnv } from '../../harness/openfaas/fog/fog-plan.ts';
import { FUNCTION_NAMESPACE, GATEWAY_NODE_PORT, LAYOUT_CONFIGMAP, OPENFAAS_NAMESPACE } from '../../harness/openfaas/helm.ts';
import { DEFAULT_TIMEOUTS, GATEWAY, GATEWAY_PROBES, goSeconds, PROVIDER, PROVIDER_PROBES } from '../../harness/openfaas/settings.ts';
import type { HttpProbe } from '../../harness/targets/target.ts';
import { CORE_TOLERATION } from '../registry.ts';
import { ROLE_LABEL } from '../../harness/targets/kube/nodes.ts';

const SECRETS = '/var/secrets';
const MANAGED = { 'app.kubernetes.io/managed-by': 'fogbench' };
const onCore = { nodeSelector: { [ROLE_LABEL]: 'core' }, tolerations: [{ ...CORE_TOLERATION }] };

export interface OpenFaaSImages {
  gateway: string;
  provider: string;
  prometheus: string;
  alertmanager: string;
}

export interface LayoutFacts {
  images: OpenFaaSImages;
  /** Generated here, kept only in the Secret. */
  password: string;
  /** One line per program: what it is and where it comes from. */
  provenance: Record<string, string>;
}

const probe = (p: HttpProbe) => ({
  httpGet: { path: p.path, port: p.port },
  initialDelaySeconds: p.initialDelaySeconds,
  periodSeconds: p.periodSeconds,
  timeoutSeconds: p.timeoutSeconds,
  successThreshold: p.successThreshold,
  failureThreshold: p.failureThreshold,
});

const env = (values: Record<string, string>) => Object.entries(values).map(([name, value]) => ({ name, value }));

export function openfaasObjects(facts: LayoutFacts): KubernetesObject[] {
  const namespace = OPENFAAS_NAMESPACE;
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { role: 'openfaas-system', ...MANAGED } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: FUNCTION_NAMESPACE, labels: { role: 'openfaas-fn', ...MANAGED } } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: LAYOUT_CONFIGMAP, namespace, labels: MANAGED },
      data: { provider: 'fogbench-kube-provider', ...facts.provenance },
    } as KubernetesObject,
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'basic-auth', namespace, labels: MANAGED },
      type: 'Opaque',
      stringData: { 'basic-auth-user': 'admin', 'basic-auth-password': facts.password },
    } as KubernetesObject,
    ...providerRbac(),
    gatewayDeployment(facts.images),
    service('gateway', namespace, { app: 'gateway' }, [{ name: 'http', port: GATEWAY.port, targetPort: GATEWAY.port }]),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'gateway-external', namespace, labels: { app: 'gateway', ...MANAGED } },
      spec: { type: 'NodePort', selector: { app: 'gateway' }, ports: [{ name: 'http', port: GATEWAY.port, targetPort: GATEWAY.port, nodePort: GATEWAY_NODE_PORT, protocol: 'TCP' }] },
    } as KubernetesObject,
    ...prometheus(facts.images.prometheus),
    ...alertmanager(facts.images.alertmanager),
  ];
}

function service(name: string, namespace: string, selector: Record<string, string>, ports: { name: string; port: number; targetPort: number }[]): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: { app: name, ...MANAGED } },
    spec: { type: 'ClusterIP', selector, ports: ports.map((p) => ({ ...p, protocol: 'TCP' })) },
  } as KubernetesObject;
}

/** What faas-netes may do in the function namespace, for fogbench's provider in its place. */
function providerRbac(): KubernetesObject[] {
  const name = 'openfaas-controller';
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: OPENFAAS_NAMESPACE, labels: MANAGED } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace: FUNCTION_NAMESPACE, labels: MANAGED },
      rules: [
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
        { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      ],
    } as KubernetesObject,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace: FUNCTION_NAMESPACE, labels: MANAGED },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: OPENFAAS_NAMESPACE }],
    } as KubernetesObject,
  ];
}

function gatewayDeployment(images: OpenFaaSImages): KubernetesObject {
  const providerReadWrite = goSeconds(DEFAULT_TIMEOUTS.gatewaySeconds + (PROVIDER.readTimeoutSeconds - GATEWAY.upstreamTimeoutSeconds));
  const auth = { name: 'auth', mountPath: SECRETS, readOnly: true };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'gateway', namespace: OPENFAAS_NAMESPACE, labels: { app: 'gateway', ...MANAGED } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'gateway' } },
      template: {
        // The chart's annotations: Prometheus scrapes the gateway's metrics port.
        metadata: { labels: { app: 'gateway' }, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(GATEWAY.metricsPort) } },
        spec: {
          ...onCore,
          serviceAccountName: 'openfaas-controller',
          volumes: [{ name: 'auth', secret: { secretName: 'basic-auth' } }],
          containers: [
            {
              name: 'gateway',
              image: images.gateway,
              imagePullPolicy: 'IfNotPresent',
              env: env({
                ...gatewayEnv({ secretDir: SECRETS, timeouts: DEFAULT_TIMEOUTS }),
                direct_functions: 'false',
                direct_functions_suffix: `${FUNCTION_NAMESPACE}.svc.cluster.local`,
                probe_functions: 'false',
              }),
              ports: [
                { name: 'http', containerPort: GATEWAY.port, protocol: 'TCP' },
                { name: 'gw-metrics', containerPort: GATEWAY.metricsPort, protocol: 'TCP' },
              ],
              readinessProbe: probe(GATEWAY_PROBES.readiness!),
              livenessProbe: probe(GATEWAY_PROBES.liveness!),
              resources: { requests: { cpu: '100m', memory: '120Mi' } },
              volumeMounts: [auth],
            },
            {
              // Where the chart runs faas-netes.
              name: 'provider',
              image: images.provider,
              imagePullPolicy: 'IfNotPresent',
              env: env({
                FOGBENCH_PROVIDER_KUBERNETES: 'true',
                port: String(PROVIDER.port),
                function_namespace: FUNCTION_NAMESPACE,
                read_timeout: providerReadWrite,
                write_timeout: providerReadWrite,
                basic_auth: 'true',
                secret_mount_path: `${SECRETS}/`,
              }),
              ports: [{ name: 'provider', containerPort: PROVIDER.port, protocol: 'TCP' }],
              livenessProbe: probe(PROVIDER_PROBES.liveness!),
              resources: { requests: { cpu: '100m', memory: '120Mi' } },
              volumeMounts: [auth],
            },
          ],
        },
      },
    },
  } as KubernetesObject;
}

function prometheusConfig(): Record<string, string> {
  const config = {
    global: { scrape_interval: '15s', evaluation_interval: '15s', external_labels: { monitor: 'faas-monitor' } },
    rule_files: ['alert.rules.yml'],
    alerting: { alertmanagers: [{ static_configs: [{ targets: ['alertmanager:9093'] }] }] },
    scrape_configs: [
      { job_name: 'prometheus', scrape_interval: '10s', static_configs: [{ targets: ['localhost:9090'] }] },
      {
        job_name: 'openfaas-pods',
        scrape_interval: '5s',
        kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [OPENFAAS_NAMESPACE] } }],
        relabel_configs: [
          { action: 'labelmap', regex: '__meta_kubernetes_pod_label_(.+)' },
          { source_labels: ['__meta_kubernetes_namespace'], action: 'replace', target_label: 'kubernetes_namespace' },
          { source_labels: ['__meta_kubernetes_pod_name'], action: 'replace', target_label: 'kubernetes_pod_name' },
          { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], action: 'keep', regex: 'true' },
          { source_labels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'], action: 'replace', regex: '([^:]+)(?::\\d+)?;(\\d+)', replacement: '$1:$2', target_label: '__address__' },
        ],
      },
    ],
  };
  // The chart's one rule (it drives autoscaling, which fogbench's fixed scale makes a no-op), as on fog.
  return { 'prometheus.yml': stringify(config), 'alert.rules.yml': stringify(ALERT_RULES) };
}

function prometheus(image: string): KubernetesObject[] {
  const name = 'openfaas-prometheus';
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: OPENFAAS_NAMESPACE, labels: MANAGED } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace: OPENFAAS_NAMESPACE, labels: MANAGED },
      rules: [{ apiGroups: [''], resources: ['services', 'endpoints', 'pods'], verbs: ['get', 'list', 'watch'] }],
    } as KubernetesObject,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace: OPENFAAS_NAMESPACE, labels: MANAGED },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: OPENFAAS_NAMESPACE }],
    } as KubernetesObject,
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'prometheus-config', namespace: OPENFAAS_NAMESPACE, labels: MANAGED }, data: prometheusConfig() } as KubernetesObject,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'prometheus', namespace: OPENFAAS_NAMESPACE, labels: { app: 'prometheus', ...MANAGED } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'prometheus' } },
        template: {
          metadata: { labels: { app: 'prometheus' } },
          spec: {
            ...onCore,
            serviceAccountName: name,
            containers: [
              {
                name: 'prometheus',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', '--storage.tsdb.retention.time=15d'],
                ports: [{ containerPort: 9090, protocol: 'TCP' }],
                readinessProbe: { httpGet: { path: '/-/healthy', port: 9090 }, timeoutSeconds: 30 },
                livenessProbe: { httpGet: { path: '/-/healthy', port: 9090 }, timeoutSeconds: 30 },
                resources: { requests: { cpu: '100m', memory: '512Mi' } },
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/prometheus' },
                  { name: 'data', mountPath: '/prometheus' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: 'prometheus-config' } },
              { name: 'data', emptyDir: {} },
            ],
          },
        },
      },
    } as KubernetesObject,
    service('prometheus', OPENFAAS_NAMESPACE, { app: 'prometheus' }, [{ name: 'http', port: 9090, targetPort: 9090 }]),
  ];
}

function alertmanager(image: string): KubernetesObject[] {
  const config = {
    route: { group_by: ['alertname', 'cluster', 'service'], group_wait: '5s', group_interval: '10s', repeat_interval: '30s', receiver: 'scale-up', routes: [{ match: { service: 'gateway', receiver: 'scale-up', severity: 'major' } }] },
    inhibit_rules: [{ source_match: { severity: 'critical' }, target_match: { severity: 'warning' }, equal: ['alertname', 'cluster', 'service'] }],
    receivers: [
      {
        name: 'scale-up',
        webhook_configs: [{ url: `http://gateway.${OPENFAAS_NAMESPACE}:8080/system/alert`, send_resolved: true, http_config: { basic_auth: { username: 'admin', password_file: `${SECRETS}/basic-auth-password` } } }],
      },
    ],
  };
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'alertmanager-config', namespace: OPENFAAS_NAMESPACE, labels: MANAGED }, data: { 'alertmanager.yml': stringify(config) } } as KubernetesObject,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'alertmanager', namespace: OPENFAAS_NAMESPACE, labels: { app: 'alertmanager', ...MANAGED } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'alertmanager' } },
        template: {
          metadata: { labels: { app: 'alertmanager' } },
          spec: {
            ...onCore,
            containers: [
              {
                name: 'alertmanager',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: ['--config.file=/alertmanager.yml', '--storage.path=/alertmanager', '--cluster.listen-address='],
                ports: [{ name: 'http', containerPort: 9093, protocol: 'TCP' }],
                readinessProbe: { httpGet: { path: '/-/ready', port: 9093 }, timeoutSeconds: 30 },
                livenessProbe: { httpGet: { path: '/-/ready', port: 9093 }, timeoutSeconds: 30 },
                resources: { requests: { cpu: '50m', memory: '25Mi' }, limits: { memory: '50Mi' } },
                volumeMounts: [
                  { name: 'config', mountPath: '/alertmanager.yml', subPath: 'alertmanager.yml' },
                  { name: 'auth', mountPath: SECRETS, readOnly: true },
                  { name: 'data', mountPath: '/alertmanager' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: 'alertmanager-config' } },
              { name: 'auth', secret: { secretName: 'basic-auth' } },
              { name: 'data', emptyDir: {} },
            ],
          },
        },
      },
    } as KubernetesObject,
    service('alertmanager', OPENFAAS_NAMESPACE, { app: 'alertmanager' }, [{ name: 'http', port: 9093, targetPort: 9093 }]),
  ];
}
