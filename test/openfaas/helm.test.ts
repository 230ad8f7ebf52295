/**
 * Chart settings, and the "is OpenFaaS there?" checks against a REAL control plane
 * (test/targets/kube/control-plane.ts): the chart's CRD, gateway Deployment and basic-auth
 * secret are created as objects there; no chart is installed and no image runs.
 */
import { AppsV1Api, ApiextensionsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE_TOLERATION } from '../../clusters/registry.ts';
import { FogbenchError } from '../../harness/errors.ts';
import { checkOpenFaaSInstalled, helmInstallArgs, readGatewayCredentials } from '../../harness/openfaas/helm.ts';
import { CHART_VALUE_KEYS } from '../../harness/openfaas/settings.ts';
import { controlPlaneUnavailable, startControlPlane, type ControlPlane } from '../targets/kube/control-plane.ts';

describe('helm install arguments', () => {
  const args = helmInstallArgs({ chartVersion: '14.2.124', kubeconfig: '/k/config', context: 'lab', coreRole: 'core' });
  const sets = args.flatMap((a, i) => (args[i - 1] === '--set' || args[i - 1] === '--set-string' ? [a] : []));

  it('pins the chart and sets the benchmark settings', () => {
    expect(args.slice(0, 4)).toEqual(['upgrade', '--install', 'openfaas', 'openfaas']);
    expect(args[args.indexOf('--version') + 1]).toBe('14.2.124');
    expect(sets).toEqual(expect.arrayContaining(['functionNamespace=openfaas-fn', 'generateBasicAuth=true', 'async=false', 'nodeSelector.fogbench\\.io/role=core']));
    // The core runs on the dedicated (tainted) server.
    expect(sets).toEqual(expect.arrayContaining([`tolerations[0].key=${CORE_TOLERATION.key}`, `tolerations[0].operator=${CORE_TOLERATION.operator}`]));
    expect(args).toEqual(expect.arrayContaining(['--kubeconfig', '/k/config', '--kube-context', 'lab', '--wait']));
    expect(sets.join(' ')).not.toMatch(/password/i);
  });

  it('sets only keys the pinned chart has (helm would accept any path and do nothing with it)', () => {
    const top = (set: string) => set.split('=')[0]!.replace(/\\\./g, '\u0000').split(/[.[]/)[0]!.replaceAll('\u0000', '.');
    const path = (set: string) => set.split('=')[0]!.replace(/\[\d+\].*$/, '').replace(/\\\./g, '\u0000').split('.').slice(0, 2).join('.').replaceAll('\u0000', '.');
    for (const set of sets) {
      const known = CHART_VALUE_KEYS[path(set)] ?? CHART_VALUE_KEYS[top(set)];
      expect(known, `${set} is not a key of the chart's values.yaml`).toBeDefined();
    }
    // The old setting: not a chart key, and CE pulls functions with Always anyway.
    expect(CHART_VALUE_KEYS['faasnetes.imagePullPolicy']).toBeUndefined();
    expect(sets.some((s) => s.startsWith('faasnetes.imagePullPolicy'))).toBe(false);
  });
});

const unavailable = controlPlaneUnavailable();
if (unavailable) console.warn(`skipping the real-control-plane tests: ${unavailable}`);

describe.skipIf(unavailable !== null)('OpenFaaS presence and credentials (real control plane)', () => {
  let cp: ControlPlane;
  let kc: KubeConfig;
  beforeAll(async () => {
    cp = await startControlPlane();
    kc = cp.kubeConfig();
    await cp.addNodes([{ name: 'n1', role: 'core', cpu: '2', memory: '3927156Ki', tainted: true }]);
    const core = kc.makeApiClient(CoreV1Api);
    for (const name of ['openfaas', 'openfaas-fn']) await core.createNamespace({ body: { metadata: { name } } });
  }, 120_000);
  afterAll(async () => {
    await cp?.stop();
  });

  it('says to install the chart when its CRD is missing', async () => {
    const error = await checkOpenFaaSInstalled(kc).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FogbenchError);
    expect((error as Error).message).toBe('this cluster has no OpenFaaS (CRD profiles.openfaas.com missing): install the chart with `npm run cluster -- openfaas --kubeconfig FILE`');
  });

  it('says when the gateway is missing or not ready, and passes once its pod is Ready', { timeout: 60_000 }, async () => {
    await kc.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({
      body: {
        metadata: { name: 'profiles.openfaas.com' },
        spec: {
          group: 'openfaas.com',
          scope: 'Namespaced',
          names: { plural: 'profiles', singular: 'profile', kind: 'Profile' },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } }],
        },
      },
    });
    await expect(checkOpenFaaSInstalled(kc)).rejects.toThrow(/no gateway Deployment in namespace openfaas/);
    const apps = kc.makeApiClient(AppsV1Api);
    // As the chart places it: on the core node, tolerating the server's taint; kwok makes it Ready.
    await apps.createNamespacedDeployment({
      namespace: 'openfaas',
      body: {
        metadata: { name: 'gateway' },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'gateway' } },
          template: {
            metadata: { labels: { app: 'gateway' } },
            spec: { nodeSelector: { 'fogbench.io/role': 'core' }, tolerations: [{ ...CORE_TOLERATION }], containers: [{ name: 'gateway', image: 'ghcr.io/openfaas/gateway:0.27.13' }] },
          },
        },
      },
    });
    await expect(checkOpenFaaSInstalled(kc)).rejects.toThrow(/gateway has no ready replica/);
    await apps.patchNamespacedDeploymentScale({ name: 'gateway', namespace: 'openfaas', body: [{ op: 'replace', path: '/spec/replicas', value: 1 }] });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ok = await checkOpenFaaSInstalled(kc).then(() => true, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error('the gateway Deployment never became ready');
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  it('reads the generated password from the basic-auth secret', async () => {
    await expect(readGatewayCredentials(kc)).rejects.toThrow(/no basic-auth secret in namespace openfaas/);
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    await kc.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace: 'openfaas', body: { metadata: { name: 'basic-auth' }, data: { 'basic-auth-user': b64('admin'), 'basic-auth-password': b64('s3cret') } } });
    expect(await readGatewayCredentials(kc)).toEqual({ user: 'admin', password: 's3cret' });
  });
});
