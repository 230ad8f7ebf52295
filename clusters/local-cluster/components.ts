/**
 * The configuration of every process of a local cluster, rendered from its plan: pure text and
 * argument lists, so tests read exactly what runs. Settings that differ from a kubeadm or K3s
 * node say why; the ones this host needs (cgroup v1, moved folders, no iptables chains owned by
 * the kubelet) are the ones issue #23 found by running a kubelet here step by step.
 */
import { stringify } from 'yaml';
import { CORE_TAINT } from '../registry.ts';
import { ROLE_LABEL } from '../../harness/targets/kube/nodes.ts';
import { pkiFiles, type ClusterLayout, type NodeLayout } from './layout.ts';
import { APISERVER_KUBELET_CLIENT, FRONT_PROXY_CLIENT } from './pki.ts';
import { CLUSTER_DOMAIN, EVICTION_MEMORY_MIB, type LocalClusterPlan, type LocalNodePlan } from './plan.ts';
import { join } from 'node:path';


/** The sandbox image every node's containerd runs first: fogbench's own, pushed at `up`. */
export const PAUSE_IMAGE_NAME = 'fogbench/pause';

/** The kubelet's kernel tunables (pkg/kubelet/cm setupKernelTunables), shown to it as it wants them. */
export const KUBELET_SYSCTLS: Readonly<Record<string, string>> = {
  'vm/overcommit_memory': '1',
  'vm/panic_on_oom': '0',
  'kernel/panic': '10',
  'kernel/panic_on_oops': '1',
  'kernel/keys/root_maxkeys': '1000000',
  'kernel/keys/root_maxbytes': '25000000',
};

export function pauseImage(plan: Pick<LocalClusterPlan, 'registry'>, tag: string): string {
  return `${plan.registry}/${PAUSE_IMAGE_NAME}:${tag}`;
}

export interface KubeconfigInput {
  cluster: string;
  server: string;
  user: string;
  /** PEM texts, embedded (the admin kubeconfig must work when copied elsewhere). */
  ca: string;
  cert: string;
  key: string;
}

export function renderKubeconfig(input: KubeconfigInput): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: input.cluster, cluster: { server: input.server, 'certificate-authority-data': b64(input.ca) } }],
    users: [{ name: input.user, user: { 'client-certificate-data': b64(input.cert), 'client-key-data': b64(input.key) } }],
    contexts: [{ name: input.cluster, context: { cluster: input.cluster, user: input.user } }],
    'current-context': input.cluster,
  });
}

export function etcdArgs(layout: ClusterLayout, ports: { client: number; peer: number }): string[] {
  const client = `http://127.0.0.1:${ports.client}`;
  const peer = `http://127.0.0.1:${ports.peer}`;
  return [
    '--name', 'fogbench',
    '--data-dir', layout.etcd,
    '--listen-client-urls', client,
    '--advertise-client-urls', client,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `fogbench=${peer}`,
    '--logger', 'zap',
    '--log-level', 'warn',
  ];
}

export function apiServerArgs(plan: LocalClusterPlan, layout: ClusterLayout, etcdClientPort: number): string[] {
  const pki = (name: string) => pkiFiles(layout.pki, name);
  return [
    `--etcd-servers=http://127.0.0.1:${etcdClientPort}`,
    // Only on the fog switch: nodes and the host reach it, nothing outside does.
    `--bind-address=${plan.hostAddress}`,
    `--advertise-address=${plan.hostAddress}`,
    `--secure-port=${new URL(plan.apiServer).port}`,
    `--tls-cert-file=${pki('apiserver').cert}`,
    `--tls-private-key-file=${pki('apiserver').key}`,
    `--client-ca-file=${pki('ca').cert}`,
    `--kubelet-client-certificate=${pki(APISERVER_KUBELET_CLIENT).cert}`,
    `--kubelet-client-key=${pki(APISERVER_KUBELET_CLIENT).key}`,
    `--kubelet-certificate-authority=${pki('ca').cert}`,
    '--kubelet-preferred-address-types=InternalIP',
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    `--service-cluster-ip-range=${plan.serviceCidr}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${join(layout.pki, 'service-account.pub')}`,
    `--service-account-signing-key-file=${join(layout.pki, 'service-account.key')}`,
    // The aggregation layer, for metrics.k8s.io (metrics-server).
    `--requestheader-client-ca-file=${pki('front-proxy-ca').cert}`,
    `--requestheader-allowed-names=${FRONT_PROXY_CLIENT}`,
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${pki(FRONT_PROXY_CLIENT).cert}`,
    `--proxy-client-key-file=${pki(FRONT_PROXY_CLIENT).key}`,
    // The host has no kube-proxy: aggregated APIs are reached at their pods' addresses.
    '--enable-aggregator-routing=true',
    // Streaming lists need etcd's watch progress requests, which Debian's etcd 3.4 lacks
    // (test/targets/kube/control-plane.ts explains the symptom).
    '--feature-gates=WatchList=false',
    '--profiling=false',
    '--v=0',
  ];
}

export function controllerManagerArgs(plan: LocalClusterPlan, layout: ClusterLayout): string[] {
  return [
    `--kubeconfig=${layout.controllerManagerKubeconfig}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    '--secure-port=0',
    `--service-account-private-key-file=${join(layout.pki, 'service-account.key')}`,
    `--root-ca-file=${pkiFiles(layout.pki, 'ca').cert}`,
    '--use-service-account-credentials=true',
    `--service-cluster-ip-range=${plan.serviceCidr}`,
    `--cluster-name=${plan.cluster}`,
    // Pod subnets are fixed per node by the plan (each node's CNI configuration), not allocated.
    '--allocate-node-cidrs=false',
    '--profiling=false',
  ];
}

