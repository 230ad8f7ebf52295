/**
 * Where a local cluster keeps everything it writes: under its state folder, and nowhere else.
 * Each node's daemons see their own folders at the paths a kubelet and containerd cannot be
 * told to move (/var/lib, /var/log, /run, /tmp), bind-mounted in the node's own mount
 * namespace (node-namespace.sh), so two nodes never share them and the host's stay untouched.
 */
import { join } from 'node:path';

export interface NodeLayout {
  dir: string;
  /** Mounted on /var/lib, /var/log, /run and /tmp inside the node's mount namespace. */
  varLib: string;
  varLog: string;
  run: string;
  tmp: string;
  /** Files shown to the kubelet in place of /proc/sys files it checks (see node-namespace.sh). */
  sysctl: string;
  kubeletConfig: string;
  kubeletKubeconfig: string;
  kubeProxyConfig: string;
  containerdConfig: string;
  cniConf: string;
  /** containerd's registry host configuration (hosts.toml per registry). */
  registryHosts: string;
  resolvConf: string;
}

export interface ClusterLayout {
  /** The cluster's own folder inside the state folder. */
  dir: string;
  plan: string;
  daemonStatus: string;
  daemonLog: string;
  logs: string;
  pki: string;
  etcd: string;
  registryData: string;
  registryConfig: string;
  controllerManagerKubeconfig: string;
  schedulerKubeconfig: string;
  kubeProxyKubeconfig: string;
  node(name: string): NodeLayout;
}

export function clusterLayout(stateDir: string): ClusterLayout {
  const dir = join(stateDir, 'local');
  const pki = join(dir, 'pki');
  return {
    dir,
    plan: join(dir, 'plan.json'),
    daemonStatus: join(dir, 'daemon.json'),
    daemonLog: join(dir, 'daemon.log'),
    logs: join(dir, 'logs'),
    pki,
    etcd: join(dir, 'etcd'),
    registryData: join(dir, 'registry'),
    registryConfig: join(dir, 'registry.yaml'),
    controllerManagerKubeconfig: join(pki, 'controller-manager.kubeconfig'),
    schedulerKubeconfig: join(pki, 'scheduler.kubeconfig'),
    kubeProxyKubeconfig: join(pki, 'kube-proxy.kubeconfig'),
    node(name: string): NodeLayout {
      const node = join(dir, 'nodes', name);
      return {
        dir: node,
        varLib: join(node, 'var-lib'),
        varLog: join(node, 'var-log'),
        run: join(node, 'run'),
        tmp: join(node, 'tmp'),
        sysctl: join(node, 'sysctl'),
        kubeletConfig: join(node, 'kubelet.yaml'),
        kubeletKubeconfig: join(node, 'kubelet.kubeconfig'),
        kubeProxyConfig: join(node, 'kube-proxy.yaml'),
        containerdConfig: join(node, 'containerd.toml'),
        cniConf: join(node, 'cni'),
        registryHosts: join(node, 'registry-hosts'),
        resolvConf: join(node, 'resolv.conf'),
      };
    },
  };
}

/** Certificate and key files of one identity in the PKI folder. */
export function pkiFiles(pki: string, name: string): { cert: string; key: string } {
  return { cert: join(pki, `${name}.crt`), key: join(pki, `${name}.key`) };
}
