/**
 * What the harness tells the load agent (a JSON file) and what the agent answers (one JSON
 * object per stdout line). The agent is a separate process so that a target can run it on the
 * client node, away from the system's CPU quota.
 */
import type { RawMeasurement } from '../metrics/recorder.ts';
import type { DatasetDescription } from '../results/schema.ts';
import type { LoadSpec } from './driver.ts';

export type DriverName = 'fogbench-http' | 'autocannon' | 'fogbench-open-loop' | 'hey';

export interface AgentSpec {
  load: LoadSpec;
  /**
   * Load sent before the measured window and not counted (same driver, same workers). It ends
   * by draining: no request of it is still running when the window opens.
   */
  warmupMs: number;
  driver: DriverName;
  bodies: { kind: 'dataset'; file: string; batchSize: number } | { kind: 'fixed'; file: string };
}

export type AgentMessage =
  | { type: 'ready'; bodies: Record<string, unknown> }
  | { type: 'start'; epochMs: number }
  | { type: 'progress'; elapsedMs: number; requests: number; ok: number; errors: number }
  | { type: 'result'; driver: DriverName; raw: RawMeasurement; startEpochMs: number; /** The agent's peak resident memory. */ maxRssBytes?: number }
  | { type: 'error'; message: string };

export function parseAgentMessage(line: string): AgentMessage | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const m = JSON.parse(line) as AgentMessage;
    return typeof m.type === 'string' ? m : undefined;
  } catch {
    return undefined;
  }
}

export type { DatasetDescription };
