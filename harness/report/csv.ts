/**
 * RFC 4180 CSV of a table: header row of column keys, CRLF line ends, fields quoted only when
 * they hold a comma, quote or line break. Numbers are written in full precision; null is empty.
 */
import type { Cell, Table } from './table.ts';

function field(value: Cell): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(table: Pick<Table, 'columns' | 'rows'>): string {
  const lines = [table.columns.map((c) => field(c.key)), ...table.rows.map((row) => table.columns.map((_, i) => field(row[i] ?? null)))];
  return lines.map((cells) => cells.join(',')).join('\r\n') + '\r\n';
}
