import { describe, expect, it } from 'vitest';
import { judgeClaims } from '../../harness/replication/verdicts.ts';
import { replicationSection, replicationTables, timelineFactsTable, verdictTable } from '../../harness/report/replication-section.ts';
import { assembleRun } from '../../harness/report/run-data.ts';
import { buildRunReport, renderRunPage } from '../../harness/report/run-report.ts';
import { toCsv } from '../../harness/report/csv.ts';
import { paperLikeSpecs, profilesOf } from '../helpers/paper-like-run.ts';

const profiles = profilesOf(paperLikeSpecs());
const run = assembleRun('paper-like', profiles[0]!.manifest, profiles);

/** A table's rows as objects by CSV key. */
const rowsOf = (table: ReturnType<typeof timelineFactsTable>) => table.rows.map((r) => Object.fromEntries(table.columns.map((c, i) => [c.key, r[i]])));

describe('Replication section', () => {
  it('shows every verdict with its evidence and where the paper says it', () => {
    const table = verdictTable(judgeClaims(profiles));
    expect(table.columns.map((c) => c.key)).toEqual(['id', 'status', 'claim', 'evidence', 'source']);
    expect(table.rows).toHaveLength(14);
    expect(table.rows[6]).toEqual(['C7', 'reproduced', 'OpenFaaS errors start about 90 s into the 10-worker run and do not recover', expect.stringMatching(/errors took over at 90 s/), expect.stringMatching(/lines 666–670, 680–686/)]);
  });

  it("gives each profile's onset, recovery, crashes and failure mechanism, as numbers in the CSV", () => {
    const table = timelineFactsTable(run);
    const rows = rowsOf(table);
    const of = (system: string, workers: number) => rows.find((r) => r.system === system && r.workers === workers)!;
    expect(of('openfaas', 10)).toMatchObject({ errors_took_over: 'after successful responses', onset_s: 90, failing_until_s: null, recovery_s: null, main_mechanism: 'rejection' });
    expect(of('openfaas', 50)).toMatchObject({ p99_ms: expect.closeTo(14_330, -2), deadline_ms: 10_000, gateway_crashes: 3, function_crashes: 0, service_crashes: null, main_mechanism: 'deadline', incidents: expect.stringMatching(/^gateway: gateway exit at 230 s, gateway restart at 240 s/) });
    expect(of('p2p', 50)).toMatchObject({ errors_took_over: 'from the start', onset_s: 0, failing_until_s: 40, gateway_crashes: null, service_crashes: 0, incidents: 'none' });
    expect(of('p2p', 1)).toMatchObject({ errors_took_over: 'never', onset_s: null, error_rate: expect.closeTo(0.0025, 3), failures: expect.stringMatching(/^3 failures \(envelope 3\), by mechanism: rejection/) });
    expect(toCsv(table).split(/\r?\n/)[0]).toBe(
      'system,workers,window_s,warmup_s,error_rate,errors_took_over,onset_s,failing_until_s,recovery_s,p99_ms,deadline_ms,gateway_crashes,function_crashes,service_crashes,probe_failures,incidents,main_mechanism,failures',
    );
    // Shown on the page in two parts, each led by the profile's key columns.
    expect(table.parts!.map((p) => p.columns.slice(0, 2))).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });

  it('says when a window was too short to judge', () => {
    const short = profilesOf(paperLikeSpecs(), (s) => {
      s['p2p-w1'] = { system: 'p2p', workers: 1, seconds: 20, rate: 2, latencyMs: 490 };
    });
    const row = rowsOf(timelineFactsTable(assembleRun('short', short[0]!.manifest, short))).find((r) => r.system === 'p2p' && r.workers === 1)!;
    expect(row).toMatchObject({ errors_took_over: 'not judged (window under 30 s)', onset_s: null });
  });

  it('adds the run column when profiles were repeated', () => {
    const repeated = profilesOf(paperLikeSpecs(), (s) => {
      s['p2p-w1-r2'] = { ...s['p2p-w1']!, repetition: 2 };
    });
    const table = timelineFactsTable(assembleRun('reps', repeated[0]!.manifest, repeated));
    expect(table.columns.slice(0, 3).map((c) => c.key)).toEqual(['system', 'workers', 'run']);
    expect(table.parts!.every((p) => p.columns.slice(0, 3).join() === '0,1,2')).toBe(true);
  });

  it('is a section of the run page, linked from its navigation, and absent without profiles', () => {
    const content = buildRunReport(run);
    expect(content.verdicts).toHaveLength(14);
    expect(content.tables.map((t) => t.id)).toEqual(expect.arrayContaining(['verdicts', 'timeline-facts']));
    const html = renderRunPage(run, content, { css: '', viewerScript: '', vendorScripts: [], csvHref: 'csv/' });
    expect(html).toContain('<a href="#replication">Replication</a>');
    expect(html).toMatch(/<section id="replication"><h2>Replication<\/h2>[\s\S]*<table data-table="verdicts">[\s\S]*<table data-table="timeline-facts">/);
    expect(html).toContain('<a href="verdicts.json">verdicts.json</a>');
    const empty = assembleRun('empty', run.manifest, []);
    expect(replicationTables(empty, [])).toEqual([]);
    expect(replicationSection(empty, () => 'x')).toBe('');
    expect(renderRunPage(empty, buildRunReport(empty), { css: '', viewerScript: '', vendorScripts: [], csvHref: 'csv/' })).not.toContain('#replication');
  });
});
