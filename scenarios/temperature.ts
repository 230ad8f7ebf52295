/**
 * Smart-building scenario (Dyninka paper): get → filterTemperature → computeAverage → display,
 * over Newcastle Urban Observatory sensor readings. Business logic only; the one I/O is `get`
 * reading the sensors when the request carries no readings (the paper's data path).
 */
import { defineFunction, defineScenario, flow } from '../harness/dataflow/scenario.ts';
import { isPlausibleCelsius, isTemperatureVariable, toCelsius } from '../datasets/semantics.ts';

/** One raw reading as carried in a request (the dataset's compact form). */
export interface SensorValue {
  sensor: string;
  variable: string;
  units: string;
  timestamp: string;
  value: number;
}

export interface Temperature {
  sensor: string;
  timestamp: string;
  celsius: number;
}

export interface TemperatureBatch {
  readings: Temperature[];
  /** Temperature readings dropped as implausible or in an unknown unit. */
  dropped: number;
  /** Readings of other variables, passed over. */
  ignored: number;
}

export interface TemperatureValue extends Temperature {
  /** Moving average of this sensor's last `window` readings in the batch, this one included. */
  average: number;
}

export interface AveragedBatch {
  window: number;
  values: TemperatureValue[];
  dropped: number;
  ignored: number;
}

export interface Display {
  text: string;
  sensors: number;
  readings: number;
  dropped: number;
  ignored: number;
  /** Latest moving average per sensor, in sensor order. */
  latest: { sensor: string; timestamp: string; average: number }[];
}

function fail(message: string): never {
  throw new Error(message);
}

/** No readings: no body, or the empty object a JSON body parser makes of one (the node20 template's). */
const carriesNothing = (input: unknown) =>
  input === undefined || input === null || input === '' || (typeof input === 'object' && !Array.isArray(input) && Object.keys(input).length === 0);

/** The next readings from the sensors' data source, read as function code reads a URL. */
async function readSensors(source: string): Promise<unknown> {
  const res = await fetch(source);
  if (!res.ok) fail(`sensor data source ${source} answered ${res.status}`);
  return res.json();
}

/**
 * The readings to process: the batch the request carries (a JSON array of readings), or, when
 * it carries none and the scenario is given a data source (config `source`), the next readings
 * read from it: the paper's get() takes no argument and reads the sensors (its first service is
 * traced as "fetchdatafromsensor"; --preset paper, docs/replication.md).
 */
export const get = defineFunction<unknown, SensorValue[]>('get', async (input, ctx) => {
  const batch = carriesNothing(input) && ctx.config.source ? await readSensors(ctx.config.source) : input;
  if (!Array.isArray(batch)) fail('request body must be a JSON array of sensor readings');
  return batch.map((r, i): SensorValue => {
    const v = r as Partial<SensorValue> | null;
    if (typeof v !== 'object' || v === null) fail(`reading ${i} is not an object`);
    if (typeof v.sensor !== 'string' || typeof v.variable !== 'string' || typeof v.timestamp !== 'string') {
      fail(`reading ${i} needs string fields sensor, variable and timestamp`);
    }
    if (typeof v.value !== 'number') fail(`reading ${i} has a non-numeric value`);
    return { sensor: v.sensor, variable: v.variable, units: String(v.units ?? ''), timestamp: v.timestamp, value: v.value };
  });
});

export const filterTemperature = defineFunction<SensorValue[], TemperatureBatch>('filterTemperature', (input) => {
  const readings: Temperature[] = [];
  let dropped = 0;
  let ignored = 0;
  for (const r of input) {
    if (!isTemperatureVariable(r.variable)) {
      ignored++;
      continue;
    }
    const celsius = toCelsius(r.value, r.units);
    if (celsius === undefined || !isPlausibleCelsius(celsius)) {
      dropped++;
      continue;
    }
    readings.push({ sensor: r.sensor, timestamp: r.timestamp, celsius });
  }
  return { readings, dropped, ignored };
});

export const computeAverage = defineFunction<TemperatureBatch, AveragedBatch>('computeAverage', (input, ctx) => {
  const window = Number(ctx.config.window ?? '5');
  if (!Number.isInteger(window) || window < 1) fail(`config window must be a positive integer, got "${ctx.config.window}"`);
  // Per-sensor sliding windows with running sums: O(n) over the batch.
  const windows = new Map<string, { values: number[]; sum: number }>();
  const values = input.readings.map((t): TemperatureValue => {
    let w = windows.get(t.sensor);
    if (!w) windows.set(t.sensor, (w = { values: [], sum: 0 }));
    w.values.push(t.celsius);
    w.sum += t.celsius;
    if (w.values.length > window) w.sum -= w.values.shift()!;
    return { ...t, average: round(w.sum / w.values.length, 3) };
  });
  return { window, values, dropped: input.dropped, ignored: input.ignored };
});

export const display = defineFunction<AveragedBatch, Display>('display', (input) => {
  const latest = new Map<string, TemperatureValue>();
  for (const v of input.values) latest.set(v.sensor, v);
  const rows = [...latest.values()]
    .sort((a, b) => (a.sensor < b.sensor ? -1 : a.sensor > b.sensor ? 1 : 0))
    .map((v) => ({ sensor: v.sensor, timestamp: v.timestamp, average: v.average }));
  const text = rows.length
    ? rows.map((r) => `${r.sensor} @ ${r.timestamp}: ${r.average.toFixed(2)} °C (moving average, window ${input.window})`).join('\n')
    : 'no temperature readings in this batch';
  return {
    text,
    sensors: rows.length,
    readings: input.values.length,
    dropped: input.dropped,
    ignored: input.ignored,
    latest: rows,
  };
});

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export default defineScenario({
  name: 'temperature',
  description: 'Smart building: moving average of temperature readings (Newcastle Urban Observatory)',
  flow: flow(get).then(filterTemperature).then(computeAverage).then(display),
  config: { window: '5' },
});
