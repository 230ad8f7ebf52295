/**
 * Synthetic chain scenarios from parameters: `chain:length=L,payload=SIZE,work=MS`. The spec is
 * turned into a real scenario module (a few lines importing synthetic-chain-functions.ts) so that
 * it goes through the same compiler as a hand-written scenario: the bundles import it by path.
 * Also the fixed request body every request of such a run carries.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { usageError } from '../errors.ts';
import { replaceFile } from '../safe-fs.ts';
import type { ChainRecord, ChainSpec } from './synthetic-chain-functions.ts';

export type { ChainSpec };

export const CHAIN_PREFIX = 'chain:';
const FUNCTIONS_MODULE = fileURLToPath(new URL('./synthetic-chain-functions.ts', import.meta.url));

/**
 * Defaults of a spec's parameters: the temperature scenario's length, a small body, and no work
 * of its own, so that a chain measures what communication costs. CPU work is wall time only on
 * an idle CPU: on a shared one 1 ms of CPU per step took 2.5 ms (measured here at load 7 on two
 * cores), and it would swell the per-hop term with what the neighbours do.
 */
export const CHAIN_DEFAULTS: ChainSpec = { length: 4, payloadBytes: 1024, workMs: 0 };
export const MAX_CHAIN_LENGTH = 64;
/** Both systems refuse bodies over 4 MiB (p2p's body limit and the function adapter's). */
export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
/** The smallest body that still holds one (padded) record. */
export const MIN_PAYLOAD_BYTES = 128;

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, kib: 1024, mb: 1024 * 1024, mib: 1024 * 1024 };

export function isChainSpec(scenario: string): boolean {
  return scenario.startsWith(CHAIN_PREFIX);
}

/** "1KB", "64KB", "1MB", "1500B" or a bare number of bytes; KB and MB are binary (1 KB = 1024 bytes). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = SIZE_UNITS[(m?.[2] || 'b').toLowerCase()];
  if (!m || unit === undefined) throw usageError(`"${text}" is not a size: use bytes or KB/MB, e.g. 1500B, 64KB, 1MB (1 KB = 1024 bytes)`);
  const bytes = Number(m[1]) * unit;
  if (!Number.isInteger(bytes)) throw usageError(`size "${text}" is not a whole number of bytes`);
  return bytes;
}

/** 1024 → "1KB", 1048576 → "1MB", 1500 → "1500B": the shortest exact form. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)}MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024}KB`;
  return `${bytes}B`;
}

/** "1", "1ms", "0.5ms" → milliseconds of CPU per step. */
export function parseWorkMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms)?$/.exec(text.trim());
  if (!m) throw usageError(`work "${text}" is not a duration in milliseconds: use e.g. 0, 1, 2.5ms`);
  return Number(m[1]);
}

export function parseLength(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw usageError(`length "${text}" is not a whole number of steps`);
  return Number(text);
}

/** Checks a spec's ranges; every way of making one (parser, sweep axes) goes through here. */
export function checkChainSpec(spec: ChainSpec): ChainSpec {
  if (spec.length < 1 || spec.length > MAX_CHAIN_LENGTH) throw usageError(`chain length ${spec.length} is out of range: use 1 to ${MAX_CHAIN_LENGTH} steps`);
  if (spec.payloadBytes < MIN_PAYLOAD_BYTES || spec.payloadBytes > MAX_PAYLOAD_BYTES) {
    throw usageError(`chain payload ${formatSize(spec.payloadBytes)} is out of range: use ${MIN_PAYLOAD_BYTES}B to ${formatSize(MAX_PAYLOAD_BYTES)} (the systems' body limit)`);
  }
  if (!(spec.workMs >= 0) || spec.workMs > 10_000) throw usageError(`chain work ${spec.workMs} ms is out of range: use 0 to 10000 ms per step`);
  return spec;
}

