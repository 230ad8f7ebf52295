/**
 * Link latency on the fog target: a two-service chain whose second hop crosses a node link
 * with 10 ms one-way delay (so 20 ms per round trip on that hop) answers about 20 ms slower
 * at the median than the same chain over an undelayed link. On a kernel without netem the
 * delay comes from the fogbench-link-delay relay, and what exceeds 20 ms is its own cost.
 */
import { writeFileSync } from 'node:fs';
import { tempDir } from '../../helpers/temp.ts';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFogTarget } from '../../../harness/targets/local/fog-target.ts';
import type { UnitSpec } from '../../../harness/targets/target.ts';
import { FIXTURES, leftovers, skipReasonPrinted, fixtureServer } from './fog-host.ts';

const skip = skipReasonPrinted();

function topologyFile(secondNodeLatencyMs: number, jitterMs: number): string {
  const file = join(tempDir('fogbench-latency-'), 'topology.yaml');
  writeFileSync(
    file,
    `scale: 1
link: { bandwidthMbit: null, latencyMs: 0 }
nodes:
  - { name: client, role: client, cpus: 0.5, memoryMiB: 512 }
  - { name: core, role: core, cpus: 0.25, memoryMiB: 256 }
  - { name: worker-1, role: worker, cpus: 0.5, memoryMiB: 512 }
  - { name: worker-2, role: worker, cpus: 0.5, memoryMiB: 512, link: { latencyMs: ${secondNodeLatencyMs}, jitterMs: ${jitterMs} } }
`,
  );
  return file;
}

const unit = (name: string, index: number, env?: UnitSpec['env']): UnitSpec => fixtureServer(name, { role: 'worker', index }, env);

interface ChainLatency {
  p10: number;
  p50: number;
  p90: number;
  shaping: string;
  root: string;
}

/** Latency of `count` sequential requests through first -> second, from the client node. */
async function chainLatency(secondNodeLatencyMs: number, count: number, jitterMs = 0): Promise<ChainLatency> {
  const target = createFogTarget({
    runId: `test-latency-${secondNodeLatencyMs}`,
    topologyFile: topologyFile(secondNodeLatencyMs, jitterMs),
  });
  try {
    await target.prepare();
    const deployment = await target.deploy(
      [unit('first', 0, (e) => ({ NEXT_URL: `http://${e.get('second')!.host}:8080/` })), unit('second', 1)],
      { readyTimeoutMs: 20_000, onLine: () => {} },
    );
    const first = deployment.endpoints.get('first')!;
    const client = await target.startClient({
      name: 'latency-client',
      command: 'node',
      args: [`${FIXTURES}fetch-client.mjs`, 'latency', `http://${first.host}:${first.port}/`, String(count)],
      env: {},
    });
    const out: string[] = [];
    client.onLine((line) => out.push(line));
    const exit = await client.exited;
    if (exit.code !== 0) throw new Error(`latency client failed: ${client.stderrTail()}`);
    const measured = JSON.parse(out[0]!) as { p10: number; p50: number; p90: number };
    return { ...measured, shaping: target.describe().shaping, root: target.describe().details.objectPrefix as string };
  } finally {
    await target.dispose();
  }
}

describe.skipIf(skip)('fog link latency', () => {
  it('adds about 20 ms per round trip across a link with 10 ms each way', { timeout: 180_000, retry: 2 }, async () => {
    const base = await chainLatency(0, 60);
    const delayed = await chainLatency(10, 60);
    const added = delayed.p50 - base.p50;
    console.log(
      `chain p50: ${base.p50.toFixed(2)} ms undelayed, ${delayed.p50.toFixed(2)} ms with 10 ms each way on the second hop's link: +${added.toFixed(2)} ms (expected +20; the excess is the delay stage's own cost)`,
    );
    console.log(`shaping: ${delayed.shaping}`);
    expect(added).toBeGreaterThan(15);
    expect(added).toBeLessThan(25);
    expect(delayed.shaping).toMatch(/worker-2: no bandwidth limit and 10 ms delay/);
    expect(leftovers(delayed.root)).toEqual({ namespaces: [], interfaces: [], cgroups: [] });
  });

  it('spreads latency with jitter, without moving the median', { timeout: 180_000, retry: 2 }, async () => {
    // Large enough to stand out of this shared host's own noise (p10-p90 of ~10 ms seen).
    const steady = await chainLatency(20, 80);
    const jittery = await chainLatency(20, 80, 15);
    const spread = (c: ChainLatency) => c.p90 - c.p10;
    console.log(
      `20 ms each way: p10-p90 ${steady.p10.toFixed(1)}-${steady.p90.toFixed(1)} ms; with ±15 ms jitter: ${jittery.p10.toFixed(1)}-${jittery.p90.toFixed(1)} ms`,
    );
    expect(jittery.shaping).toContain('20 ± 15 ms delay');
    expect(spread(jittery) - spread(steady)).toBeGreaterThan(10);
    expect(Math.abs(jittery.p50 - steady.p50)).toBeLessThan(8);
  });
});
