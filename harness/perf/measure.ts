/** Shared measuring step of the benchmarks: a short closed-loop load, in-process. */
import { fixedBody } from '../load/body-source.ts';
import { chooseDriver, DRIVERS } from '../load/drivers.ts';
import { decodeHistogram } from '../metrics/histogram.ts';
import { ProfileRecorder } from '../metrics/recorder.ts';

export interface Measured {
  rps: number;
  meanMs: number;
  p99Ms: number;
  errors: number;
}

export async function measure(url: string, body: string, options: { workers: number; seconds: number; keepAlive: boolean }): Promise<Measured> {
  // The bench's own rule, so a benchmark measures with the driver a bench would use.
  const driver = chooseDriver('auto', { keepAlive: options.keepAlive });
  const durationMs = options.seconds * 1000;
  const start = performance.now();
  const recorder = new ProfileRecorder(start, durationMs);
  const spec = { url, workers: options.workers, durationMs, keepAlive: options.keepAlive, timeoutMs: 10_000, headers: { 'content-type': 'application/json' } };
  const { cutOff } = await DRIVERS[driver].run(spec, fixedBody(body), recorder, new AbortController().signal);
  const raw = recorder.finish(Math.min(performance.now(), start + durationMs), cutOff);
  const h = decodeHistogram(raw.latencyAll);
  return { rps: raw.requests / (raw.durationMs / 1000), meanMs: h.mean / 1000, p99Ms: h.getValueAtPercentile(99) / 1000, errors: raw.requests - raw.ok };
}

/** Alternates A and B rounds so drift on the machine hits both alike; returns the sums. */
export async function alternate(rounds: number, a: () => Promise<Measured>, b: () => Promise<Measured>): Promise<[Measured[], Measured[]]> {
  const as: Measured[] = [];
  const bs: Measured[] = [];
  for (let i = 0; i < rounds; i++) {
    as.push(await a());
    bs.push(await b());
  }
  return [as, bs];
}

export const meanOf = (ms: Measured[], key: keyof Measured) => ms.reduce((s, m) => s + m[key], 0) / ms.length;

export const SAMPLE_BATCH = JSON.stringify(
  Array.from({ length: 50 }, (_, i) => ({
    sensor: `PER_BUILDING_${i % 5}`,
    variable: ['Temperature', 'Humidity', 'CO2'][i % 3],
    units: ['°C', '%', 'ppm'][i % 3],
    timestamp: `2019-02-01 00:${String(i).padStart(2, '0')}:00`,
    value: 15 + (i % 10),
  })),
);
