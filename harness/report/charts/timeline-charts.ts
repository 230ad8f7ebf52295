/**
 * Per-profile timelines (the paper's figures 5-10): responses per second, errors per second by
 * class, and p50/p99 latency per second, one chart per system and worker count, with the
 * cluster events of that profile (restarts, OOM kills, process exits) drawn as rules on every
 * panel so a collapse can be matched with its cause.
 */
import type { ProfileResult } from '../../results/schema.ts';
import { round, scaleFor, VEGA_LITE_SCHEMA, type Chart } from './chart.ts';

export function profileLabel(p: { system: string; workers: number }): string {
  return `${p.system}, ${p.workers} worker${p.workers === 1 ? '' : 's'}`;
}

export function profileId(p: { system: string; workers: number }): string {
  return `${p.system}-w${p.workers}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

const WIDTH = 620;

function eventLayers(labelled: boolean): object[] {
  const x = { field: 't', type: 'quantitative' as const };
  const rules = [
    {
      name: 'events',
      data: { name: 'events' },
      mark: { type: 'rule', color: '#444', strokeDash: [3, 2], strokeWidth: 1.5 },
      encoding: {
        x,
        tooltip: [
          { field: 'kind', title: 'event' },
          { field: 'subject', title: 'subject' },
          { field: 'node', title: 'node' },
          { field: 't', title: 'second' },
          { field: 'detail', title: 'detail' },
        ],
      },
    },
  ];
  // Labels on the top panel only: three stacked copies of the same words add nothing.
  const labels = {
    name: 'event_labels',
    data: { name: 'events' },
    mark: { type: 'text', align: 'left', baseline: 'top', dx: 2, fontSize: 9, color: '#444' },
    encoding: { x, y: { value: 2 }, text: { field: 'kind' } },
  };
  return labelled ? [...rules, labels] : rules;
}

export function timelineChart(profile: ProfileResult): Chart {
  const duration = Math.max(profile.durationSeconds, profile.timeline.at(-1)?.t ?? 0);
  const timeline = profile.timeline.map((b) => ({ t: b.t, completed: b.completed, ok: b.ok, p50: round(b.p50), p99: round(b.p99) }));
  const errors = profile.timeline.flatMap((b) =>
    Object.entries(b.errors)
      .filter(([, count]) => (count ?? 0) > 0)
      .map(([cls, count]) => ({ t: b.t, class: cls, count })),
  );
  const events = profile.events
    .filter((e) => e.t >= 0 && e.t <= duration)
    .map((e) => ({ t: round(e.t), kind: e.kind, subject: e.subject, node: e.node ?? '', detail: e.detail }));
  const latencies = timeline.flatMap((b) => [b.p50, b.p99]).filter((v): v is number => v !== null);
  const x = { field: 't', type: 'quantitative' as const, title: 'seconds since the profile started', scale: { domain: [0, Math.max(1, duration)], nice: false, padding: 0 } };
  const panel = (name: string, height: number, layer: object[]) => ({ name, width: WIDTH, height, layer: [...layer, ...eventLayers(name === 'responses')] });
  const outside = profile.events.length - events.length;
  const caption =
    `Per-second view of ${profileLabel(profile)}: responses and successes per second, errors per second by class, ` +
    `and latency percentiles of the responses received in each second. Dashed rules are cluster events` +
    (outside > 0 ? ` (${outside} outside the measured window are listed in the events table).` : '.');
  return {
    id: `timeline-${profileId(profile)}`,
    title: `Timeline: ${profileLabel(profile)}`,
    caption,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      description: caption,
      datasets: { timeline, errors, events },
      resolve: { scale: { color: 'independent' } },
      vconcat: [
        panel('responses', 120, [
          {
            name: 'responses_lines',
            data: { name: 'timeline' },
            transform: [{ fold: ['completed', 'ok'], as: ['series', 'per_second'] }],
            mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.2 },
            encoding: {
              x: { ...x, axis: { title: null, labels: false } },
              y: { field: 'per_second', type: 'quantitative', title: 'responses/s' },
              color: { field: 'series', type: 'nominal', title: 'responses', scale: { domain: ['completed', 'ok'], range: ['#1f77b4', '#2ca02c'] } },
              tooltip: [{ field: 't', title: 'second' }, { field: 'series' }, { field: 'per_second', title: 'per second' }],
            },
          },
        ]),
        panel('errors', 90, [
          {
            name: 'error_bars',
            data: { name: 'errors' },
            // One bar per second, from t to t+1, stacked by class.
            transform: [{ calculate: 'datum.t + 1', as: 't_end' }],
            mark: { type: 'bar' },
            encoding: {
              x: { ...x, axis: { title: null, labels: false } },
              x2: { field: 't_end' },
              // With no errors at all, an explicit domain keeps the empty panel drawable (no infinite extent).
              y: { field: 'count', type: 'quantitative', aggregate: 'sum', stack: 'zero', title: 'errors/s', ...(errors.length ? {} : { scale: { domain: [0, 1] } }) },
              color: { field: 'class', type: 'nominal', title: 'error class', scale: { scheme: 'category10' } },
              tooltip: [{ field: 't', title: 'second' }, { field: 'class', title: 'class' }, { field: 'count', aggregate: 'sum', title: 'errors' }],
            },
          },
        ]),
        panel('latency', 120, [
          {
            name: 'latency_lines',
            data: { name: 'timeline' },
            transform: [{ fold: ['p50', 'p99'], as: ['percentile', 'ms'] }, { filter: 'isValid(datum.ms)' }],
            mark: { type: 'line', strokeWidth: 1.2 },
            encoding: {
              x,
              y: { field: 'ms', type: 'quantitative', title: 'latency (ms)', scale: scaleFor(latencies, 50) },
              color: { field: 'percentile', type: 'nominal', title: 'latency', scale: { domain: ['p50', 'p99'], range: ['#9467bd', '#ff7f0e'] } },
              tooltip: [{ field: 't', title: 'second' }, { field: 'percentile' }, { field: 'ms', title: 'ms', format: ',.2f' }],
            },
          },
        ]),
      ],
    } as Chart['spec'],
  };
}

export function timelineCharts(profiles: ProfileResult[]): Chart[] {
  return profiles.filter((p) => p.timeline.length > 0).map(timelineChart);
}
