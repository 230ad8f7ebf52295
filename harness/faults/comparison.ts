/**
 * The faults of a run side by side across systems (pure): one row per fault of the schedule,
 * profile and system, with what it did and how the system came back. The report's fault section
 * and the terminal summary are both drawn from these rows.
 */
import type { ErrorCounts, FaultOutcome, ProfileResult } from '../results/schema.ts';

export interface FaultRow {
  fault: string;
  system: string;
  workers: number;
  repetition: number;
  status: FaultOutcome['status'];
  /** At what second it started and ended (null when not applied). */
  startedAt: number | null;
  endedAt: number | null;
  /** recovered / not recovered / unmeasurable / the status when not applied. */
  outcome: string;
  secondsToRecover: number | null;
  secondsAfterEnd: number | null;
  failed: number | null;
  okShortfall: number | null;
  /** okShortfall in seconds of the baseline's successful responses: comparable across systems of different throughput. */
  lostSeconds: number | null;
  /** "envelope 120, refused 3" */
  errorClasses: string;
  baselineThroughput: number | null;
  /** Why not applied, why unmeasurable, overlaps: what a reader must know to trust the row. */
  note: string;
}

export function errorClassesText(errors: Partial<ErrorCounts>): string {
  const parts = Object.entries(errors)
    .filter(([, n]) => (n ?? 0) > 0)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([cls, n]) => `${cls} ${n}`);
  return parts.length ? parts.join(', ') : 'none';
}

export function faultRows(profiles: readonly ProfileResult[]): FaultRow[] {
  const rows: FaultRow[] = [];
  const order = new Map<string, number>();
  for (const p of profiles) for (const o of p.faults ?? []) if (!order.has(o.fault.text)) order.set(o.fault.text, order.size);
  for (const p of profiles) {
    for (const o of p.faults ?? []) {
      const r = o.recovery;
      const notes = [
        o.status === 'applied' ? '' : o.detail,
        r?.status === 'unmeasurable' ? (r.reason ?? '') : '',
        r?.status === 'not-recovered' ? (r.reason ?? '') : '',
        r && r.overlappedBy.length ? `overlaps ${r.overlappedBy.join(', ')}` : '',
        o.reverted?.startsWith('revert failed') ? o.reverted : '',
      ].filter(Boolean);
      rows.push({
        fault: o.fault.text,
        system: p.system,
        workers: p.workers,
        repetition: p.repetition ?? 1,
        status: o.status,
        startedAt: o.startedAt,
        endedAt: o.endedAt,
        outcome: o.status !== 'applied' ? o.status : r === null ? 'unmeasurable' : r.status,
        secondsToRecover: r?.secondsToRecover ?? null,
        secondsAfterEnd: r?.secondsAfterEnd ?? null,
        failed: r ? r.failed : null,
        okShortfall: r ? r.okShortfall : null,
        lostSeconds: r?.baseline && r.baseline.ok > 0 && r.okShortfall !== null ? Math.round((r.okShortfall / r.baseline.ok) * 10) / 10 : null,
        errorClasses: r && r.failed !== null ? errorClassesText(r.errors) : '',
        baselineThroughput: r?.baseline?.throughput ?? null,
        note: notes.join('; '),
      });
    }
  }
  return rows.sort((a, b) => order.get(a.fault)! - order.get(b.fault)! || a.workers - b.workers || a.repetition - b.repetition);
}

/** One line per fault and profile for the terminal, systems of the same profile side by side. */
export function faultSummaryLines(profiles: readonly ProfileResult[]): string[] {
  return faultRows(profiles).map((r) => {
    const head = `${r.fault} · ${r.system} w${r.workers}${r.repetition > 1 ? ` run ${r.repetition}` : ''}: `;
    if (r.status !== 'applied') return `${head}${r.status} (${r.note})`;
    if (r.failed === null) return `${head}recovery cannot be measured: ${r.note || 'no recovery was worked out'}`;
    const recovery = r.outcome === 'recovered' ? `recovered in ${r.secondsToRecover} s` : 'NOT recovered within the profile';
    const figures = `, ${r.failed} failed (${r.errorClasses}), ${r.okShortfall} ok short of the baseline${r.lostSeconds === null ? '' : ` (${r.lostSeconds} s of service)`}`;
    return `${head}${recovery}${figures}${r.note ? ` [${r.note}]` : ''}`;
  });
}
