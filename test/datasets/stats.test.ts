import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { datasetStats, formatStats } from '../../datasets/stats.ts';

const fixture = (name: string) => path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/datasets', name);

describe('datasetStats', () => {
  it('counts rows per variable and what the temperature filter does, for a real export', async () => {
    const stats = await datasetStats(fixture('uo-export.csv'));
    expect(stats).toMatchObject({
      synthetic: false,
      rows: 5,
      sensors: 2,
      firstTimestamp: '2019-02-01 00:00:27',
      lastTimestamp: '2019-02-01 00:30:27',
      rowsByVariable: { Humidity: 1, NO2: 1, Temperature: 3 },
      // The 85 °C reading is the suspect one.
      temperature: { kept: 2, droppedImplausible: 1, droppedUnit: 0, ignored: 2 },
    });
    expect(stats.variables).toEqual([
      { variable: 'Humidity', rows: 1, units: ['%'], sensors: 1 },
      { variable: 'NO2', rows: 1, units: ['ugm -3'], sensors: 1 },
      { variable: 'Temperature', rows: 3, units: ['Celsius'], sensors: 1 },
    ]);
    const text = formatStats(stats);
    expect(text).toContain('real (no synthetic sensors)');
    expect(text).toMatch(/^Temperature\s+3\s+60\.0%\s+1\s+Celsius$/m);
    expect(text).toContain('temperature rows 3: kept 2, dropped 1 implausible and 0 in unknown units; 2 other rows ignored');
  });
});