/** `chain:length=4,payload=64KB,work=1`; parameters left out take CHAIN_DEFAULTS. */
export function parseChainSpec(text: string): ChainSpec {
  if (!isChainSpec(text)) throw usageError(`"${text}" is not a chain scenario: write chain:length=L,payload=SIZE,work=MS`);
  const spec = { ...CHAIN_DEFAULTS };
  const body = text.slice(CHAIN_PREFIX.length).trim();
  const given = new Set<string>();
  for (const part of body ? body.split(',') : []) {
    const m = /^\s*([a-z]+)\s*=\s*(.+?)\s*$/.exec(part);
    if (!m) throw usageError(`"${part}" in ${text} is not key=value: write chain:length=L,payload=SIZE,work=MS`);
    const key = m[1]!;
    const value = m[2]!;
    // The later value would win without a word: one of the two is a typo.
    if (given.has(key)) throw usageError(`${key} is given twice in ${text}: give each of length, payload and work once`);
    given.add(key);
    if (key === 'length') spec.length = parseLength(value);
    else if (key === 'payload') spec.payloadBytes = parseSize(value);
    else if (key === 'work') spec.workMs = parseWorkMs(value);
    else throw usageError(`unknown chain parameter "${key}" in ${text}: use length, payload and work`);
  }
  return checkChainSpec(spec);
}

/** The canonical text of a spec, every parameter written: what the manifest and the sweep key use. */
export function formatChainSpec(spec: ChainSpec): string {
  return `${CHAIN_PREFIX}length=${spec.length},payload=${formatSize(spec.payloadBytes)},work=${spec.workMs}`;
}

function record(id: number, pad?: string): ChainRecord {
  const second = String(id % 60).padStart(2, '0');
  const minute = String(Math.floor(id / 60) % 60).padStart(2, '0');
  return {
    sensor: `CHAIN_SENSOR_${String(id % 50).padStart(4, '0')}`,
    variable: 'Temperature',
    units: 'C',
    timestamp: `2019-02-04 06:${minute}:${second}`,
    value: 15 + (id % 97) / 10,
    ...(pad !== undefined ? { pad } : {}),
  };
}

/**
 * The request body of a chain: a JSON array of reading-like records (ASCII only, so characters
 * are bytes), exactly `bytes` long, that JSON.parse then JSON.stringify gives back byte for byte
 * (each step's output is its input).
 */
export function chainPayload(bytes: number): Buffer {
  if (bytes < MIN_PAYLOAD_BYTES) throw usageError(`a chain payload needs at least ${MIN_PAYLOAD_BYTES} bytes, not ${bytes}`);
  const parts: string[] = [];
  let size = 2; // the brackets
  for (let id = 0; ; id++) {
    const comma = id === 0 ? 0 : 1;
    const full = JSON.stringify(record(id));
    // Room for this record and still for a padded one after it: keep going; else pad this one to the end.
    if (size + comma + full.length + 1 + JSON.stringify(record(id + 1, '')).length <= bytes) {
      parts.push(full);
      size += comma + full.length;
      continue;
    }
    const pad = bytes - size - comma - JSON.stringify(record(id, '')).length;
    parts.push(JSON.stringify(record(id, 'x'.repeat(pad))));
    break;
  }
  return Buffer.from(`[${parts.join(',')}]`);
}

/** What the manifest records of a chain scenario: the spec, its text, and the body every request carries. */
export interface ChainDescription extends ChainSpec {
  spec: string;
  body: { bytes: number; sha256: string };
}

export function describeChain(spec: ChainSpec): ChainDescription {
  const body = chainPayload(spec.payloadBytes);
  return { ...spec, spec: formatChainSpec(spec), body: { bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') } };
}

/** The module text of a spec's scenario. */
export function chainScenarioModule(spec: ChainSpec): string {
  return [
    `// Generated by fogbench from ${formatChainSpec(spec)}; written again on every run, do not edit.`,
    `import { chainScenario } from ${JSON.stringify(FUNCTIONS_MODULE)};`,
    `export default chainScenario(${JSON.stringify({ length: spec.length, payloadBytes: spec.payloadBytes, workMs: spec.workMs })});`,
    '',
  ].join('\n');
}

/**
 * Writes the spec's scenario module into `dir` and returns its path. The name is the spec's
 * content, and it is replaced whole (safe-fs.ts replaceFile), so two runs of one spec at once
 * read a whole file either way.
 */
export async function writeChainScenario(spec: ChainSpec, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.resolve(dir, `chain-${spec.length}-${spec.payloadBytes}B-${String(spec.workMs).replace('.', '_')}ms.ts`);
  await replaceFile(file, chainScenarioModule(spec));
  return file;
}

/** Writes the body of every request of a chain run into `dir` (the load agent reads it) and returns its path. */
export async function writeChainBody(spec: ChainSpec, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.resolve(dir, `chain-body-${spec.payloadBytes}.json`);
  await writeFile(file, chainPayload(spec.payloadBytes));
  return file;
}

/** Where generated scenario modules go when the caller names no folder. */
export const GENERATED_SCENARIO_DIR = path.join('build', 'scenarios');
