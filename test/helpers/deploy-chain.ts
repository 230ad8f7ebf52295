/** Compiles a scenario and deploys its p2p services on the loopback target, for tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadScenarioSource } from '../../harness/dataflow/compile.ts';
import { isSpan, type Span } from '../../harness/dataflow/spans.ts';
import { p2pSystem } from '../../harness/systems/p2p.ts';
import { createLoopbackTarget } from '../../harness/targets/loopback/loopback-target.ts';
import type { Deployment, Target } from '../../harness/targets/target.ts';

export interface DeployedChain {
  target: Target;
  deployment: Deployment;
  url: string;
  spans: Span[];
  close(): Promise<void>;
}

export interface ChainOptions {
  hopTimeoutMs?: number;
  deadlineMs?: number;
  /** Pin every service to these CPUs (taskset list), keeping the others for the client. */
  cpus?: string;
}

export async function deployChain(scenarioFile: string, options: ChainOptions = {}): Promise<DeployedChain> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-test-'));
  const source = await loadScenarioSource(scenarioFile);
  const plan = await p2pSystem.plan(source, {
    replicas: 1,
    buildDir: dir,
    hopTimeoutMs: options.hopTimeoutMs ?? 5_000,
    deadlineMs: options.deadlineMs ?? 9_000,
    config: {},
  });
  if (options.cpus) {
    for (const unit of plan.units) {
      unit.args = ['-c', options.cpus, unit.command, ...unit.args];
      unit.command = 'taskset';
    }
  }
  const target = createLoopbackTarget();
  const spans: Span[] = [];
  const deployment = await target.deploy(plan.units, {
    readyTimeoutMs: 20_000,
    onLine: (_unit, line) => {
      const value: unknown = JSON.parse(line);
      if (isSpan(value)) spans.push(value);
    },
  });
  const entry = deployment.endpoints.get(plan.entry)!;
  return {
    target,
    deployment,
    url: `http://${entry.host}:${entry.port}/`,
    spans,
    async close() {
      await deployment.stop();
      await target.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Spans are flushed every 100 ms; wait until those of a request have arrived. */
export async function spansOf(chain: DeployedChain, requestId: string, count: number, timeoutMs = 3_000): Promise<Span[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = chain.spans.filter((s) => s.requestId === requestId);
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
}
