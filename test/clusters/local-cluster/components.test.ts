/**
 * What each process of a local cluster is told, as rendered from a plan, and the certificates
 * made with the real openssl: what issue #23 found a kubelet and containerd need on this host
 * (cgroup v1 allowed, cgroupfs, restrict_oom_score_adj, no kubelet iptables chains), the kernel
 * settings left alone, and identities the API server's authorizers know.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { apiServerArgs, cniConflist, containerdConfig, kubeletConfig, kubeProxyConfig, registryHostsToml } from '../../../clusters/local-cluster/components.ts';
import { clusterLayout, pkiFiles } from '../../../clusters/local-cluster/layout.ts';
import { makePki } from '../../../clusters/local-cluster/pki.ts';
import { planLocalCluster } from '../../../clusters/local-cluster/plan.ts';
import { commandRunner } from '../../../clusters/run-command.ts';
import { parseTopology } from '../../../harness/targets/local/topology.ts';

const TOPOLOGY = `
nodes:
  - { name: client, role: client, cpus: 0.5, memoryMiB: 512 }
  - { name: core, role: core, cpus: 0.6, memoryMiB: 1229 }
  - { name: worker-1, role: worker, cpus: 0.3, memoryMiB: 614 }
`;
const plan = planLocalCluster({ cluster: 'lab', topology: parseTopology(TOPOLOGY, 'fog.yaml', 2), fogBlock: 5, podBlock: 6 });
const layout = clusterLayout('/var/fogbench-state/lab');
const [core, worker] = plan.nodes as [(typeof plan.nodes)[0], (typeof plan.nodes)[0]];

describe('component configuration', () => {
  it('tells the kubelet what this host needs, its pods inside the node quota group', () => {
    const config = parse(kubeletConfig(plan, worker, layout.node(worker.name), layout, '/fbfabcd/worker-1', { cpu: '1700m', memory: '100Ki' })) as Record<string, unknown>;
    expect(config).toMatchObject({
      failCgroupV1: false,
      cgroupDriver: 'cgroupfs',
      cgroupRoot: '/fbfabcd/worker-1',
      makeIPTablesUtilChains: false,
      protectKernelDefaults: true,
      address: worker.address,
      clusterDNS: [plan.dnsServiceIp],
      systemReserved: { cpu: '1700m', memory: '100Ki' },
      authentication: { anonymous: { enabled: false }, webhook: { enabled: true } },
      authorization: { mode: 'Webhook' },
    });
    expect(config.registerWithTaints).toEqual([]);
    const coreConfig = parse(kubeletConfig(plan, core, layout.node(core.name), layout, '/fbfabcd/core', null)) as { registerWithTaints: unknown[]; systemReserved?: unknown };
    expect(coreConfig.registerWithTaints).toEqual([{ key: 'CriticalAddonsOnly', value: 'true', effect: 'NoExecute' }]);
    expect(coreConfig.systemReserved).toBeUndefined();
  });

  it('keeps containerd within what root may set here, pulling from the cluster registry over HTTP', () => {
    const toml = containerdConfig(layout.node(worker.name), `${plan.registry}/fogbench/pause:v1`);
    expect(toml).toMatch(/^\s*restrict_oom_score_adj = true$/m);
    expect(toml).toMatch(/^\s*SystemdCgroup = false$/m);
    expect(toml).toContain(`sandbox_image = "${plan.registry}/fogbench/pause:v1"`);
    expect(registryHostsToml(plan)).toContain(`[host."http://${plan.registry}"]`);
    const cni = JSON.parse(cniConflist(plan, worker)) as { plugins: { type: string; ipMasq?: boolean; ipam?: { ranges: { subnet: string }[][] } }[] };
    expect(cni.plugins[0]).toMatchObject({ type: 'bridge', ipMasq: false, ipam: { ranges: [[{ subnet: worker.podCidr }]] } });
  });

  it('leaves the host-wide conntrack settings alone and binds the API server to the fog switch only', () => {
    const proxy = parse(kubeProxyConfig(plan, worker, layout)) as { conntrack: Record<string, unknown>; clusterCIDR: string; mode: string };
    expect(proxy.conntrack).toEqual({ maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' });
    expect(proxy.clusterCIDR).toBe(plan.clusterCidr);
    const args = apiServerArgs(plan, layout, 2379);
    expect(args).toContain(`--bind-address=${plan.hostAddress}`);
    expect(args).toContain('--enable-aggregator-routing=true');
    expect(args).toContain(`--service-cluster-ip-range=${plan.serviceCidr}`);
  });
});

describe('certificates (real openssl)', () => {
  const dir = mkdtempSync(join(process.cwd(), 'build', 'pki-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });

  it('signs every identity with the cluster CA, with the names clients check', async () => {
    await makePki(dir, plan, commandRunner({}));
    const ca = pkiFiles(dir, 'ca').cert;
    for (const name of ['apiserver', 'admin', 'kube-proxy', `kubelet-${worker.name}`, `kubelet-${worker.name}-serving`]) {
      expect(openssl('verify', '-CAfile', ca, pkiFiles(dir, name).cert)).toContain(': OK');
      expect(statSync(pkiFiles(dir, name).key).mode & 0o077).toBe(0);
    }
    expect(openssl('verify', '-CAfile', pkiFiles(dir, 'front-proxy-ca').cert, pkiFiles(dir, 'front-proxy-client').cert)).toContain(': OK');
    const apiserver = openssl('x509', '-in', pkiFiles(dir, 'apiserver').cert, '-noout', '-text');
    expect(apiserver).toContain(`IP Address:${plan.hostAddress}`);
    expect(apiserver).toContain(`IP Address:${plan.apiServiceIp}`);
    const kubelet = openssl('x509', '-in', pkiFiles(dir, `kubelet-${worker.name}`).cert, '-noout', '-subject');
    expect(kubelet).toMatch(/O\s*=\s*system:nodes, CN\s*=\s*system:node:worker-1/);
    expect(readFileSync(join(dir, 'service-account.pub'), 'utf8')).toContain('BEGIN PUBLIC KEY');
  }, 30_000);
});
