/**
 * One line of the NDJSON compact form: {"sensor","variable","units","timestamp","value"}.
 * Problems come back with the column (1-based character position) they concern.
 */
import { clip } from './clip.ts';

export interface NdjsonReading {
  sensor: string;
  variable: string;
  units: string;
  timestamp: string;
  value: number;
}

export function ndjsonReading(line: string): { reading: NdjsonReading } | { problem: string; column: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message);
    return { problem: `invalid JSON: ${clip((error as Error).message, 200)}`, column: position ? Number(position[1]) + 1 : 1 };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { problem: 'each line must be one JSON object with sensor, variable, units, timestamp and value', column: 1 };
  }
  const r = parsed as Record<string, unknown>;
  const at = (key: string) => Math.max(0, line.indexOf(`"${key}"`)) + 1;
  for (const key of ['sensor', 'variable', 'timestamp'] as const) {
    if (typeof r[key] !== 'string' || r[key] === '') return { problem: `"${key}" must be a non-empty string`, column: at(key) };
  }
  if (r.units !== undefined && typeof r.units !== 'string') return { problem: '"units" must be a string', column: at('units') };
  if (typeof r.value !== 'number' || !Number.isFinite(r.value)) {
    return { problem: `non-numeric "value" ${clip(JSON.stringify(r.value) ?? String(r.value))}: every reading must be a number`, column: at('value') };
  }
  return {
    reading: {
      sensor: r.sensor as string,
      variable: r.variable as string,
      units: (r.units as string | undefined) ?? '',
      timestamp: r.timestamp as string,
      value: r.value,
    },
  };
}
