/**
 * A table as data: the HTML page formats it for reading, the CSV export writes the raw values
 * under machine-friendly column keys (units in the key), so pandas and R get numbers, not text.
 */
export type Cell = string | number | boolean | null;

export type CellFormat = 'text' | 'int' | 'number' | 'percent' | 'ms' | 'change';

export interface Column {
  /** CSV header: snake_case with the unit, e.g. `mean_ms`. */
  key: string;
  /** HTML header, for people. */
  label: string;
  format: CellFormat;
}

export interface Table {
  /** Unique within a report; also the CSV file name. */
  id: string;
  title: string;
  caption: string;
  columns: Column[];
  rows: Cell[][];
  /**
   * A table too wide for a page is shown in parts, each with its own columns (by index; the key
   * columns repeated in each); the CSV still holds every column. Default: one part, all columns.
   */
  parts?: { title: string; columns: number[] }[];
}

export const col = (key: string, label: string = key, format: CellFormat = 'text'): Column => ({ key, label, format });

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function formatNumber(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 1 : abs >= 1 ? 2 : 3;
  return new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/** The text a person reads in a cell. Empty cells (null) print as an en dash. */
export function formatCell(value: Cell, format: CellFormat): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  switch (format) {
    case 'int':
      return grouped.format(value);
    case 'percent':
      return `${(value * 100).toFixed(value !== 0 && Math.abs(value) < 0.001 ? 3 : 2)}%`;
    case 'change':
      // A relative change or a difference of rates, signed so a reader sees the direction.
      return `${value > 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;
    case 'ms':
    case 'number':
      return formatNumber(value);
    default:
      return String(value);
  }
}
