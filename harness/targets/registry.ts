/** The targets a bench can run on, built from CLI options. */
import { usageError } from '../errors.ts';
import { createLoopbackTarget } from './loopback/loopback-target.ts';
import type { Target } from './target.ts';

export interface TargetOptions {
  runId: string;
}

type TargetFactory = (options: TargetOptions) => Target;

export const TARGETS: Record<string, TargetFactory> = {
  loopback: () => createLoopbackTarget(),
};

export const DEFAULT_TARGET = 'loopback';

export function createTarget(name: string, options: TargetOptions): Target {
  const factory = TARGETS[name];
  if (!factory) throw usageError(`unknown target "${name}" (available: ${Object.keys(TARGETS).join(', ')})`);
  return factory(options);
}
