/**
 * The report's Replication section (pure): the verdict on each of the paper's claims, and the
 * timeline facts of every profile they rest on (error onset and recovery, crashes and probe
 * failures of the gateway, functions and services, the mechanism behind the failures).
 */
import { EPISODE_RULES } from '../replication/error-episodes.ts';
import { incidentList, timelineFacts } from '../replication/timeline-facts.ts';
import type { Verdict } from '../replication/verdicts.ts';
import { VERDICTS_FILE } from '../replication/verdicts-file.ts';
import { escapeHtml } from './html.ts';
import type { RunData } from './run-data.ts';
import { col, type Cell, type Table } from './table.ts';

export function verdictTable(verdicts: readonly Verdict[]): Table {
  return {
    id: 'verdicts',
    title: "The paper's claims on this run",
    caption:
      'Reproduced, not reproduced, or untestable with what the run lacks, by the rules of docs/replication.md ("Verdict rules"): ' +
      "one run is judged with a 15 % margin, repetitions by their 95 % intervals; a difference must be resolved, a similarity must meet the paper's figure within the margins. " +
      `The same verdicts are in ${VERDICTS_FILE} beside this page.`,
    columns: [col('id'), col('status', 'verdict'), col('claim'), col('evidence'), col('source', 'in the paper')],
    rows: verdicts.map((v) => [v.id, v.status, v.claim, v.evidence, v.source]),
  };
}

export function timelineFactsTable(run: RunData): Table {
  const repeated = run.profiles.some((p) => (p.repetition ?? 1) > 1);
  const { windowS, sustainS, recoveryShare } = EPISODE_RULES;
  const columns = [
    col('system'),
    col('workers', 'workers', 'int'),
    ...(repeated ? [col('run', 'run', 'int')] : []),
    col('window_s', 'window (s)', 'number'),
    col('warmup_s', 'warm-up (s)', 'number'),
    col('error_rate', 'errors', 'percent'),
    col('errors_took_over', 'errors took over'),
    col('onset_s', 'onset (s)', 'int'),
    col('failing_until_s', 'failing until (s)', 'int'),
    col('recovery_s', 'recovery (s)', 'int'),
    col('p99_ms', 'p99 (ms)', 'ms'),
    col('deadline_ms', 'deadline (ms)', 'ms'),
    col('gateway_crashes', 'gateway crashes', 'int'),
    col('function_crashes', 'function crashes', 'int'),
    col('service_crashes', 'service crashes', 'int'),
    col('probe_failures', 'probe failures', 'int'),
    col('incidents', 'incidents'),
    col('main_mechanism', 'main mechanism'),
    col('failures', 'failures by mechanism'),
  ];
  // Two parts on the page, each with the profile's key columns.
  const part = (title: string, first: string, last: string) => {
    const from = columns.findIndex((c) => c.key === first);
    const to = columns.findIndex((c) => c.key === last);
    return { title, columns: [...Array(repeated ? 3 : 2).keys(), ...Array.from({ length: to - from + 1 }, (_, i) => from + i)] };
  };
  return {
    id: 'timeline-facts',
    title: 'Timeline facts: when errors took over, what broke, and why requests failed',
    caption:
      `Onset: the first failing second from which errors stay above half in every ${windowS} s window for ${sustainS} s; ` +
      `recovery: from which they stay at or under ${recoveryShare * 100} % for ${sustainS} s (– : none). "From the start": no successful response came before the onset. ` +
      "Seconds are since the window opened; a warm-up came before it. p99 is over the window's responses, beside the system's end-to-end deadline. Crashes count exits and restarts per unit; probe failures count failed liveness and readiness probes. " +
      "Mechanisms: a deadline (error answers at about one of the system's timers), the client's timeout, a crash or a probe (failures while a unit was out), or rejection (fast failures with no unit out).",
    columns,
    parts: [part('Errors over time', 'window_s', 'deadline_ms'), part('Crashes, probes and mechanisms', 'gateway_crashes', 'failures')],
    rows: run.profiles.map((p): Cell[] => {
      const f = timelineFacts(p);
      const e = f.episodes;
      const roles = f.incidents.byRole;
      const openfaas = p.system !== 'p2p';
      const probes = Object.values(roles).reduce((n, r) => n + r.unhealthy + r.notReady, 0);
      const incidents = (['gateway', 'function', 'service'] as const)
        .filter((role) => roles[role].events.some((x) => x.kind !== 'ready'))
        .map((role) => `${role}: ${incidentList(f, role)}`)
        .join('; ');
      return [
        p.system,
        p.workers,
        ...(repeated ? [p.repetition ?? 1] : []),
        f.windowSeconds,
        f.warmupSeconds,
        f.errorRate,
        !e.judged ? `not judged (window under ${sustainS} s)` : e.onset === null ? 'never' : e.fromStart ? 'from the start' : 'after successful responses',
        e.onset,
        e.onset === null ? null : e.failingUntil,
        e.onset === null ? null : e.recovery,
        f.latency.p99Ms,
        f.latency.deadlineMs,
        openfaas ? roles.gateway.crashes : null,
        openfaas ? roles.function.crashes : null,
        openfaas ? null : roles.service.crashes,
        probes,
        incidents || 'none',
        f.failures.main,
        f.failures.failures ? f.mechanism : null,
      ];
    }),
  };
}

export function replicationTables(run: RunData, verdicts: readonly Verdict[]): Table[] {
  return run.profiles.length ? [verdictTable(verdicts), timelineFactsTable(run)] : [];
}

/** The section's HTML, given how the page renders a table by id; empty without profiles. */
export function replicationSection(run: RunData, table: (id: string) => string): string {
  if (run.profiles.length === 0) return '';
  const intro = `<p class="caption">How this run stands against the claims of the Dyninka paper, and the facts of each profile's timeline the verdicts rest on. Rules: <code>docs/replication.md</code>; verdicts as data: <a href="${escapeHtml(VERDICTS_FILE)}">${escapeHtml(VERDICTS_FILE)}</a>.</p>`;
  return `<section id="replication"><h2>Replication</h2>\n${intro}\n${table('verdicts')}\n${table('timeline-facts')}\n</section>`;
}
