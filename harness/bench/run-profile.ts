/**
 * Runs one (system, workers) profile against a deployed system: the load agent on the client
 * node, spans collected from the services, the target observed; returns the raw pieces.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crashReason, parseAgentMessage, type AgentMessage, type AgentSpec } from '../load/agent-protocol.ts';
import type { RawMeasurement } from '../metrics/recorder.ts';
import type { ClusterEvent, ResourceSample } from '../results/schema.ts';
import type { Span } from '../dataflow/spans.ts';
import type { Deployment, Target } from '../targets/target.ts';
import { environmentError } from '../errors.ts';
import { quotaGroupAt } from '../load/cgroup-quota.ts';
import { startQuotaSampler, withQuota } from '../load/quota-sampler.ts';
import type { FaultRun, ScheduledFaults } from './fault-schedule.ts';

/** Two of the services' span batch periods, and the pipe in between. */
const SPAN_FLUSH_WAIT_MS = 250;

export interface ProfileRun {
  raw: RawMeasurement;
  startEpochMs: number;
  spans: Span[];
  events: ClusterEvent[];
  resources: ResourceSample[];
  interrupted: boolean;
  /** The load agent's peak resident memory, as it reported it. */
  agentMaxRssBytes?: number;
  /**
   * The system's metrics endpoint read as the window opened and once the load ended;
   * `beforeLagMs`: how long after the window's start the first reading came back.
   */
  metrics?: { before: string; after: string; beforeLagMs: number } | { error: string };
  /** --fault: what the schedule did (recovery is worked out on the profile's result). */
  faults?: ScheduledFaults;
}

export interface ProfileRunInput {
  target: Target;
  deployment: Deployment;
  agentBundle: string;
  spec: AgentSpec;
  specFile: string;
  /** Spans arriving from the deployment are pushed here by the caller's onLine hook. */
  spanSink: { start(): void; take(fromMs: number, toMs: number): Span[] };
  onProgress: (message: Extract<AgentMessage, { type: 'progress' }>) => void;
  /** The measured window opened (after the warm-up). */
  onStart?: () => void;
  signal: AbortSignal;
  /** Reads a Prometheus endpoint of the system, around the window. */
  readMetrics?: () => Promise<string>;
  /** --fault: the schedule to run from the window's start (fault-schedule.ts). */
  faults?: FaultRun;
}

export async function runProfile(input: ProfileRunInput): Promise<ProfileRun> {
  await writeFile(input.specFile, JSON.stringify(input.spec));
  input.spanSink.start();
  const agent = await input.target.startClient({
    name: `load-agent-w${input.spec.load.workers}`,
    command: process.execPath,
    args: [input.agentBundle, path.resolve(input.specFile)],
    env: {},
  });
  let result: Extract<AgentMessage, { type: 'result' }> | undefined;
  let failure: string | undefined;
  let observer: ReturnType<Target['observe']> | undefined;
  let before: Promise<{ text: string; lagMs: number }> | undefined;
  let quota: ReturnType<typeof startQuotaSampler> | undefined;
  agent.onLine((line) => {
    const message = parseAgentMessage(line);
    if (!message) return;
    if (message.type === 'start') {
      observer = input.target.observe(input.deployment, message.epochMs);
      // The client node's quota and throttling, read from the host beside the agent's own samples.
      const cgroup = input.target.clientCgroup?.();
      const group = cgroup ? quotaGroupAt(cgroup, cgroup.cpuDir) : null;
      if (group) quota = startQuotaSampler(group);
      input.faults?.start(message.epochMs);
      input.onStart?.();
      const windowStart = message.epochMs;
      if (input.readMetrics) before = input.readMetrics().then((text) => ({ text, lagMs: Date.now() - windowStart }));
    }
    else if (message.type === 'progress') input.onProgress(message);
    else if (message.type === 'result') result = message;
    else if (message.type === 'error') failure = message.message;
  });
  const onAbort = () => void agent.stop('SIGINT');
  input.signal.addEventListener('abort', onAbort, { once: true });
  const exit = await agent.exited;
  const quotaSamples = quota?.stop() ?? [];
  input.signal.removeEventListener('abort', onAbort);
  await observer?.stop();
  // Services hand their spans over in batches every 100 ms (SpanWriter): the last requests of the
  // window would otherwise count as missing spans because their batch had not come in yet.
  await new Promise((resolve) => setTimeout(resolve, SPAN_FLUSH_WAIT_MS));
  const faults = await input.faults?.finish();
  let metrics: ProfileRun['metrics'];
  if (input.readMetrics && before) {
    try {
      const first = await before;
      metrics = { before: first.text, beforeLagMs: first.lagMs, after: await input.readMetrics() };
    } catch (error) {
      metrics = { error: (error as Error).message };
    }
  }
  if (!result) {
    // The driver says why in one line (hey failed, could not connect...): an expected failure of
    // the measurement, not a bug of fogbench, so no stack trace; the profiles before it are kept.
    const why = failure ?? crashReason(agent.stderrTail() ?? '') ?? 'no output';
    throw environmentError(`load generator ended without a result (${exit.signal ?? `code ${exit.code}`}): ${why}`);
  }
  const windowEnd = result.startEpochMs + result.raw.durationMs;
  if (quotaSamples.length && result.raw.client) result.raw.client = withQuota(result.raw.client, quotaSamples);
  return {
    raw: result.raw,
    startEpochMs: result.startEpochMs,
    spans: input.spanSink.take(result.startEpochMs, windowEnd),
    events: observer?.events() ?? [],
    resources: observer?.resources() ?? [],
    interrupted: input.signal.aborted,
    ...(result.maxRssBytes !== undefined ? { agentMaxRssBytes: result.maxRssBytes } : {}),
    ...(metrics ? { metrics } : {}),
    ...(faults ? { faults } : {}),
  };
}