export function schedulerArgs(layout: ClusterLayout): string[] {
  return [`--kubeconfig=${layout.schedulerKubeconfig}`, '--leader-elect=false', '--bind-address=127.0.0.1', '--secure-port=0', '--profiling=false'];
}

export interface HostFacts {
  cpus: number;
  memoryBytes: number;
}

export function kubeletConfig(plan: LocalClusterPlan, node: LocalNodePlan, files: NodeLayout, layout: ClusterLayout, cgroupRoot: string, reserved: { cpu: string; memory: string } | null): string {
  const serving = pkiFiles(layout.pki, `kubelet-${node.name}-serving`);
  const config = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: node.address,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: 10248,
    tlsCertFile: serving.cert,
    tlsPrivateKeyFile: serving.key,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: pkiFiles(layout.pki, 'ca').cert } },
    authorization: { mode: 'Webhook' },
    containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock',
    // This host has cgroup v1, which kubelets since 1.35 refuse unless told otherwise.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    // Pods inside the node's quota group: they share its CPU and memory as pods share a VM's.
    cgroupRoot,
    cgroupsPerQOS: true,
    enforceNodeAllocatable: ['pods'],
    // Allocatable = the node's quota (the host's CPUs and memory minus the rest), so the
    // scheduler sees the node as big as its quota, as it would see the VM.
    ...(reserved ? { systemReserved: reserved } : {}),
    evictionHard: { 'memory.available': `${EVICTION_MEMORY_MIB}Mi`, 'nodefs.available': '2%', 'imagefs.available': '2%' },
    clusterDNS: [plan.dnsServiceIp],
    clusterDomain: CLUSTER_DOMAIN,
    resolvConf: files.resolvConf,
    // The node's network namespace is its own; the kubelet adds no iptables chains to it (kube-proxy does).
    makeIPTablesUtilChains: false,
    // Never write the host's kernel settings: the node's mount namespace shows the kubelet the
    // values it checks (node-namespace.sh), so it only reads them.
    protectKernelDefaults: true,
    failSwapOn: false,
    serializeImagePulls: false,
    containerLogMaxSize: '50Mi',
    registerWithTaints: node.role === 'core' && plan.nodes.some((n) => n.role === 'worker') ? [{ ...CORE_TAINT }] : [],
    rotateCertificates: false,
    serverTLSBootstrap: false,
  };
  return stringify(config);
}

export function kubeletArgs(node: LocalNodePlan, files: NodeLayout): string[] {
  return [
    `--config=${files.kubeletConfig}`,
    `--kubeconfig=${files.kubeletKubeconfig}`,
    `--hostname-override=${node.name}`,
    `--node-ip=${node.address}`,
    `--node-labels=${ROLE_LABEL}=${node.role}`,
    '--v=1',
  ];
}

export function kubeProxyConfig(plan: LocalClusterPlan, node: LocalNodePlan, layout: ClusterLayout): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig: layout.kubeProxyKubeconfig },
    hostnameOverride: node.name,
    bindAddress: node.address,
    healthzBindAddress: '127.0.0.1:10256',
    metricsBindAddress: '127.0.0.1:10249',
    mode: 'iptables',
    clusterCIDR: plan.clusterCidr,
    detectLocalMode: 'ClusterCIDR',
    nodePortAddresses: [`${node.address}/32`],
    // 0: leave the conntrack table's size and timeouts alone; they are the host's (global) settings.
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  });
}

export function kubeProxyArgs(files: NodeLayout): string[] {
  return [`--config=${files.kubeProxyConfig}`, '--v=1'];
}

export function containerdConfig(files: NodeLayout, pause: string): string {
  // TOML by hand: the shape is fixed and small, and no TOML writer is among the dependencies.
  const q = JSON.stringify;
  return `# Written by fogbench cluster up --provider local: containerd of node ${files.dir}.
version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "/run/containerd/containerd.sock"

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(files.varLib, 'containerd-opt'))}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(pause)}
  # Root here has no CAP_SYS_RESOURCE: runc's oom_score_adj -998 for sandboxes is refused and
  # every sandbox fails ("can't get final child's PID from pipe: EOF") unless it is kept
  # within what the process may set.
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = ${q(files.cniConf)}
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = ${q(files.registryHosts)}
`;
}

/** containerd pulls from the cluster registry over plain HTTP (it is on the fog, never outside). */
export function registryHostsToml(plan: Pick<LocalClusterPlan, 'registry'>): string {
  return `server = "http://${plan.registry}"\n\n[host."http://${plan.registry}"]\n  capabilities = ["pull", "resolve"]\n`;
}

export function cniConflist(plan: Pick<LocalClusterPlan, 'cluster'>, node: LocalNodePlan): string {
  return `${JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: `fogbench-${plan.cluster}`,
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          // Pod subnets are routed between nodes (and from the host), never masqueraded.
          ipMasq: false,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: node.podCidr }]], routes: [{ dst: '0.0.0.0/0' }] },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

export function registryConfig(plan: Pick<LocalClusterPlan, 'registry'>, layout: ClusterLayout): string {
  return stringify({
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: layout.registryData }, delete: { enabled: true } },
    http: { addr: plan.registry },
  });
}

/** Pods with dnsPolicy Default get this: no upstream resolver, as nothing leaves the fog. */
export const NODE_RESOLV_CONF = '# fogbench local cluster: no resolver outside the cluster\noptions ndots:1\n';

