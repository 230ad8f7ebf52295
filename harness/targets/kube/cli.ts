/**
 * What the kube target adds to the command line: its own options, declared here so that the
 * bench and serve commands register them without knowing them (harness/targets/registry.ts).
 * The Kubernetes client is imported only when the target is created: it takes most of a
 * second to load.
 */
import type { TargetDefinition } from '../target-definition.ts';

export const kubeTargetDefinition: TargetDefinition = {
  name: 'kube',
  description: 'any Kubernetes cluster a kubeconfig reaches (a fogbench K3s cluster: `npm run cluster -- up`)',
  options: [
    { flags: '--kubeconfig <file>', key: 'kubeconfig', description: 'kubeconfig of the cluster (default: $KUBECONFIG or ~/.kube/config)' },
    { flags: '--context <name>', key: 'context', description: 'kubeconfig context' },
    {
      flags: '--registry <host>',
      key: 'registry',
      description: "a registry of yours for both systems' images, that every node pulls from and that allows anonymous pulls (default: the cluster's own)",
    },
    { flags: '--keep', key: 'keep', description: 'leave everything deployed after the run (for kubectl)' },
  ],
  async create(common, own) {
    const { createKubeTarget } = await import('./kube-target.ts');
    return createKubeTarget({
      ...(typeof own.kubeconfig === 'string' ? { kubeconfig: own.kubeconfig } : {}),
      ...(typeof own.context === 'string' ? { context: own.context } : {}),
      ...(typeof own.registry === 'string' ? { registry: own.registry } : {}),
      ...(own.keep === true ? { keep: true } : {}),
      runId: common.runId,
      ...(common.progress ? { progress: common.progress } : {}),
    });
  },
};
