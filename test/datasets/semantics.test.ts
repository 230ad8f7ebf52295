import { describe, expect, it } from 'vitest';
import { SAMPLE_DATASET } from '../../datasets/paths.ts';
import { classifyReading, isTemperatureVariable, toCelsius } from '../../datasets/semantics.ts';
import { datasetStats } from '../../datasets/stats.ts';
import { openDataset } from '../../harness/load/replay.ts';
import { filterTemperature, get, type TemperatureBatch } from '../../scenarios/temperature.ts';

const context = { service: 'test', config: {} };

describe('temperature semantics', () => {
  it('matches temperature variables by exact name, not substring', () => {
    expect(['Temperature', 'Room Temperature', ' air temperature ', 'INTERNAL TEMPERATURE'].every(isTemperatureVariable)).toBe(true);
    expect(['Dew Point Temperature', 'Humidity', 'Temp', ''].some(isTemperatureVariable)).toBe(false);
  });

  it('normalises the unit spellings of Urban Observatory and other exports to °C', () => {
    for (const units of ['Celsius', '°C', 'degC', 'deg C', 'degrees Celsius', 'C', '℃']) expect(toCelsius(21.5, units)).toBe(21.5);
    expect(toCelsius(212, '°F')).toBeCloseTo(100, 10);
    expect(toCelsius(50, 'Fahrenheit')).toBeCloseTo(10, 10);
    expect(toCelsius(300.15, 'K')).toBeCloseTo(27, 10);
    expect(toCelsius(21.5, '%')).toBeUndefined();
    expect(toCelsius(21.5, '')).toBeUndefined();
  });

  it('classifies in the filter order: variable, unit, plausible range', () => {
    expect(classifyReading('CO2', 'ppm', 85)).toEqual({ kind: 'ignored' });
    expect(classifyReading('Temperature', 'ppm', 21)).toEqual({ kind: 'dropped', reason: 'unit' });
    expect(classifyReading('Temperature', 'Celsius', 85)).toEqual({ kind: 'dropped', reason: 'implausible' });
    expect(classifyReading('Temperature', 'Celsius', -127)).toEqual({ kind: 'dropped', reason: 'implausible' });
    expect(classifyReading('Temperature', '°F', 140)).toEqual({ kind: 'temperature', celsius: 60 });
  });

  it('gives the same counts in `dataset stats` as the scenario filter over the replayed sample', async () => {
    const stats = await datasetStats(SAMPLE_DATASET);
    // Batches that tile the sample exactly once: every row is filtered once.
    const batchSize = 330;
    expect(stats.rows % batchSize).toBe(0);
    const { source } = await openDataset(SAMPLE_DATASET, { batchSize });
    let kept = 0;
    let dropped = 0;
    let ignored = 0;
    for (let i = 0; i < stats.rows / batchSize; i++) {
      const readings = await get.run(JSON.parse(source.next().toString('utf8')), context);
      const batch = (await filterTemperature.run(readings, context)) as TemperatureBatch;
      kept += batch.readings.length;
      dropped += batch.dropped;
      ignored += batch.ignored;
    }
    expect({ kept, dropped, ignored }).toEqual({
      kept: stats.temperature.kept,
      dropped: stats.temperature.droppedImplausible + stats.temperature.droppedUnit,
      ignored: stats.temperature.ignored,
    });
    expect(kept).toBeGreaterThan(1000);
    expect(dropped).toBeGreaterThan(0);
  });
});
