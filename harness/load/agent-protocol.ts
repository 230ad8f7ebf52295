/**
 * What the harness tells the load agent (a JSON file) and what the agent answers (one JSON
 * object per stdout line). The agent is a separate process so that a target can run it on the
 * client node, away from the system's CPU quota.
 */
import type { RawMeasurement } from '../metrics/recorder.ts';
import type { DatasetDescription } from '../results/schema.ts';
import type { LoadSpec } from './driver.ts';
import { boolean, integer, number, object, oneOf, opt, record, req, string, type Check } from '../results/checks.ts';
import { MAX_TIMER_MS } from '../timers.ts';

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
  /** A folder of the run's build folder for the drivers' files (RunOptions.scratchDir). */
  scratchDir?: string;
  /** The hey program (--driver hey): the one the bench checked (RunOptions.hey). */
  hey?: string;
}

/** The spec file as the agent reads it back: checked, so a bad one is refused in one line (durations a timer can hold). */
export const AGENT_SPEC_SHAPE: Check = object({
  load: req(
    object({
      url: req(string),
      // Open loop: the cap on requests in flight, which may be far above any closed loop's workers.
      workers: req(integer(1)),
      rate: opt(number(0)),
      arrivals: opt(oneOf('constant', 'poisson')),
      seed: opt(integer(0)),
      durationMs: req(number(1, MAX_TIMER_MS)),
      keepAlive: req(boolean),
      timeoutMs: req(number(1, MAX_TIMER_MS)),
      headers: req(record(string)),
    }),
  ),
  warmupMs: req(number(0, MAX_TIMER_MS)),
  driver: req(oneOf('fogbench-http', 'autocannon', 'fogbench-open-loop', 'hey')),
  bodies: req(object({ kind: req(oneOf('dataset', 'fixed')), file: req(string), batchSize: opt(integer(1)) })),
  scratchDir: opt(string),
  hey: opt(string),
});

/**
 * Why the agent died, from the end of its stderr when it could not say it itself (an OOM abort,
 * a crash in native code): the error's own line, not Node's closing "Node.js v20…" line nor a
 * stack frame.
 */
export function crashReason(stderr: string): string | null {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean).reverse();
  const error = lines.find((l) => /^(FATAL ERROR:|Uncaught |[A-Za-z]*Error\b.*:|[A-Za-z]*Error$)/.test(l));
  return error ?? lines.find((l) => !/^Node\.js v\d/.test(l) && !/^at /.test(l) && !/^\^+$/.test(l)) ?? null;
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
