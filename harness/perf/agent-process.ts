/**
 * The load agent as the bench runs it (bundled, a process of its own), for the benchmarks:
 * optionally pinned to CPUs with taskset, so that the load generator and the system under test
 * do not take each other's CPU, which on a two-core machine would show up as the system's cost.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleForNode } from '../dataflow/bundle.ts';
import { parseAgentMessage, type AgentMessage, type AgentSpec, type DriverName } from '../load/agent-protocol.ts';
import { chooseDriver } from '../load/drivers.ts';
import { decodeHistogram } from '../metrics/histogram.ts';
import type { Measured } from './measure.ts';

const AGENT_ENTRY = fileURLToPath(new URL('../load/agent-main.ts', import.meta.url));

let bundled: Promise<{ dir: string; bundle: string }> | undefined;

/** The agent, bundled once per process, as the bench bundles it. */
export function agentBundle(): Promise<{ dir: string; bundle: string }> {
  bundled ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-perf-agent-'));
    const bundle = path.join(dir, 'agent.mjs');
    await bundleForNode({ entryFile: AGENT_ENTRY, outfile: bundle });
    return { dir, bundle };
  })();
  return bundled;
}

/** Removes the bundled agent (call once the benchmarks are done). */
export async function disposeAgentBundle(): Promise<void> {
  if (!bundled) return;
  const { dir } = await bundled;
  bundled = undefined;
  await rm(dir, { recursive: true, force: true });
}

/** Whether `taskset` can pin processes here, and the machine has a CPU to spare for the load. */
export async function canPin(): Promise<boolean> {
  if (os.availableParallelism() < 2) return false;
  return promisify(execFile)('taskset', ['-c', '0', 'true']).then(
    () => true,
    () => false,
  );
}

export const pinned = (cpus: string | undefined, command: string, args: string[]): [string, string[]] =>
  cpus === undefined ? [command, args] : ['taskset', ['-c', cpus, command, ...args]];

export interface AgentOutcome {
  result: Extract<AgentMessage, { type: 'result' }>;
  measured: Measured;
  /** Peak resident memory of the agent process. */
  maxRssBytes: number | null;
}

export interface AgentLoad {
  url: string;
  body: string | Buffer;
  workers: number;
  seconds: number;
  keepAlive: boolean;
  warmupSeconds?: number;
  driver?: DriverName;
  /** taskset CPU list for the agent. */
  cpus?: string;
  /** Called with each progress line's elapsed seconds, e.g. to sample something alongside. */
  onProgress?: (elapsedMs: number, pid: number) => void;
  /** Called when the measured window opens (after the warm-up). */
  onStart?: () => void;
}

export async function runAgent(load: AgentLoad): Promise<AgentOutcome> {
  const { dir, bundle } = await agentBundle();
  const id = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const bodyFile = path.join(dir, `body-${id}`);
  const specFile = path.join(dir, `spec-${id}.json`);
  // The bench's own rule, so a perf run measures with the driver a bench would use; chosen before
  // any file is written, since it refuses a driver that cannot measure this load.
  const driver = chooseDriver(load.driver ?? 'auto', { keepAlive: load.keepAlive });
  await writeFile(bodyFile, load.body);
  const spec: AgentSpec = {
    driver,
    warmupMs: (load.warmupSeconds ?? 0) * 1000,
    load: { url: load.url, workers: load.workers, durationMs: load.seconds * 1000, keepAlive: load.keepAlive, timeoutMs: 10_000, headers: { 'content-type': 'application/json' } },
    bodies: { kind: 'fixed', file: bodyFile },
  };
  await writeFile(specFile, JSON.stringify(spec));
  try {
    const [command, args] = pinned(load.cpus, process.execPath, [bundle, specFile]);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let result: Extract<AgentMessage, { type: 'result' }> | undefined;
    let failure = '';
    child.stderr.on('data', (c: Buffer) => (failure = (failure + c.toString()).slice(-2000)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = parseAgentMessage(line);
      if (m?.type === 'result') result = m;
      else if (m?.type === 'start') load.onStart?.();
      else if (m?.type === 'error') failure = m.message;
      else if (m?.type === 'progress') load.onProgress?.(m.elapsedMs, child.pid!);
    });
    await new Promise<void>((resolve) => child.once('close', () => resolve()));
    if (!result) throw new Error(`the load agent gave no result: ${failure.trim() || 'no output'}`);
    const raw = result.raw;
    const h = decodeHistogram(raw.latencyAll);
    return {
      result,
      measured: { rps: raw.requests / (raw.durationMs / 1000), meanMs: h.mean / 1000, p99Ms: h.getValueAtPercentile(99) / 1000, errors: raw.requests - raw.ok },
      maxRssBytes: result.maxRssBytes ?? null,
    };
  } finally {
    await rm(bodyFile, { force: true });
    await rm(specFile, { force: true });
  }
}
