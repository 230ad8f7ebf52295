/**
 * Which node each unit goes to. Worker unit i goes to worker node i mod N (nodes sorted by
 * name), so successive services of the chain sit on different nodes whenever there are at
 * least two workers and every hop crosses the network, as in the paper's setup.
 */
import type { UnitSpec } from '../target.ts';
import { kubeName, type UnitPlacement } from './manifests.ts';
import type { ClusterNode } from './nodes.ts';

export function placeUnits(units: readonly UnitSpec[], nodes: readonly ClusterNode[]): Map<string, UnitPlacement> {
  const workers = nodes.filter((n) => n.role === 'worker').map((n) => n.name).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const cores = nodes.filter((n) => n.role === 'core').map((n) => n.name);
  const placements = new Map<string, UnitPlacement>();
  const workerUnits = units.filter((u) => u.placement.role === 'worker');
  for (const unit of units) {
    const p = unit.placement;
    if (p.role === 'worker' && workers.length > 0) {
      const position = workerUnits.indexOf(unit);
      const neighbours = [workerUnits[position - 1], workerUnits[position + 1]].filter((u): u is UnitSpec => u !== undefined).map((u) => kubeName(u.name));
      placements.set(unit.name, { role: 'worker', node: workers[p.index % workers.length] ?? null, neighbours });
    } else if (p.role !== 'worker' && cores.length > 0) {
      // Client-role units have no host-side equivalent on a cluster: they run on the core node.
      placements.set(unit.name, { role: 'core', node: null, neighbours: [] });
    } else {
      // A cluster without that role (kind, a single-node K3s): let the scheduler choose.
      placements.set(unit.name, { role: null, node: null, neighbours: [] });
    }
  }
  return placements;
}
