/**
 * What a profile cost the system: CPU-seconds spent by its nodes during the measured window,
 * integrated from the resource samples (each sample's rate holds until the next one), with
 * the client node left out. Divided by successful requests, it compares systems' efficiency.
 */
import type { ResourceSample } from '../results/schema.ts';

export function systemCost(samples: readonly ResourceSample[], ok: number, excludeNodes: readonly string[] = ['client']): {
  cpuSeconds: number;
  cpuSecondsPerOk: number | null;
  nodes: string[];
} {
  const byNode = new Map<string, ResourceSample[]>();
  for (const s of samples) {
    // Unit samples are parts of their node's: counting both would count them twice.
    if (excludeNodes.includes(s.node) || s.unit !== undefined) continue;
    byNode.set(s.node, [...(byNode.get(s.node) ?? []), s]);
  }
  let cpuSeconds = 0;
  for (const series of byNode.values()) {
    const sorted = [...series].sort((a, b) => a.t - b.t);
    sorted.forEach((s, i) => {
      const next = sorted[i + 1];
      cpuSeconds += s.cpu * (next ? Math.max(0, next.t - s.t) : 1);
    });
  }
  return { cpuSeconds, cpuSecondsPerOk: ok > 0 && byNode.size > 0 ? cpuSeconds / ok : null, nodes: [...byNode.keys()].sort() };
}
