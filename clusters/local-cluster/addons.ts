/**
 * What a local cluster runs besides the nodes, as K3s ships it on its server: cluster DNS
 * (CoreDNS), metrics-server behind the aggregation layer (the kube target's pod samples), the
 * RBAC that lets the API server use the kubelets' API (logs, exec), and the ConfigMap that
 * tells the kube target where the cluster's registry is (clusters/registry.ts). CoreDNS and
 * metrics-server run on the core node, tolerating its taint, with images packed here from the
 * binaries built from source. Pure objects: `up` applies them, tests read them.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { CORE_TOLERATION, REGISTRY_CONFIGMAP, REGISTRY_NAMESPACE } from '../registry.ts';
import { ROLE_LABEL } from '../../harness/targets/kube/nodes.ts';
import { APISERVER_KUBELET_CLIENT } from './pki.ts';
import type { LocalClusterPlan } from './plan.ts';

const SYSTEM = 'kube-system';
const MANAGED = { 'app.kubernetes.io/managed-by': 'fogbench' };
const onCore = { nodeSelector: { [ROLE_LABEL]: 'core' }, tolerations: [{ ...CORE_TOLERATION }], priorityClassName: 'system-cluster-critical' };
const SA_CA = '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';

export const COREFILE = `.:53 {
    errors
    health :8080
    ready :8181
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    loadbalance
    cache 30
}
`;

export interface AddonImages {
  coredns: string;
  metricsServer: string;
}

export function addonObjects(plan: LocalClusterPlan, images: AddonImages, registryNote: string): KubernetesObject[] {
  return [
    // The API server reaches kubelets (logs, exec, metrics) as this user; kubelets ask it whether it may.
    clusterRoleBinding('fogbench:apiserver-kubelet-api-admin', 'system:kubelet-api-admin', { kind: 'User', name: APISERVER_KUBELET_CLIENT, apiGroup: 'rbac.authorization.k8s.io' }),
    ...coreDns(plan, images.coredns),
    ...metricsServer(images.metricsServer),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: REGISTRY_NAMESPACE, labels: MANAGED } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: REGISTRY_CONFIGMAP, namespace: REGISTRY_NAMESPACE, labels: MANAGED },
      data: { address: plan.registry, image: registryNote },
    } as KubernetesObject,
  ];
}

function serviceAccount(name: string): KubernetesObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: SYSTEM, labels: MANAGED } };
}

function clusterRoleBinding(name: string, role: string, subject: Record<string, string>): KubernetesObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: MANAGED },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [subject],
  } as KubernetesObject;
}

const saSubject = (name: string) => ({ kind: 'ServiceAccount', name, namespace: SYSTEM });

function coreDns(plan: LocalClusterPlan, image: string): KubernetesObject[] {
  const labels = { 'k8s-app': 'kube-dns', ...MANAGED };
  return [
    serviceAccount('coredns'),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'fogbench:coredns', labels: MANAGED },
      rules: [
        { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    } as KubernetesObject,
    clusterRoleBinding('fogbench:coredns', 'fogbench:coredns', saSubject('coredns')),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: SYSTEM, labels: MANAGED }, data: { Corefile: COREFILE } } as KubernetesObject,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: SYSTEM, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        template: {
          metadata: { labels },
          spec: {
            ...onCore,
            serviceAccountName: 'coredns',
            dnsPolicy: 'Default',
            containers: [
              {
                name: 'coredns',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: ['-conf', '/etc/coredns/Corefile'],
                ports: [
                  { name: 'dns', containerPort: 53, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                ],
                readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
                livenessProbe: { httpGet: { path: '/health', port: 8080 }, periodSeconds: 10, failureThreshold: 5 },
                resources: { requests: { cpu: '10m', memory: '24Mi' }, limits: { memory: '128Mi' } },
                volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
          },
        },
      },
    } as KubernetesObject,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: SYSTEM, labels },
      spec: {
        clusterIP: plan.dnsServiceIp,
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        ],
      },
    } as KubernetesObject,
  ];
}

function metricsServer(image: string): KubernetesObject[] {
  const labels = { 'k8s-app': 'metrics-server', ...MANAGED };
  return [
    serviceAccount('metrics-server'),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'fogbench:metrics-server', labels: MANAGED },
      rules: [
        { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
      ],
    } as KubernetesObject,
    clusterRoleBinding('fogbench:metrics-server', 'fogbench:metrics-server', saSubject('metrics-server')),
    clusterRoleBinding('fogbench:metrics-server:auth-delegator', 'system:auth-delegator', saSubject('metrics-server')),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'fogbench:metrics-server-auth-reader', namespace: SYSTEM, labels: MANAGED },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' },
      subjects: [saSubject('metrics-server')],
    } as KubernetesObject,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'metrics-server', namespace: SYSTEM, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'k8s-app': 'metrics-server' } },
        template: {
          metadata: { labels },
          spec: {
            ...onCore,
            serviceAccountName: 'metrics-server',
            containers: [
              {
                name: 'metrics-server',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: [
                  '--cert-dir=/tmp',
                  '--secure-port=10250',
                  '--kubelet-preferred-address-types=InternalIP',
                  '--kubelet-use-node-status-port',
                  // Its shortest: samples come in 10 s windows, a profile of a minute gets six. It
                  // must exceed the kubelet request timeout, which is 10 s unless lowered.
                  '--metric-resolution=10s',
                  '--kubelet-request-timeout=5s',
                  // The kubelets' serving certificates are signed by the cluster CA, which every pod's token volume holds.
                  `--kubelet-certificate-authority=${SA_CA}`,
                ],
                ports: [{ name: 'https', containerPort: 10250, protocol: 'TCP' }],
                readinessProbe: { httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' }, periodSeconds: 5, failureThreshold: 3 },
                livenessProbe: { httpGet: { path: '/livez', port: 'https', scheme: 'HTTPS' }, periodSeconds: 10 },
                resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '192Mi' } },
                securityContext: { runAsNonRoot: true, runAsUser: 1000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: {} }],
          },
        },
      },
    } as KubernetesObject,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'metrics-server', namespace: SYSTEM, labels },
      spec: { selector: { 'k8s-app': 'metrics-server' }, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' }] },
    } as KubernetesObject,
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.metrics.k8s.io', labels },
      spec: {
        service: { name: 'metrics-server', namespace: SYSTEM },
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        // metrics-server serves a certificate it signs itself, as in its own manifests.
        insecureSkipTLSVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    } as KubernetesObject,
  ];
}
