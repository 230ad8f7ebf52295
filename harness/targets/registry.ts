/** The targets a bench can run on, built from CLI options. */
import { usageError } from '../errors.ts';
import { createKubeTarget } from './kube/kube-target.ts';
import { createLoopbackTarget } from './loopback/loopback-target.ts';
import type { Target } from './target.ts';

export interface TargetOptions {
  runId: string;
  /** kube: cluster access and image handling. */
  kubeconfig?: string;
  context?: string;
  registry?: string;
  keep?: boolean;
  /** Progress lines from long target work (image builds, cluster checks). */
  progress?: (message: string) => void;
}

type TargetFactory = (options: TargetOptions) => Target;

export const TARGETS: Record<string, TargetFactory> = {
  loopback: () => createLoopbackTarget(),
  kube: (o) =>
    createKubeTarget({ kubeconfig: o.kubeconfig, context: o.context, registry: o.registry, keep: o.keep, runId: o.runId, progress: o.progress }),
};

export const DEFAULT_TARGET = 'loopback';

export function createTarget(name: string, options: TargetOptions): Target {
  const factory = TARGETS[name];
  if (!factory) throw usageError(`unknown target "${name}" (available: ${Object.keys(TARGETS).join(', ')})`);
  if (name !== 'kube') {
    const kubeOnly = (['kubeconfig', 'context', 'registry', 'keep'] as const).filter((k) => options[k] !== undefined && options[k] !== false);
    if (kubeOnly.length) throw usageError(`--${kubeOnly[0]} only applies to --target kube`);
  }
  return factory(options);
}
