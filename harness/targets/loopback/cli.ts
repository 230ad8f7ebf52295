/** What the loopback target adds to the command line: nothing but its name (harness/targets/registry.ts). */
import type { TargetDefinition } from '../target-definition.ts';
import { createLoopbackTarget } from './loopback-target.ts';

export const loopbackTargetDefinition: TargetDefinition = {
  name: 'loopback',
  description: 'plain processes on 127.0.0.1 (no root)',
  options: [],
  create: () => createLoopbackTarget(),
};
