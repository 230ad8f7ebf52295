/**
 * Chart settings and the "is OpenFaaS there?" checks, the latter against the FAKE Kubernetes
 * API server of test/targets/kube (no chart is installed anywhere).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { checkOpenFaaSInstalled, helmInstallArgs, readGatewayCredentials } from '../../harness/openfaas/helm.ts';
import { FogbenchError } from '../../harness/errors.ts';
import { FakeKubeApi } from '../targets/kube/fake-kube-api.ts';

describe('helm install arguments', () => {
  it('pins the chart and sets the benchmark settings', () => {
    const args = helmInstallArgs({ chartVersion: '14.2.124', kubeconfig: '/k/config', context: 'lab', coreRole: 'core' });
    const sets = args.flatMap((a, i) => (args[i - 1] === '--set' || args[i - 1] === '--set-string' ? [a] : []));
    expect(args.slice(0, 4)).toEqual(['upgrade', '--install', 'openfaas', 'openfaas']);
    expect(args[args.indexOf('--version') + 1]).toBe('14.2.124');
    expect(sets).toEqual(expect.arrayContaining(['functionNamespace=openfaas-fn', 'generateBasicAuth=true', 'async=false', 'nodeSelector.fogbench\\.io/role=core', 'faasnetes.imagePullPolicy=IfNotPresent']));
    expect(args).toEqual(expect.arrayContaining(['--kubeconfig', '/k/config', '--kube-context', 'lab', '--wait']));
    expect(sets.join(' ')).not.toMatch(/password/i);
  });
});

describe('OpenFaaS presence and credentials (fake API server)', () => {
  let api: FakeKubeApi;
  let kc: KubeConfig;
  beforeEach(async () => {
    api = new FakeKubeApi([{ name: 'n1', role: 'core', address: '10.0.0.1' }]);
    kc = new KubeConfig();
    kc.loadFromString(api.kubeconfig(await api.start()));
  });
  afterEach(async () => {
    await api.stop();
  });

  it('says to install the chart when its CRD is missing', async () => {
    const error = await checkOpenFaaSInstalled(kc).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FogbenchError);
    expect((error as Error).message).toBe('this cluster has no OpenFaaS (CRD profiles.openfaas.com missing): install the chart with `npm run cluster -- openfaas --kubeconfig FILE`');
  });

  it('says when the gateway is missing or not ready, and passes when it is', async () => {
    api.put('', 'CustomResourceDefinition', 'profiles.openfaas.com', { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' });
    await expect(checkOpenFaaSInstalled(kc)).rejects.toThrow(/no gateway Deployment in namespace openfaas/);
    api.put('openfaas', 'Deployment', 'gateway', { apiVersion: 'apps/v1', kind: 'Deployment', status: { readyReplicas: 0 } });
    await expect(checkOpenFaaSInstalled(kc)).rejects.toThrow(/gateway has no ready replica/);
    api.put('openfaas', 'Deployment', 'gateway', { apiVersion: 'apps/v1', kind: 'Deployment', status: { readyReplicas: 1 } });
    await expect(checkOpenFaaSInstalled(kc)).resolves.toBeUndefined();
  });

  it('reads the generated password from the basic-auth secret', async () => {
    await expect(readGatewayCredentials(kc)).rejects.toThrow(/no basic-auth secret in namespace openfaas/);
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    api.put('openfaas', 'Secret', 'basic-auth', { apiVersion: 'v1', kind: 'Secret', data: { 'basic-auth-user': b64('admin'), 'basic-auth-password': b64('s3cret') } });
    expect(await readGatewayCredentials(kc)).toEqual({ user: 'admin', password: 's3cret' });
  });
});
