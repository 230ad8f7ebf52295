/** The systems a bench can run. Each one says itself, when planned, if a target cannot host it. */
import { usageError } from '../errors.ts';
import { openfaasChainSystem, openfaasSystem } from './openfaas.ts';
import { p2pSystem } from './p2p.ts';
import type { System } from './system.ts';

export const SYSTEMS: Record<string, System> = { p2p: p2pSystem, openfaas: openfaasSystem, 'openfaas-chain': openfaasChainSystem };

/** Systems run by default: the comparison. */
export const DEFAULT_SYSTEMS = ['p2p', 'openfaas'];

export function checkSystems(names: readonly string[]): void {
  for (const name of names) {
    if (!SYSTEMS[name]) throw usageError(`unknown system "${name}" (available: ${Object.keys(SYSTEMS).join(', ')})`);
  }
}
