/**
 * Writes every file the cluster's processes read into the state folder, from the plan: the
 * kubeconfigs of each component and node, each node's kubelet, kube-proxy, containerd and CNI
 * configuration, registry host file, the sysctl values the kubelet is shown, and the folders
 * bound over /var/lib, /var/log, /run and /tmp in the node's mount namespace.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSecret } from '../state.ts';
import {
  cniConflist,
  containerdConfig,
  KUBELET_SYSCTLS,
  kubeletConfig,
  kubeProxyConfig,
  NODE_RESOLV_CONF,
  pauseImage,
  registryConfig,
  registryHostsToml,
  renderKubeconfig,
  type HostFacts,
} from './components.ts';
import { pkiFiles, type ClusterLayout } from './layout.ts';
import { ADMIN_USER } from './pki.ts';
import { reservedForQuota, type LocalClusterPlan } from './plan.ts';

/** Writes the component files; returns the admin kubeconfig's text (the caller stores it). */
export async function writeClusterFiles(plan: LocalClusterPlan, layout: ClusterLayout, options: { cgroupRoot: (node: string) => string; host: HostFacts; pauseTag: string }): Promise<string> {
  const ca = await readFile(pkiFiles(layout.pki, 'ca').cert, 'utf8');
  const kubeconfigOf = async (identity: string, user: string) => {
    const files = pkiFiles(layout.pki, identity);
    return renderKubeconfig({ cluster: `fogbench-${plan.cluster}`, server: plan.apiServer, user, ca, cert: await readFile(files.cert, 'utf8'), key: await readFile(files.key, 'utf8') });
  };
  await writeSecret(layout.controllerManagerKubeconfig, await kubeconfigOf('controller-manager', 'system:kube-controller-manager'));
  await writeSecret(layout.schedulerKubeconfig, await kubeconfigOf('scheduler', 'system:kube-scheduler'));
  await writeSecret(layout.kubeProxyKubeconfig, await kubeconfigOf('kube-proxy', 'system:kube-proxy'));
  await mkdir(layout.registryData, { recursive: true, mode: 0o700 });
  await writeFile(layout.registryConfig, registryConfig(plan, layout));
  const pause = pauseImage(plan, options.pauseTag);
  for (const node of plan.nodes) {
    const files = layout.node(node.name);
    for (const dir of [files.varLib, files.varLog, files.run, files.tmp, files.cniConf, join(files.registryHosts, plan.registry)]) await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const [setting, value] of Object.entries(KUBELET_SYSCTLS)) {
      const file = join(files.sysctl, setting);
      await mkdir(join(file, '..'), { recursive: true });
      await writeFile(file, `${value}\n`);
    }
    await writeSecret(files.kubeletKubeconfig, await kubeconfigOf(`kubelet-${node.name}`, `system:node:${node.name}`));
    const reserved = reservedForQuota(node, options.host);
    await writeFile(files.kubeletConfig, kubeletConfig(plan, node, files, layout, `/${options.cgroupRoot(node.name)}`, reserved));
    await writeFile(files.kubeProxyConfig, kubeProxyConfig(plan, node, layout));
    await writeFile(files.containerdConfig, containerdConfig(files, pause));
    await writeFile(join(files.cniConf, '10-fogbench.conflist'), cniConflist(plan, node));
    await writeFile(join(files.registryHosts, plan.registry, 'hosts.toml'), registryHostsToml(plan));
    await writeFile(files.resolvConf, NODE_RESOLV_CONF);
  }
  return kubeconfigOf('admin', ADMIN_USER);
}
