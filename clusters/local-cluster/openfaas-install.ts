/**
 * `cluster openfaas` on a local cluster: the chart cannot be installed here (its images come
 * from registries this host cannot reach, and its faas-netes cannot be had), so fogbench's
 * layout of the chart is (openfaas-layout.ts): images packed here from the pinned builds,
 * pushed to the cluster's registry, the objects applied, and the gateway waited for.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { deployError } from '../../harness/errors.ts';
import { ensureOpenFaaSBinaries } from '../../harness/openfaas/binaries/build.ts';
import { readPins } from '../../harness/openfaas/binaries/pins.ts';
import { OPENFAAS_NAMESPACE } from '../../harness/openfaas/helm.ts';
import { serverSideApply } from '../../harness/targets/kube/apply.ts';
import { runtimeFiles } from '../../harness/targets/kube/oci/binary-files.ts';
import { binaryImagePlan } from '../../harness/targets/kube/oci/image-plan.ts';
import { packAndPush, type LocalImageJob } from '../../harness/targets/kube/oci/local-images.ts';
import { registryHasImage } from '../../harness/targets/kube/registry-push.ts';
import type { ClusterState } from '../state.ts';
import { clusterLayout } from './layout.ts';
import { openfaasObjects, type OpenFaaSImages } from './openfaas-layout.ts';

export async function installLocalOpenFaaS(kc: KubeConfig, state: ClusterState, stateDir: string, options: { searchPath: string; timeoutMs: number; progress: (message: string) => void }): Promise<Record<string, string>> {
  const registry = state.local?.registry;
  if (!registry) throw new Error(`${stateDir} is not a local cluster`);
  const binaries = await ensureOpenFaaSBinaries({ searchPath: options.searchPath });
  const pins = readPins();
  const tagOf = (version: string) => version.replace(/^v0\.0\.0-\d+-/, '').replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64);
  const images: OpenFaaSImages = {
    gateway: `${registry}/fogbench/openfaas-gateway:${tagOf(binaries.gateway.version)}`,
    provider: `${registry}/fogbench/openfaas-provider:${binaries.provider.version.replace(/^source:/, '')}`,
    prometheus: `${registry}/fogbench/prometheus:v${pins.prometheus.release}`,
    alertmanager: `${registry}/fogbench/alertmanager:v${pins.alertmanager.release}`,
  };
  const provenance: Record<string, string> = {
    gateway: `${binaries.gateway.module}@${binaries.gateway.version} (commit 1ab3f32, the last MIT-licensed gateway), built from source, as on fog`,
    provider: `fogbench's provider (harness/openfaas/provider, source hash ${binaries.provider.version.replace(/^source:/, "")}) in Kubernetes mode, in the place the chart gives faas-netes, which cannot be had here (refused by the module proxy, code under the OpenFaaS CE EULA)`,
    prometheus: `prometheus ${pins.prometheus.release} (chart ${pins.chart.version}'s prom/prometheus:v${pins.prometheus.release}), built from source as on fog`,
    alertmanager: `alertmanager ${pins.alertmanager.release} (chart ${pins.chart.version}'s prom/alertmanager:v${pins.alertmanager.release}), built from source as on fog`,
  };
  const plans: [keyof OpenFaaSImages, string, string][] = [
    ['gateway', binaries.gateway.path, '/gateway'],
    ['provider', binaries.provider.path, '/fogbench-openfaas-provider'],
    ['prometheus', binaries.prometheus.path, '/bin/prometheus'],
    ['alertmanager', binaries.alertmanager.path, '/bin/alertmanager'],
  ];
  const jobs: LocalImageJob[] = [];
  for (const [key, binary, target] of plans) {
    if (await registryHasImage(images[key])) continue;
    jobs.push({
      ref: images[key],
      plan: binaryImagePlan({ name: key, files: (await runtimeFiles(binary, target)).map((f) => ({ source: f.source, target: f.target })), entrypoint: [target], note: provenance[key]! }),
    });
  }
  const layout = clusterLayout(stateDir);
  await packAndPush(jobs, { cacheDir: join(layout.dir, 'images-cache'), workDir: layout.dir, progress: options.progress });

  // A second install keeps the password: clients that read it stay valid.
  const core = kc.makeApiClient(CoreV1Api);
  const existing = await core.readNamespacedSecret({ name: 'basic-auth', namespace: OPENFAAS_NAMESPACE }).catch(() => null);
  const kept = existing?.data?.['basic-auth-password'];
  const password = kept ? Buffer.from(kept, 'base64').toString('utf8') : randomBytes(24).toString('hex');
  options.progress('applying the OpenFaaS layout (gateway + fogbench provider, Prometheus, alertmanager)');
  for (const object of openfaasObjects({ images, password, provenance })) await serverSideApply(kc, object);
  await waitAvailable(kc, ['gateway', 'prometheus', 'alertmanager'], options.timeoutMs);
  return provenance;
}

async function waitAvailable(kc: KubeConfig, names: string[], timeoutMs: number): Promise<void> {
  const apps = kc.makeApiClient(AppsV1Api);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing: string[] = [];
    for (const name of names) {
      const d = await apps.readNamespacedDeployment({ name, namespace: OPENFAAS_NAMESPACE }).catch(() => null);
      const current = d?.status?.updatedReplicas === d?.spec?.replicas && (d?.status?.availableReplicas ?? 0) >= (d?.spec?.replicas ?? 1);
      if (!current) missing.push(name);
    }
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw deployError(`OpenFaaS not ready after ${Math.round(timeoutMs / 1000)} s: ${missing.join(', ')} (\`kubectl -n openfaas get pods\`)`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
