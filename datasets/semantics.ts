/**
 * What counts as a temperature reading and how it is normalised. Shared by the dataset
 * statistics and the scenario's filterTemperature function, so both agree on the counts.
 */

/** Urban Observatory variable names that are air temperatures. Compared case-insensitively. */
const TEMPERATURE_VARIABLES = new Set(['temperature', 'room temperature', 'air temperature', 'internal temperature']);

export function isTemperatureVariable(variable: string): boolean {
  return TEMPERATURE_VARIABLES.has(variable.trim().toLowerCase());
}

/** Converts a temperature to °C; undefined when the unit is not a temperature unit. */
export function toCelsius(value: number, units: string): number | undefined {
  // "°C", "deg C", "degrees Celsius", "Celsius", "C", and the single-character "℃" all mean °C.
  const u = units.trim().toLowerCase().replace(/^°|^deg(rees)?\s*/, '');
  if (u === 'c' || u === 'celsius' || u === '℃') return value;
  if (u === 'f' || u === 'fahrenheit' || u === '℉') return ((value - 32) * 5) / 9;
  if (u === 'k' || u === 'kelvin') return value - 273.15;
  return undefined;
}

/** Indoor/outdoor building sensors: anything outside this range is a faulty reading. */
export const PLAUSIBLE_CELSIUS = { min: -40, max: 60 } as const;

export function isPlausibleCelsius(celsius: number): boolean {
  return Number.isFinite(celsius) && celsius >= PLAUSIBLE_CELSIUS.min && celsius <= PLAUSIBLE_CELSIUS.max;
}

export type TemperatureVerdict =
  | { kind: 'temperature'; celsius: number }
  /** A temperature variable whose unit is unknown or whose value is implausible. */
  | { kind: 'dropped'; reason: 'unit' | 'implausible' }
  /** Not a temperature variable. */
  | { kind: 'ignored' };

/**
 * The scenario's filterTemperature decision for one reading, in the same order of checks
 * (variable, then unit, then range), so statistics computed with it match what the scenario
 * keeps, drops and ignores.
 */
export function classifyReading(variable: string, units: string, value: number): TemperatureVerdict {
  if (!isTemperatureVariable(variable)) return IGNORED;
  const celsius = toCelsius(value, units);
  if (celsius === undefined) return DROPPED_UNIT;
  if (!isPlausibleCelsius(celsius)) return DROPPED_IMPLAUSIBLE;
  return { kind: 'temperature', celsius };
}

const IGNORED: TemperatureVerdict = { kind: 'ignored' };
const DROPPED_UNIT: TemperatureVerdict = { kind: 'dropped', reason: 'unit' };
const DROPPED_IMPLAUSIBLE: TemperatureVerdict = { kind: 'dropped', reason: 'implausible' };
