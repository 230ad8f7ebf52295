/**
 * The images of a local cluster's own pieces, packed from the binaries built from source: the
 * sandbox (pause) image every node's containerd starts first, CoreDNS and metrics-server.
 * Each holds its binary and whatever it loads (nothing, for a static one).
 */
import { runtimeFiles } from '../../harness/targets/kube/oci/binary-files.ts';
import { binaryImagePlan } from '../../harness/targets/kube/oci/image-plan.ts';
import type { LocalImageJob } from '../../harness/targets/kube/oci/local-images.ts';
import { ADDON_VERSIONS, type AddonBinaries } from './binaries.ts';
import { pauseImage } from './components.ts';
import type { LocalClusterPlan } from './plan.ts';

export interface AddonImageRefs {
  pause: string;
  coredns: string;
  metricsServer: string;
}

export function addonImageRefs(plan: Pick<LocalClusterPlan, 'registry'>): AddonImageRefs {
  return {
    pause: pauseImage(plan, ADDON_VERSIONS.pause),
    coredns: `${plan.registry}/fogbench/coredns:${ADDON_VERSIONS.coredns}`,
    metricsServer: `${plan.registry}/fogbench/metrics-server:${ADDON_VERSIONS.metricsServer}`,
  };
}

export async function addonImageJobs(plan: Pick<LocalClusterPlan, 'registry'>, binaries: AddonBinaries): Promise<LocalImageJob[]> {
  const refs = addonImageRefs(plan);
  const image = async (ref: string, name: string, binary: string, version: string, user?: string): Promise<LocalImageJob> => ({
    ref,
    plan: binaryImagePlan({
      name: `${name} ${version}`,
      files: (await runtimeFiles(binary, `/${name}`)).map((f) => ({ source: f.source, target: f.target })),
      entrypoint: [`/${name}`],
      ...(user ? { user } : {}),
      note: `${name} ${version}: built from source here, packed with umoci`,
    }),
  });
  return [
    await image(refs.pause, 'pause', binaries.pause, ADDON_VERSIONS.pause, '65535:65535'),
    await image(refs.coredns, 'coredns', binaries.coredns, ADDON_VERSIONS.coredns),
    await image(refs.metricsServer, 'metrics-server', binaries.metricsServer, ADDON_VERSIONS.metricsServer, '1000'),
  ];
}
