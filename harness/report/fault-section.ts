/**
 * The report's Faults section (pure): for a run with --fault, the same schedule's effect on each
 * system side by side (time to recover, requests failed, successful responses short of the
 * baseline, error classes while disrupted), then every fault of every profile in detail.
 */
import { faultRows, type FaultRow } from '../faults/comparison.ts';
import { RECOVERY_DEFINITION } from '../faults/recovery.ts';
import type { FaultRecord } from '../results/schema.ts';
import { escapeHtml } from './html.ts';
import type { RunData } from './run-data.ts';
import { col, type Cell, type Table } from './table.ts';

const CAPTION_COMMON =
  `Recovery: ${RECOVERY_DEFINITION}; time to recover counts from the fault's start, in whole seconds. ` +
  '"Failed" counts the requests that failed in the disrupted seconds (from the fault\'s start until recovery, or the end of the profile); ' +
  '"ok short" counts the successful responses missing against the baseline in those seconds, which also covers requests a stalled system held instead of failing.';

function recoveryCell(r: FaultRow): Cell {
  if (r.status !== 'applied') return r.status;
  if (r.outcome === 'recovered') return r.secondsToRecover;
  return r.outcome === 'not-recovered' ? 'not recovered' : 'unmeasurable';
}

/** One row per fault, profile and system, the systems of one fault next to each other. */
export function faultComparisonTable(run: RunData): Table | null {
  // Profiles come sorted by system (RunData), and the sort by fault is stable: systems stay in order.
  const rows = faultRows(run.profiles);
  if (rows.length === 0) return null;
  const repeated = rows.some((r) => r.repetition > 1);
  return {
    id: 'fault-comparison',
    title: 'Faults: the same schedule on each system',
    caption:
      `${CAPTION_COMMON} "Service lost" is the "ok short" figure in seconds of the system's own baseline, so systems of different throughput compare. ` +
      'A system without the fault\'s subject (the gateway for p2p) shows "not-applicable".',
    columns: [
      col('fault', 'fault'),
      col('workers', 'workers', 'int'),
      ...(repeated ? [col('run', 'run', 'int')] : []),
      col('system', 'system'),
      // Whole seconds: recovery is found to the second.
      col('recovery_s', 'time to recover (s)', 'int'),
      col('after_end_s', 'after it ended (s)', 'int'),
      col('failed', 'failed', 'int'),
      col('ok_short', 'ok short', 'int'),
      col('service_lost_s', 'service lost (s)', 'number'),
      col('error_classes', 'error classes while disrupted'),
    ],
    rows: rows.map((r): Cell[] => [
      r.fault,
      r.workers,
      ...(repeated ? [r.repetition] : []),
      r.system,
      recoveryCell(r),
      r.outcome === 'recovered' ? r.secondsAfterEnd : null,
      r.failed,
      r.okShortfall,
      r.lostSeconds,
      r.status === 'applied' ? r.errorClasses : r.note || null,
    ]),
  };
}

/** Every fault of every profile: when it acted, what it did and undid, and why a figure may mislead. */
export function faultDetailTable(run: RunData): Table | null {
  const rows = faultRows(run.profiles);
  if (rows.length === 0) return null;
  const details = new Map(run.profiles.flatMap((p) => (p.faults ?? []).map((o) => [`${p.system}|${p.workers}|${p.repetition ?? 1}|${o.fault.text}`, o] as const)));
  return {
    id: 'faults',
    title: 'Faults in detail',
    caption:
      "Times are seconds since the profile's measured window opened. The baseline is the median responses/s of the seconds before the profile's first fault; " +
      'the disrupted seconds are those the figures above are taken over.',
    columns: [
      col('fault', 'fault'),
      col('system', 'system'),
      col('workers', 'workers', 'int'),
      col('status', 'status'),
      col('started_s', 'started (s)', 'number'),
      col('ended_s', 'ended (s)', 'number'),
      col('baseline_rps', 'baseline (resp/s)', 'number'),
      col('disrupted_s', 'disrupted seconds'),
      col('what', 'what it did'),
      col('reverted', 'undone'),
      col('note', 'note'),
    ],
    rows: rows.map((r): Cell[] => {
      const o = details.get(`${r.system}|${r.workers}|${r.repetition}|${r.fault}`);
      const d = o?.recovery?.disrupted;
      return [
        r.fault,
        r.repetition > 1 ? `${r.system} (run ${r.repetition})` : r.system,
        r.workers,
        r.status,
        r.startedAt,
        r.endedAt,
        r.baselineThroughput,
        d ? (d.to > d.from ? `${d.from}–${d.to}` : 'none') : null,
        o?.status === 'applied' ? o.detail : null,
        o?.reverted ?? (o?.endedBy === 'instant' ? 'nothing to undo' : null),
        r.note || null,
      ];
    }),
  };
}

export function faultTables(run: RunData): Table[] {
  return [faultComparisonTable(run), faultDetailTable(run)].filter((t): t is Table => t !== null);
}

/** The section's HTML, given how the page renders a table by id; empty without faults. */
export function faultSection(run: RunData, table: (id: string) => string): string {
  if (!run.profiles.some((p) => (p.faults ?? []).length > 0)) return '';
  const schedule = (run.manifest?.options.faults as FaultRecord[] | undefined) ?? [];
  const listed = schedule.length ? `<p class="caption">Schedule, applied in every profile from its window's start: ${schedule.map((f) => `<code>${escapeHtml(f.text)}</code>`).join(', ')}. The timelines mark each fault's start and end (fault-start, fault-end).</p>\n` : '';
  return `<section id="faults"><h2>Faults</h2>\n${listed}${table('fault-comparison')}\n${table('faults')}\n</section>`;
}
