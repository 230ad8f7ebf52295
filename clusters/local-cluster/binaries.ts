/**
 * The programs a local cluster runs, and where they come from: the control plane, the
 * registry, the kubelet, kube-proxy, CoreDNS, metrics-server and pause built from source by
 * scripts/build-kube-control-plane.sh and scripts/build-kube-local-cluster.sh (on first use,
 * once); etcd, containerd, runc, the CNI plugins, iptables, umoci and openssl from Debian
 * (scripts/setup.sh installs them). A missing one is named with what to install.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { environmentError } from '../../harness/errors.ts';
import { findTool } from '../../harness/targets/local/host-tools.ts';
import type { LocalBinaries } from './daemon.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const KUBERNETES_VERSION = 'v1.37.2';
const CONTROL_PLANE_SCRIPT = join(ROOT, 'scripts', 'build-kube-control-plane.sh');
const LOCAL_CLUSTER_SCRIPT = join(ROOT, 'scripts', 'build-kube-local-cluster.sh');
const CONTROL_PLANE_DIR = join(ROOT, 'build', 'kube-control-plane', `kubernetes-${KUBERNETES_VERSION}`);
const REGISTRY_DIR = join(ROOT, 'build', 'kube-control-plane', 'registry-v3.0.0-crane-v0.20.6');
const LOCAL_DIR = join(ROOT, 'build', 'kube-local-cluster');
export const NODE_NAMESPACE_SCRIPT = fileURLToPath(new URL('./scripts/node-namespace.sh', import.meta.url));

/** Built here from source: the add-ons' binaries that go into images. */
export interface AddonBinaries {
  coredns: string;
  metricsServer: string;
  pause: string;
}

export const ADDON_VERSIONS = { coredns: 'v1.15.0', metricsServer: 'v0.9.0', pause: KUBERNETES_VERSION } as const;

function builtPaths(): { binaries: Omit<LocalBinaries, 'etcd' | 'containerd'>; addons: AddonBinaries } {
  return {
    binaries: {
      kubeApiserver: join(CONTROL_PLANE_DIR, 'kube-apiserver'),
      kubeControllerManager: join(CONTROL_PLANE_DIR, 'kube-controller-manager'),
      kubeScheduler: join(CONTROL_PLANE_DIR, 'kube-scheduler'),
      registry: join(REGISTRY_DIR, 'registry'),
      kubelet: join(LOCAL_DIR, `kubernetes-node-${KUBERNETES_VERSION}`, 'kubelet'),
      kubeProxy: join(LOCAL_DIR, `kubernetes-node-${KUBERNETES_VERSION}`, 'kube-proxy'),
      nodeNamespaceScript: NODE_NAMESPACE_SCRIPT,
    },
    addons: {
      coredns: join(LOCAL_DIR, `coredns-${ADDON_VERSIONS.coredns}`, 'coredns'),
      metricsServer: join(LOCAL_DIR, `metrics-server-${ADDON_VERSIONS.metricsServer}`, 'metrics-server'),
      pause: join(LOCAL_DIR, `pause-${ADDON_VERSIONS.pause}`, 'pause'),
    },
  };
}

/** Debian packages of the programs found on PATH. */
const DEBIAN_TOOLS: Record<string, string> = {
  etcd: 'etcd-server',
  containerd: 'containerd',
  runc: 'runc',
  unshare: 'util-linux',
  nsenter: 'util-linux',
  sysctl: 'procps',
  openssl: 'openssl',
  iptables: 'iptables',
  umoci: 'umoci',
  ldd: 'libc-bin',
};
export const CNI_DIR = '/usr/lib/cni';
const CNI_PLUGINS = ['bridge', 'host-local', 'loopback', 'portmap'];

/** Fails with one line naming every Debian package to install. */
export function checkHostPrograms(searchPath: string): { etcd: string; containerd: string } {
  const missing = new Set<string>();
  for (const [tool, pkg] of Object.entries(DEBIAN_TOOLS)) if (findTool(tool, searchPath) === null) missing.add(pkg);
  if (CNI_PLUGINS.some((p) => !existsSync(join(CNI_DIR, p)))) missing.add('containernetworking-plugins');
  if (missing.size > 0) {
    throw environmentError(`a local cluster needs these Debian packages: apt-get install -y ${[...missing].join(' ')} (scripts/setup.sh installs them)`);
  }
  return { etcd: findTool('etcd', searchPath)!, containerd: findTool('containerd', searchPath)! };
}

/** The built programs, building them first (once, ~25 minutes cold on 2 cores) when missing. */
export async function ensureBuiltPrograms(progress: (message: string) => void): Promise<ReturnType<typeof builtPaths>> {
  const paths = builtPaths();
  const missing = () => [...Object.values(paths.binaries), ...Object.values(paths.addons)].filter((p) => !existsSync(p));
  for (const script of [CONTROL_PLANE_SCRIPT, LOCAL_CLUSTER_SCRIPT]) {
    if (missing().length === 0) break;
    progress(`building with ${script.slice(ROOT.length)} (once; about 10-25 minutes on 2 cores)`);
    const build = execa('bash', [script], { reject: false, all: true });
    for await (const line of build.iterable({ from: 'all' })) progress(`  ${line}`);
    const result = await build;
    if (result.exitCode !== 0) throw environmentError(`${script.slice(ROOT.length)} failed (exit code ${result.exitCode}); run it by hand to see why`);
  }
  const still = missing();
  if (still.length > 0) throw environmentError(`the build scripts left these missing: ${still.join(', ')}`);
  return paths;
}
