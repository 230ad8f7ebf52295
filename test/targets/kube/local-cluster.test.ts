/**
 * Replicas on a local cluster are sized as its nodes are: clusters/sizes.yaml's units times the
 * topology's scale, in the units Kubernetes writes (the rest of the local cluster's kube target
 * runs in test/clusters/local-cluster/local-cluster.test.ts, on real kubelets).
 */
import { describe, expect, it } from 'vitest';
import { scaleUnitResources } from '../../../harness/targets/kube/local-cluster.ts';

describe('replica sizes on a local cluster', () => {
  it('scales requests and limits with the nodes, keeping four replicas per scaled t2.small', () => {
    const units = { cpuRequest: '250m', cpuLimit: '1', memoryRequestMiB: 128, memoryLimitMiB: 512 };
    expect(scaleUnitResources(units, 0.3)).toEqual({ cpuRequest: '75m', cpuLimit: '300m', memoryRequestMiB: 38, memoryLimitMiB: 154 });
    expect(scaleUnitResources(units, 1)).toEqual({ cpuRequest: '250m', cpuLimit: '1000m', memoryRequestMiB: 128, memoryLimitMiB: 512 });
    // Never below what a process can start in.
    expect(scaleUnitResources(units, 0.001)).toMatchObject({ cpuRequest: '1m', memoryRequestMiB: 16 });
  });
});
