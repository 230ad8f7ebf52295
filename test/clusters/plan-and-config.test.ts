/** Pure parts of provisioning: config checks, the plan, K3s config files, kubeconfig rewrite. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseClusterConfig } from '../../clusters/config.ts';
import { renderK3sConfig } from '../../clusters/k3s-config.ts';
import { rewriteKubeconfig } from '../../clusters/kubeconfig.ts';
import { generateToken, planCluster } from '../../clusters/plan.ts';
import { FogbenchError } from '../../harness/errors.ts';

const text = readFileSync(new URL('../../clusters/sizes.yaml', import.meta.url), 'utf8');
const config = parseClusterConfig(text);

describe('sizes.yaml', () => {
  it('sizes agents like a t2.small and gives the server the 2 vCPU K3s recommends', () => {
    expect(config.nodes.agent).toMatchObject({ cpus: 1, memoryMiB: 2048 });
    expect(config.nodes.server.cpus).toBe(2);
    expect(config.k3s.version).toMatch(/^v1\.\d+\.\d+\+k3s\d+$/);
    expect(config.openfaas.chartVersion).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('names the key to fix when a value is wrong', () => {
    const bad = text.replace('cpus: 1', 'cpus: one');
    expect(() => parseClusterConfig(bad, 'my.yaml')).toThrow(new FogbenchError('usage', 'my.yaml: nodes.agent.cpus must be a positive integer'));
    expect(() => parseClusterConfig(text.replace('v1.30.6+k3s1', 'latest'))).toThrow(/k3s\.version must be a string matching/);
  });
});

describe('cluster plan', () => {
  it('plans a server and N agents with static addresses on the /24 for Vagrant only', () => {
    const vagrant = planCluster({ cluster: 'lab', provider: 'vagrant', agents: 3, config });
    expect(vagrant.nodes.map((n) => [n.name, n.role, n.label, n.ip])).toEqual([
      ['lab-server', 'server', 'core', '192.168.56.10'],
      ['lab-agent-1', 'agent', 'worker', '192.168.56.11'],
      ['lab-agent-2', 'agent', 'worker', '192.168.56.12'],
      ['lab-agent-3', 'agent', 'worker', '192.168.56.13'],
    ]);
    const multipass = planCluster({ cluster: 'lab', provider: 'multipass', agents: 1, config });
    expect(multipass.nodes.every((n) => n.ip === undefined)).toBe(true);
  });

  it('rejects bad names, providers and agent counts with a usage error', () => {
    expect(() => planCluster({ cluster: 'Lab!', provider: 'multipass', agents: 1, config })).toThrow(/cluster name "Lab!"/);
    expect(() => planCluster({ cluster: 'lab', provider: 'docker' as never, agents: 1, config })).toThrow(/--provider must be one of multipass, vagrant/);
    expect(() => planCluster({ cluster: 'lab', provider: 'multipass', agents: -1, config })).toThrow(/--agents must be an integer from 0 \(a lone server\) to 20/);
    expect(() => planCluster({ cluster: 'lab', provider: 'multipass', agents: 21, config })).toThrow(/--agents must be an integer/);
    expect(planCluster({ cluster: 'lab', provider: 'multipass', agents: 0, config }).nodes.map((n) => n.role)).toEqual(['server']);
  });

  it('generates a fresh 256-bit token each time', () => {
    const a = generateToken();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(generateToken()).not.toBe(a);
  });
});

describe('K3s config files', () => {
  const plan = planCluster({ cluster: 'lab', provider: 'vagrant', agents: 1, config });
  const [server, agent] = plan.nodes as [(typeof plan.nodes)[0], (typeof plan.nodes)[0]];

  it('puts every server setting in config.yaml: token, traefik disabled, core label and taint, node IP', () => {
    const yaml = parse(renderK3sConfig({ node: server, nodeIp: '192.168.56.10', serverIp: '192.168.56.10', token: 'tok', dedicatedServer: true }));
    expect(yaml).toEqual({
      token: 'tok',
      'node-name': 'lab-server',
      'node-ip': '192.168.56.10',
      'node-label': ['fogbench.io/role=core'],
      // OpenFaaS CE places functions without any selector: the taint keeps them on the agents.
      'node-taint': ['CriticalAddonsOnly=true:NoExecute'],
      disable: ['traefik'],
      'tls-san': ['192.168.56.10'],
      'write-kubeconfig-mode': '0600',
    });
    // A lone server runs everything: no taint, and K3s makes its own token when none is given.
    const lone = parse(renderK3sConfig({ node: server, nodeIp: '10.1.0.4', serverIp: '10.1.0.4', dedicatedServer: false }));
    expect(lone['node-taint']).toBeUndefined();
    expect(lone.token).toBeUndefined();
  });

  it('points agents at the server with the worker label', () => {
    const yaml = parse(renderK3sConfig({ node: agent, nodeIp: '192.168.56.11', serverIp: '192.168.56.10', token: 'tok', dedicatedServer: true }));
    expect(yaml).toMatchObject({ server: 'https://192.168.56.10:6443', token: 'tok', 'node-label': ['fogbench.io/role=worker'], 'node-ip': '192.168.56.11' });
    expect(yaml.disable).toBeUndefined();
  });
});

describe('kubeconfig rewrite', () => {
  const k3s = [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    '    certificate-authority-data: Q0E=',
    '    server: https://127.0.0.1:6443',
    '  name: default',
    'contexts:',
    '- context:',
    '    cluster: default',
    '    user: default',
    '  name: default',
    'current-context: default',
    'kind: Config',
    'users:',
    '- name: default',
    '  user:',
    '    client-certificate-data: Q0VSVA==',
    '    client-key-data: S0VZ',
    '',
  ].join('\n');

  it('points at the server address and renames everything after the cluster', () => {
    const out = parse(rewriteKubeconfig(k3s, { serverIp: '192.168.56.10', name: 'fogbench-lab' }));
    expect(out.clusters[0]).toEqual({ name: 'fogbench-lab', cluster: { 'certificate-authority-data': 'Q0E=', server: 'https://192.168.56.10:6443' } });
    expect(out.contexts[0]).toEqual({ name: 'fogbench-lab', context: { cluster: 'fogbench-lab', user: 'fogbench-lab' } });
    expect(out.users[0].name).toBe('fogbench-lab');
    expect(out.users[0].user['client-key-data']).toBe('S0VZ');
    expect(out['current-context']).toBe('fogbench-lab');
  });

  it('refuses a file without a cluster', () => {
    expect(() => rewriteKubeconfig('kind: Config\n', { serverIp: '1.2.3.4', name: 'x' })).toThrow(FogbenchError);
  });
});
