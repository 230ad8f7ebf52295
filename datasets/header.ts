/**
 * Maps a CSV header to the five fields the harness needs, by name and in any order, so a
 * real Urban Observatory export (13 columns), a trimmed one, or the compact form all load.
 */
import { quoted } from './clip.ts';
import { COMPACT_COLUMNS, FIELD_HEADERS, type Field } from './formats.ts';

export interface HeaderMap {
  /** The header as written (for error messages). */
  names: string[];
  /** For each column, the field slot (index in COMPACT_COLUMNS) it fills, or -1 if ignored. */
  slotOfColumn: Int8Array;
  /** For each field slot, the column index that fills it. */
  columnOfSlot: number[];
  /** 'uo' when the names are the Urban Observatory ones ("Sensor Name"), else 'compact'. */
  flavour: 'uo' | 'compact';
}

/** The header map, or a problem with the column (1-based) it concerns. */
export function mapHeader(names: string[]): HeaderMap | { problem: string; column: number } {
  const slotOfColumn = new Int8Array(names.length).fill(-1);
  const columnOfSlot: number[] = [];
  const normalised = names.map((n) => n.trim().toLowerCase());
  for (const [slot, field] of COMPACT_COLUMNS.entries()) {
    const accepted = FIELD_HEADERS[field];
    const columns = normalised.flatMap((n, i) => (accepted.includes(n) ? [i] : []));
    if (columns.length === 0) {
      return {
        problem: `no ${describe(field)} column in the header (found: ${names.slice(0, 20).map((n) => quoted(n, 40)).join(', ')}${names.length > 20 ? `, … ${names.length} columns in all` : ''}); expected an Urban Observatory export or the compact header ${COMPACT_COLUMNS.join(',')}`,
        column: 1,
      };
    }
    if (columns.length > 1) {
      return { problem: `the header has ${columns.length} ${describe(field)} columns; keep one`, column: columns[1]! + 1 };
    }
    columnOfSlot[slot] = columns[0]!;
    slotOfColumn[columns[0]!] = slot;
  }
  const flavour = normalised[columnOfSlot[0]!] === 'sensor name' ? 'uo' : 'compact';
  return { names, slotOfColumn, columnOfSlot, flavour };
}

function describe(field: Field): string {
  return FIELD_HEADERS[field].map((h) => `"${h}"`).join(' or ');
}
