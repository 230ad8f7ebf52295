/**
 * A load generator starved of CPU (its process in a cgroup with 3 % of a core) is flagged
 * client-limited; the same load with the CPU it needs is not. Real cgroups, real processes.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForNode } from '../../harness/dataflow/bundle.ts';
import { parseAgentMessage, type AgentSpec } from '../../harness/load/agent-protocol.ts';
import { clientLimited } from '../../harness/metrics/client-limited.ts';
import { detectCgroups } from '../../harness/targets/local/cgroups.ts';

const run = promisify(execFile);
const root = process.getuid?.() === 0;
const GROUP = `fbtest-starved-${process.pid}`;

// Timing on a shared VM drifts up to 2x between rounds: a measurement gets three tries, each
// held to the full tolerance.
const TIMING = { retry: 2 };

describe.skipIf(!root)('load generator self-monitoring (needs root for a cgroup)', TIMING, () => {
  const cgroups = detectCgroups();
  let dir: string;
  let agent: string;
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-starve-'));
    agent = path.join(dir, 'agent.mjs');
    await bundleForNode({ entryFile: fileURLToPath(new URL('../../harness/load/agent-main.ts', import.meta.url)), outfile: agent });
    await writeFile(path.join(dir, 'body.json'), '[]');
    // A system that takes 5 ms per request: at 4 workers a healthy generator idles most of the time.
    server = http.createServer((req, res) => req.resume().on('end', () => setTimeout(() => res.end('ok'), 5)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    await cgroups.create(GROUP, { cpus: 0.03, memoryBytes: null });
  });
  afterAll(async () => {
    await cgroups.remove(GROUP);
    server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function agentRun(starved: boolean) {
    const spec: AgentSpec = {
      driver: 'fogbench-http',
      warmupMs: 0,
      load: { url, workers: 4, durationMs: 4_000, keepAlive: true, timeoutMs: 10_000, headers: {} },
      bodies: { kind: 'fixed', file: path.join(dir, 'body.json') },
    };
    const specFile = path.join(dir, `spec-${starved}.json`);
    await writeFile(specFile, JSON.stringify(spec));
    // The shell joins the cgroup, then becomes the agent: all of the agent's CPU is inside it.
    const join = starved ? cgroups.procsFiles(GROUP).map((f) => `echo $$ > ${f}`).join(' && ') + ' && ' : '';
    const { stdout } = await run('sh', ['-c', `${join}exec ${process.execPath} ${agent} ${specFile}`], { maxBuffer: 64 * 1024 * 1024 });
    const result = stdout.split('\n').map(parseAgentMessage).find((m) => m?.type === 'result');
    if (result?.type !== 'result') throw new Error(`no result: ${stdout.slice(-300)}`);
    return { samples: result.raw.client ?? [], verdict: clientLimited(result.raw.client ?? []) };
  }

  it('flags a CPU-starved generator as client-limited, and not a normal one', async () => {
    const starved = await agentRun(true);
    const normal = await agentRun(false);
    const show = (s: typeof starved) => s.samples.map((x) => `${x.cpu.toFixed(2)}cpu/${x.loopDelayP99Ms.toFixed(0)}ms`).join(' ');
    console.log(`starved: ${show(starved)} → ${starved.verdict.reason}`);
    console.log(`normal:  ${show(normal)} → ${normal.verdict.limited}`);
    expect(starved.samples.length).toBeGreaterThanOrEqual(3);
    expect(starved.verdict.limited).toBe(true);
    expect(starved.verdict.reason).toMatch(/event-loop delay p99 > 50 ms in [1-9]/);
    expect(normal.samples.length).toBeGreaterThanOrEqual(3);
    expect(normal.verdict).toEqual({ limited: false, reason: null });
  }, 60_000);
});
