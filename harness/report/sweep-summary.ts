/**
 * What the index of runs (reports/index.html) lists of each sweep: what it varied, over which
 * systems and worker counts, how many of its points are complete, and a link to its report.
 * Pure.
 */
import type { SweepData } from './sweep-read.ts';
import { col, type Table } from './table.ts';

export interface SweepSummary {
  sweepId: string;
  /** Link to the sweep's report, relative to the index page. */
  href: string;
  createdAt: string;
  updatedAt: string;
  /** `length=1,2,4,8 × payload=1KB,64KB`. */
  axes: string;
  systems: string[];
  workers: number[];
  target: string;
  /** Complete points, of the points the sweep plans (the --predict point among them). */
  complete: number;
  planned: number;
  predict: string | null;
  problems: number;
}

/** How many points the sweep plans (its --predict point among them) and how many are complete. */
export function sweepProgress(data: Pick<SweepData, 'manifest' | 'pending'>): { complete: number; planned: number } {
  const planned = data.manifest.points.length + (data.manifest.predict ? 1 : 0);
  return { complete: planned - data.pending.length, planned };
}

export function summarizeSweep(data: SweepData, href: string): SweepSummary {
  const m = data.manifest;
  const { complete, planned } = sweepProgress(data);
  return {
    sweepId: m.sweepId,
    href,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    axes: m.axes.map((a) => `${a.name}=${a.values.join(',')}`).join(' × '),
    systems: (m.options.systems as string[] | undefined) ?? [],
    workers: (m.options.workers as number[] | undefined) ?? [],
    target: String(m.options.target ?? 'unknown'),
    complete,
    planned,
    predict: m.predict?.scenario ?? null,
    problems: data.problems.length,
  };
}

/** The sweeps in the order given (sortSweeps: newest first). */
export function sweepListTable(sweeps: readonly SweepSummary[]): Table {
  return {
    id: 'sweeps',
    title: 'Every sweep in this folder',
    caption: 'Newest first (by when each last ran). A sweep with points still to run is resumed by running it again with the same --run-id; its report fits the complete points.',
    columns: [
      col('sweep_id', 'sweep'),
      col('updated', 'last run'),
      col('axes', 'axes'),
      col('systems', 'systems'),
      col('workers', 'workers'),
      col('target', 'target'),
      col('points', 'points complete'),
      col('predict', 'predicts'),
      col('status', 'status'),
    ],
    rows: sweeps.map((s) => [
      s.sweepId,
      s.updatedAt,
      s.axes,
      s.systems.join(', '),
      s.workers.join(', '),
      s.target,
      `${s.complete} of ${s.planned}`,
      s.predict,
      [s.complete < s.planned ? 'partial' : 'complete', s.problems > 0 ? `${s.problems} unreadable file(s)` : ''].filter(Boolean).join(', '),
    ]),
  };
}

/** Newest first, by when each sweep last ran. */
export function sortSweeps(sweeps: readonly SweepSummary[]): SweepSummary[] {
  return [...sweeps].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.sweepId.localeCompare(b.sweepId));
}
