/** The systems a bench can run, and the ones that cannot run here yet, with the reason. */
import { usageError } from '../errors.ts';
import { p2pSystem } from './p2p.ts';
import type { System } from './system.ts';

export const SYSTEMS: Record<string, System> = { p2p: p2pSystem };

const UNAVAILABLE: Record<string, string> = {
  openfaas:
    'openfaas is not available yet: it needs the real OpenFaaS gateway and of-watchdog binaries, ' +
    'and the Go module proxy refuses github.com/openfaas modules (issue #5 is blocked); run --systems p2p',
};

export function checkSystems(names: readonly string[]): void {
  for (const name of names) {
    if (SYSTEMS[name]) continue;
    throw usageError(UNAVAILABLE[name] ?? `unknown system "${name}" (available: ${Object.keys(SYSTEMS).join(', ')})`);
  }
}
