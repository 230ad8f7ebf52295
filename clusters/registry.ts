/**
 * The image registry a fogbench cluster serves itself: the `registry` image on the core node,
 * listening on the core node's private address only, which K3s deploys from its manifests
 * folder at start-up. Both systems pull from it:
 *
 * - OpenFaaS CE checks, before deploying a function, that its image exists in a registry,
 *   asking anonymously (faas-netes 0.18.16 pkg/handlers/validate.go isAnonymous: a HEAD of the
 *   manifest with go-containerregistry's authn.Anonymous); an image that only exists in the
 *   nodes' containerd fails with 400. go-containerregistry talks plain HTTP to a registry whose
 *   host is an RFC 1918 address (name/registry.go Scheme/isRFC1918, v0.20.6 as vendored there),
 *   so a private address on port 5000 passes without TLS.
 * - faas-netes then sets imagePullPolicy Always on every function (deploy.go L217, update.go
 *   L116): each pod start asks the registry again. containerd pulls over plain HTTP because
 *   /etc/rancher/k3s/registries.yaml names the registry with an http:// endpoint.
 *
 * The address is also written into a ConfigMap, where the kube target finds it.
 */
import { stringify } from 'yaml';
import { usageError } from '../harness/errors.ts';

/** The Docker distribution registry, pinned (Docker Hub library image). */
export const REGISTRY_IMAGE = 'docker.io/library/registry:2.8.3';
export const REGISTRY_PORT = 5000;
export const REGISTRY_NAMESPACE = 'fogbench-registry';
/** ConfigMap (in REGISTRY_NAMESPACE) whose `address` key is host:port of the cluster's registry. */
export const REGISTRY_CONFIGMAP = 'fogbench-registry';
/** Where K3s picks up manifests to apply at start (server only). */
export const K3S_MANIFESTS_DIR = '/var/lib/rancher/k3s/server/manifests';
export const REGISTRY_MANIFEST_PATH = `${K3S_MANIFESTS_DIR}/fogbench-registry.yaml`;
export const K3S_REGISTRIES_PATH = '/etc/rancher/k3s/registries.yaml';
/** Images live on the core node's disk, so a registry pod restart keeps them. */
export const REGISTRY_DATA_DIR = '/var/lib/fogbench-registry';
/**
 * The taint K3s documents for a server that should run only critical add-ons; K3s's own
 * add-ons (coredns, metrics-server, local-path) tolerate it, so do the OpenFaaS core (chart
 * `tolerations`) and the registry. Function pods, which OpenFaaS CE places without any
 * selector, then land on the agents only.
 */
export const CORE_TAINT = { key: 'CriticalAddonsOnly', value: 'true', effect: 'NoExecute' } as const;
export const CORE_TOLERATION = { key: CORE_TAINT.key, operator: 'Exists' } as const;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** True for 10/8, 172.16/12 and 192.168/16: the ranges go-containerregistry reaches over HTTP. */
export function isPrivateIPv4(address: string): boolean {
  const m = IPV4.exec(address);
  if (!m) return false;
  const [a, b, c, d] = m.slice(1).map(Number) as [number, number, number, number];
  if ([a, b, c, d].some((x) => x > 255)) return false;
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

/** host:port of the cluster registry on the core node; refuses addresses OpenFaaS CE would try over HTTPS. */
export function clusterRegistryAddress(coreIp: string): string {
  if (!isPrivateIPv4(coreIp)) {
    throw usageError(
      `the core node's address ${coreIp} is not a private (RFC 1918) IPv4 address: OpenFaaS CE would check images in a registry there over HTTPS, ` +
        'and the cluster registry speaks plain HTTP; put the core node on a 10/8, 172.16/12 or 192.168/16 network, or pass --registry',
    );
  }
  return `${coreIp}:${REGISTRY_PORT}`;
}

/** /etc/rancher/k3s/registries.yaml for every node: pull from the cluster registry over HTTP. */
export function renderRegistriesYaml(registry: string): string {
  const doc = { mirrors: { [registry]: { endpoint: [`http://${registry}`] } } };
  return `# Written by fogbench: images of both systems come from the cluster's own registry (plain HTTP, private address).\n${stringify(doc)}`;
}

/** The objects K3s applies from its manifests folder: namespace, address ConfigMap, registry Deployment. */
export function registryObjects(registry: string): Record<string, unknown>[] {
  const [host] = registry.split(':') as [string];
  const labels = { 'app.kubernetes.io/name': 'registry', 'app.kubernetes.io/managed-by': 'fogbench' };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: REGISTRY_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'fogbench' } } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: REGISTRY_CONFIGMAP, namespace: REGISTRY_NAMESPACE, labels },
      data: { address: registry, image: REGISTRY_IMAGE },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'registry', namespace: REGISTRY_NAMESPACE, labels },
      spec: {
        replicas: 1,
        // One registry owns the data folder: never two at once during an update.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: { 'app.kubernetes.io/name': 'registry' } },
        template: {
          metadata: { labels },
          spec: {
            // The node's own network: the registry answers on the core node's private address,
            // which pods (faas-netes' check) and every node's containerd (pulls) can reach.
            hostNetwork: true,
            nodeSelector: { 'fogbench.io/role': 'core' },
            tolerations: [CORE_TOLERATION],
            containers: [
              {
                name: 'registry',
                image: REGISTRY_IMAGE,
                env: [
                  { name: 'REGISTRY_HTTP_ADDR', value: `${host}:${REGISTRY_PORT}` },
                  { name: 'REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY', value: '/var/lib/registry' },
                ],
                ports: [{ name: 'registry', containerPort: REGISTRY_PORT, protocol: 'TCP' }],
                readinessProbe: { httpGet: { path: '/v2/', port: REGISTRY_PORT }, periodSeconds: 5 },
                resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '256Mi' } },
                volumeMounts: [{ name: 'data', mountPath: '/var/lib/registry' }],
              },
            ],
            volumes: [{ name: 'data', hostPath: { path: REGISTRY_DATA_DIR, type: 'DirectoryOrCreate' } }],
          },
        },
      },
    },
  ];
}

export function renderRegistryManifest(registry: string): string {
  const header = '# Written by fogbench: the cluster\'s own image registry; K3s applies this file at start.\n';
  return header + registryObjects(registry).map((o) => `---\n${stringify(o)}`).join('');
}
