/**
 * One metrics.k8s.io PodMetrics item as a resource sample. metrics-server reports each pod's
 * usage as a rate over `window`, ending at `timestamp` (the API's PodMetrics: "usage ... over
 * the interval [Timestamp-Window, Timestamp]"); the sample keeps both, fractional, so that cost
 * weighs each window by its real overlap with the profile instead of treating it as the second
 * its timestamp falls in.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { ResourceSample } from '../../results/schema.ts';
import { parseQuantity } from './nodes.ts';

export interface PodMetricsItem {
  metadata?: { name?: string; namespace?: string };
  timestamp?: string;
  window?: string;
  containers?: { usage?: { cpu?: string; memory?: string } }[];
}

const GO_UNITS: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };

/** A Go duration ("10.5s", "1m0s", "500ms") in seconds, or undefined when it is not one. */
export function goDurationSeconds(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((s, p) => s + Number(p[1]) * GO_UNITS[p[2]!]!, 0);
}

/** The sample, `t` in seconds since `t0` (epoch ms) at the window's end; null without a timestamp. */
export function podMetricsSample(item: PodMetricsItem, name: string, pod: V1Pod | undefined, t0: number): ResourceSample | null {
  const at = item.timestamp ? Date.parse(item.timestamp) : NaN;
  if (!Number.isFinite(at)) return null;
  const sum = (key: 'cpu' | 'memory') => (item.containers ?? []).reduce((s, c) => s + (c.usage?.[key] ? parseQuantity(c.usage[key] as string) : 0), 0);
  const limit = (key: 'cpu' | 'memory') => {
    const limits = (pod?.spec?.containers ?? []).map((c) => c.resources?.limits?.[key]);
    return limits.length > 0 && limits.every((l) => l !== undefined) ? limits.reduce((s, l) => s + parseQuantity(l as string), 0) : null;
  };
  const window = goDurationSeconds(item.window);
  return {
    t: Math.round(at - t0) / 1000,
    node: name,
    cpu: sum('cpu'),
    cpuLimit: limit('cpu'),
    memoryBytes: sum('memory'),
    memoryLimitBytes: limit('memory'),
    ...(window !== undefined && window > 0 ? { intervalS: window } : {}),
  };
}
