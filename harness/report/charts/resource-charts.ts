/**
 * Per-node CPU and memory over each profile, where the target recorded them. CPU is a fraction
 * of one core (so a 1-vCPU node saturates at 1); memory is in MiB.
 */
import type { ProfileResult } from '../../results/schema.ts';
import { distinctColor, round, VEGA_LITE_SCHEMA, type Chart } from './chart.ts';
import { profileId, profileLabel } from './timeline-charts.ts';

export function resourceChart(profile: ProfileResult): Chart {
  // Node samples only; per-unit samples (inside their nodes) are in the resources CSV.
  const nodeSamples = profile.resources.filter((s) => s.unit === undefined);
  const samples = nodeSamples.map((s) => ({ t: s.t, node: s.node, cpu: round(s.cpu, 3), mem: round(s.memoryBytes / 1048576, 4) }));
  const limits = [...new Map(nodeSamples.map((s) => [s.node, s.cpuLimit])).entries()]
    .map(([node, limit]) => (limit === null ? `${node} unlimited` : `${node} ${round(limit, 3)} core`))
    .join(', ');
  const x = { field: 't', type: 'quantitative' as const, title: 'seconds since the profile started' };
  // Every node its own colour, the same in both panels: the default scheme repeats after ten.
  const listed = (profile.manifest?.target?.nodes ?? []).map((n) => n.name);
  const nodes = [...new Set([...listed.filter((n) => nodeSamples.some((s) => s.node === n)), ...nodeSamples.map((s) => s.node)])];
  const color = distinctColor('node', 'node', nodes);
  const caption = `CPU (fraction of one core) and resident memory per node during ${profileLabel(profile)}. CPU quotas: ${limits || 'not recorded'}.`;
  return {
    id: `resources-${profileId(profile)}`,
    title: `Nodes: ${profileLabel(profile)}`,
    caption,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      description: caption,
      data: { values: samples },
      resolve: { scale: { color: 'shared' } },
      hconcat: [
        {
          name: 'cpu',
          width: 290,
          height: 140,
          mark: { type: 'line', strokeWidth: 1.2 },
          encoding: {
            x,
            y: { field: 'cpu', type: 'quantitative', title: 'CPU (cores)' },
            color,
            tooltip: [{ field: 'node' }, { field: 't', title: 'second' }, { field: 'cpu', title: 'cores', format: '.3f' }],
          },
        },
        {
          name: 'memory',
          width: 290,
          height: 140,
          mark: { type: 'line', strokeWidth: 1.2 },
          encoding: {
            x,
            y: { field: 'mem', type: 'quantitative', title: 'memory (MiB)' },
            color,
            tooltip: [{ field: 'node' }, { field: 't', title: 'second' }, { field: 'mem', title: 'MiB', format: ',.1f' }],
          },
        },
      ],
    } as Chart['spec'],
  };
}

export function resourceCharts(profiles: ProfileResult[]): Chart[] {
  return profiles.filter((p) => p.resources.length > 0).map(resourceChart);
}
