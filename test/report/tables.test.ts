/** Tables of a run report: the paper's layout, full-detail tables and their CSV export. */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { toCsv } from '../../harness/report/csv.ts';
import { renderTable } from '../../harness/report/html.ts';
import { assembleRun } from '../../harness/report/run-data.ts';
import { dataExports, runTables } from '../../harness/report/run-tables.ts';
import { syntheticRun } from '../../harness/report/synthetic-run.ts';
import { formatCell, type Table } from '../../harness/report/table.ts';

const full = syntheticRun({ runId: 'tables', seconds: 10 });
const run = assembleRun('tables', full.manifest, full.profiles);
const tables = runTables(run);
const byId = (id: string) => tables.find((t) => t.id === id)!;

describe('paper-layout tables', () => {
  it('put one row per worker count and our figures beside the paper columns', () => {
    const throughput = byId('throughput');
    expect(throughput.columns.map((c) => c.key)).toEqual([
      'workers',
      'p2p_throughput_rps',
      'paper_p2p_throughput_rps',
      'openfaas_throughput_rps',
      'paper_openfaas_throughput_rps',
    ]);
    expect(throughput.rows.map((r) => r[0])).toEqual([1, 5, 10, 50]);
    const of10 = full.profiles.find((p) => p.system === 'openfaas' && p.workers === 10)!;
    expect(throughput.rows[2]).toEqual([10, expect.any(Number), 4.59, of10.throughput, 5.18]);
    expect(byId('error-rate').rows[3]).toEqual([50, expect.any(Number), 0.1881, expect.any(Number), 0.9903]);
    expect(byId('mean-latency').rows[0]![2]).toBe(490);
  });

  it('leave a cell empty for a profile that has no result', () => {
    const partial = assembleRun('p', full.manifest, full.profiles.filter((p) => !(p.system === 'openfaas' && p.workers === 50)));
    const row = runTables(partial).find((t) => t.id === 'throughput')!.rows.find((r) => r[0] === 50)!;
    expect(row[3]).toBeNull();
    expect(renderTable(runTables(partial)[1]!)).toContain('<td class="num">–</td>');
  });
});

describe('detail tables', () => {
  it('hold every profile, error class, hop and event', () => {
    expect(byId('profiles').rows).toHaveLength(8);
    const errors = byId('errors-by-class');
    for (const [i, p] of full.profiles.entries()) expect(errors.rows[i]!.at(-1)).toBe(p.requests - p.ok);
    expect(byId('hop-gaps').rows).toHaveLength(24);
    expect(byId('events').rows).toHaveLength(3);
    expect(byId('manifest').rows.find((r) => r[0] === 'route')![1]).toBe('get → filter-temperature → compute-average → display');
    expect(byId('nodes').rows).toHaveLength(6);
    expect(byId('paper-reference').rows).toHaveLength(8);
  });
});

describe('timeout table', () => {
  it("puts each system's deadline and waits side by side, with the client's timeout in the caption", () => {
    const deadline = { deadlineMs: 10_000, callMs: 10_000, others: {} };
    const manifest = {
      ...full.manifest,
      timeouts: {
        clientMs: 20_000,
        systems: {
          p2p: { ...deadline, deadlineBy: 'chain budget', callBy: 'next service' },
          openfaas: { ...deadline, deadlineBy: 'exec_timeout', callBy: 'each step', others: { 'gateway upstream_timeout': 60_000 } },
        },
      },
    };
    const table = runTables(assembleRun('timeouts', manifest, full.profiles)).find((t) => t.id === 'timeouts')!;
    expect(table.rows).toEqual([
      ['p2p', 10_000, 'chain budget', 10_000, 'next service', null],
      ['openfaas', 10_000, 'exec_timeout', 10_000, 'each step', 'gateway upstream_timeout 60 s'],
    ]);
    expect(table.caption).toContain('20 s for both');
    // A run from before they were recorded says so and has no rows.
    const { timeouts: _recorded, ...older } = full.manifest;
    expect(runTables(assembleRun('older', older, full.profiles)).find((t) => t.id === 'timeouts')).toMatchObject({ rows: [], caption: 'Not recorded by this run.' });
  });
});

describe('CSV export', () => {
  it('round-trips every table and data export through a real CSV parser', () => {
    for (const table of [...tables, ...dataExports(run)] as Table[]) {
      const records = parse(toCsv(table), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
      expect(records, table.id).toHaveLength(table.rows.length);
      expect(Object.keys(records[0] ?? {}), table.id).toEqual(table.rows.length ? table.columns.map((c) => c.key) : []);
      for (const [i, row] of table.rows.entries()) {
        for (const [j, column] of table.columns.entries()) {
          const value = row[j];
          expect(records[i]![column.key], `${table.id}[${i}].${column.key}`).toBe(value === null || value === undefined ? '' : String(value));
        }
      }
    }
  });

  it('quotes commas, quotes and line breaks', () => {
    const csv = toCsv({ columns: [{ key: 'a', label: 'a', format: 'text' }], rows: [['x, "y"\nz'], [null], [1.5]] });
    expect(csv).toBe('a\r\n"x, ""y""\nz"\r\n\r\n1.5\r\n');
  });

  it('exports every second of every profile', () => {
    const timeline = dataExports(run).find((t) => t.id === 'timeline')!;
    expect(timeline.rows).toHaveLength(8 * 10);
  });
});

describe('cell formatting', () => {
  it('formats for reading, keeps raw numbers for CSV', () => {
    expect(formatCell(0.9432, 'percent')).toBe('94.32%');
    expect(formatCell(0.0001, 'percent')).toBe('0.010%');
    expect(formatCell(1234567, 'int')).toBe('1,234,567');
    expect(formatCell(2180, 'ms')).toBe('2,180.0');
    expect(formatCell(0.4321, 'ms')).toBe('0.432');
    expect(formatCell(-0.25, 'change')).toBe('-25.0%');
    expect(formatCell(0.1, 'change')).toBe('+10.0%');
    expect(formatCell(null, 'number')).toBe('–');
    expect(formatCell(true, 'text')).toBe('yes');
  });

  it('escapes text so a hostile value cannot inject markup', () => {
    const html = renderTable({ id: 't', title: '<b>', caption: '', columns: [{ key: 'a', label: 'a', format: 'text' }], rows: [['<script>alert(1)</script>']] });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;');
  });
});
