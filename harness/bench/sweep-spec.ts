/**
 * What a sweep is (pure): its axes (`--sweep length=1,2,4,8 --sweep payload=1KB,64KB,1MB`), the
 * cross product of their values over a base chain spec, each point's folder name, and the keys a
 * resumed sweep is checked by: the hash of the options every point shares, and per point its
 * parameters with that hash.
 */
import { createHash } from 'node:crypto';
import { usageError } from '../errors.ts';
import { checkChainSpec, formatChainSpec, formatSize, parseLength, parseSize, parseWorkMs, type ChainSpec } from '../dataflow/synthetic-chain.ts';
import type { BenchOptions } from './options.ts';

export const SWEEP_AXES = ['length', 'payload', 'work'] as const;
export type SweepAxisName = (typeof SWEEP_AXES)[number];

export interface SweepAxis {
  name: SweepAxisName;
  /** In the spec's units: steps, bytes, ms. */
  values: number[];
}

export interface SweepPoint {
  /** Folder name of the point, e.g. length-4_payload-64KB. */
  id: string;
  spec: ChainSpec;
  /** The swept parameters only, as written (length, payload, work). */
  params: Record<string, string>;
}

const SPEC_FIELD: Record<SweepAxisName, keyof ChainSpec> = { length: 'length', payload: 'payloadBytes', work: 'workMs' };

function parseAxisValue(axis: SweepAxisName, text: string): number {
  if (axis === 'length') return parseLength(text);
  if (axis === 'payload') return parseSize(text);
  return parseWorkMs(text);
}

export function formatAxisValue(axis: SweepAxisName, value: number): string {
  return axis === 'payload' ? formatSize(value) : String(value);
}

/** One `--sweep axis=v1,v2,…`; the parser of the repeatable option. */
export function parseSweepAxis(text: string): SweepAxis {
  const m = /^\s*([a-z]+)\s*=\s*(.+)$/.exec(text);
  if (!m) throw usageError(`--sweep ${text}: write axis=value,value,… (axes: ${SWEEP_AXES.join(', ')}), e.g. --sweep length=1,2,4,8`);
  const name = m[1] as SweepAxisName;
  if (!SWEEP_AXES.includes(name)) throw usageError(`--sweep ${text}: unknown axis "${m[1]}" (axes: ${SWEEP_AXES.join(', ')})`);
  const texts = m[2]!.split(',').map((v) => v.trim());
  // "1,,2" or a trailing comma: a value left out by mistake, not one to drop without a word.
  if (texts.some((v) => v === '')) throw usageError(`--sweep ${text}: a value is empty (two commas together, or one at an end): give every value`);
  const values = texts.map((v) => parseAxisValue(name, v));
  if (new Set(values).size !== values.length) throw usageError(`--sweep ${text}: a value is given twice`);
  return { name, values };
}

export function checkAxes(axes: readonly SweepAxis[]): void {
  const seen = new Set<string>();
  for (const axis of axes) {
    if (seen.has(axis.name)) throw usageError(`--sweep ${axis.name} is given twice; give its values in one list`);
    seen.add(axis.name);
  }
}

/** The cross product of the axes over the base spec, the first axis varying slowest. */
export function sweepPoints(base: ChainSpec, axes: readonly SweepAxis[]): SweepPoint[] {
  checkAxes(axes);
  let points: SweepPoint[] = [{ id: '', spec: { ...base }, params: {} }];
  for (const axis of axes) {
    points = points.flatMap((point) =>
      axis.values.map((value) => {
        const text = formatAxisValue(axis.name, value);
        return {
          id: point.id ? `${point.id}_${axis.name}-${text}` : `${axis.name}-${text}`,
          spec: { ...point.spec, [SPEC_FIELD[axis.name]]: value },
          params: { ...point.params, [axis.name]: text },
        };
      }),
    );
  }
  for (const point of points) checkChainSpec(point.spec);
  return points;
}

/** JSON with keys sorted at every level: the same options always hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The options every point of a sweep shares, as the resume check compares them: what shapes a
 * measurement (systems, workers, durations, timeouts, target, topology, the base spec's unswept
 * parameters), not where results go (run id, folders) nor which points there are.
 */
export function sharedOptions(options: BenchOptions, extra: { topology?: string | undefined; base: ChainSpec; axes: readonly SweepAxis[] }): Record<string, unknown> {
  const { runId: _runId, runsDir: _runsDir, buildDir: _buildDir, scenarioFile: _scenario, preset: _preset, ...measured } = options;
  const swept = new Set(extra.axes.map((a) => SPEC_FIELD[a.name]));
  const base = Object.fromEntries(Object.entries(extra.base).filter(([k]) => !swept.has(k as keyof ChainSpec)));
  return { ...measured, topology: extra.topology ?? null, chain: base };
}

export function optionsHash(shared: Record<string, unknown>): string {
  return sha256(canonicalJson(shared)).slice(0, 16);
}

/** The key a point is found by on disk: its full spec (or scenario file and hash) and the shared options' hash. */
export function pointKey(what: Record<string, unknown>, hash: string): string {
  return sha256(canonicalJson({ what, options: hash })).slice(0, 16);
}

/** The spec a point runs, as `--scenario` takes it. */
export const pointScenario = (point: SweepPoint) => formatChainSpec(point.spec);

/** Differences between two option sets, for the one-line refusal: `duration 3000 → 5000`. */
export function optionDifferences(before: Record<string, unknown>, now: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(now)])].sort();
  return keys
    .filter((k) => canonicalJson(before[k] ?? null) !== canonicalJson(now[k] ?? null))
    .map((k) => `${k} ${canonicalJson(before[k] ?? null)} → ${canonicalJson(now[k] ?? null)}`);
}
