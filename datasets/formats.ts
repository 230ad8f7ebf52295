/**
 * The file formats the loader reads and the generator writes, and how synthetic data is
 * labelled. Header names live here so reader and writer cannot drift apart.
 */

/**
 * Columns of an Urban Observatory API v1.1 CSV export (`/api/v1.1/sensors/data/csv/`), in the
 * order the API writes them. The loader matches columns by name, so only the five fields it
 * needs must be present, in any order; the others are ignored.
 */
export const URBAN_OBSERVATORY_COLUMNS = [
  'Sensor Name',
  'Variable',
  'Units',
  'Timestamp',
  'Value',
  'Location (WKT)',
  'Ground Height Above Sea Level',
  'Broker Name',
  'Third Party',
  'Sensor Centroid Longitude',
  'Sensor Centroid Latitude',
  'Raw ID',
  'Flagged as Suspect Reading',
] as const;

/** The harness's compact form: exactly the scenario's SensorValue fields. */
export const COMPACT_COLUMNS = ['sensor', 'variable', 'units', 'timestamp', 'value'] as const;

export type Field = (typeof COMPACT_COLUMNS)[number];

/** Header names accepted for each field, lower-cased (Urban Observatory first, compact second). */
export const FIELD_HEADERS: Record<Field, readonly string[]> = {
  sensor: ['sensor name', 'sensor'],
  variable: ['variable'],
  units: ['units'],
  timestamp: ['timestamp'],
  value: ['value'],
};

export const DATASET_FORMATS = ['uo', 'compact', 'ndjson'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/**
 * Every sensor the generator invents is named with this prefix. Urban Observatory sensor names
 * never start with it (theirs start with the broker or family, e.g. PER_EMOTE_, PER_AIRMON_), so
 * the label survives any slicing of the file and travels inside every replayed request.
 */
export const SYNTHETIC_SENSOR_PREFIX = 'SYNTH_';

export function isSyntheticSensor(sensor: string): boolean {
  return sensor.startsWith(SYNTHETIC_SENSOR_PREFIX);
}

/** Quotes a CSV field only when it must be (RFC 4180). */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
