/** The systems a bench can run, and the ones that cannot run here yet, with the reason. */
import { usageError } from '../errors.ts';
import { openfaasSystem } from './openfaas.ts';
import { p2pSystem } from './p2p.ts';
import type { System } from './system.ts';

export const SYSTEMS: Record<string, System> = { p2p: p2pSystem, openfaas: openfaasSystem };

/** Targets each system can run on, and why not elsewhere. */
const RUNS_ON: Record<string, { targets: string[]; elsewhere: string }> = {
  openfaas: {
    targets: ['kube'],
    elsewhere:
      'openfaas is not available on this target yet: locally it needs the real OpenFaaS gateway and of-watchdog binaries, ' +
      'and the Go module proxy refuses github.com/openfaas modules (issue #5 is blocked); run --systems p2p, or --target kube',
  },
};

export function checkSystems(names: readonly string[], target: string): void {
  for (const name of names) {
    if (!SYSTEMS[name]) throw usageError(`unknown system "${name}" (available: ${Object.keys(SYSTEMS).join(', ')})`);
    const limits = RUNS_ON[name];
    if (limits && !limits.targets.includes(target)) throw usageError(limits.elsewhere);
  }
}
