/** The targets a bench can run on, built from CLI options. */
import { usageError } from '../errors.ts';
import { createLoopbackTarget } from './loopback/loopback-target.ts';
import { createFogTarget } from './local/fog-target.ts';
import type { Target } from './target.ts';

export interface TargetOptions {
  runId: string;
  /** kube: cluster access and image handling. */
  kubeconfig?: string;
  context?: string;
  registry?: string;
  keep?: boolean;
  /** fog: topology file (default clusters/local/fog.yaml). */
  topology?: string;
  /** Progress lines from long target work (image builds, cluster checks). */
  progress?: (message: string) => void;
}

type TargetFactory = (options: TargetOptions) => Target | Promise<Target>;

export const TARGETS: Record<string, TargetFactory> = {
  fog: (o) => createFogTarget({ runId: o.runId, ...(o.topology ? { topologyFile: o.topology } : {}) }),
  loopback: () => createLoopbackTarget(),
  // Imported on use: the Kubernetes client takes most of a second to load.
  kube: async (o) =>
    (await import('./kube/kube-target.ts')).createKubeTarget({ kubeconfig: o.kubeconfig, context: o.context, registry: o.registry, keep: o.keep, runId: o.runId, progress: o.progress }),
};

/** Fog-in-a-box: network namespaces as nodes, cgroups as their CPU and memory. */
export const DEFAULT_TARGET = 'fog';

export async function createTarget(name: string, options: TargetOptions): Promise<Target> {
  const factory = TARGETS[name];
  if (!factory) throw usageError(`unknown target "${name}" (available: ${Object.keys(TARGETS).join(', ')})`);
  if (name !== 'fog' && options.topology !== undefined) throw usageError('--topology only applies to --target fog');
  if (name !== 'kube') {
    const kubeOnly = (['kubeconfig', 'context', 'registry', 'keep'] as const).filter((k) => options[k] !== undefined && options[k] !== false);
    if (kubeOnly.length) throw usageError(`--${kubeOnly[0]} only applies to --target kube`);
  }
  return factory(options);
}
