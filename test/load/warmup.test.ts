/**
 * The warm-up ends by letting its requests finish: none of them is still running in the system
 * when the measured window opens (issue 14: on 25c3c31 the warm-up cut its last requests at the
 * client, and the system went on serving them inside the window, its CPU and spans with them).
 */
import http from 'node:http';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../harness/load/agent-protocol.ts';
import { agentRunner, type AgentRunner } from './agent-runs.ts';

const SERVICE_MS = 300;

describe('warm-up', () => {
  let agent: AgentRunner;
  let server: http.Server;
  let url: string;
  const served: { arrived: number; ended: number }[] = [];

  beforeAll(async () => {
    agent = await agentRunner();
    await writeFile(path.join(agent.dir, 'body.json'), '{}');
    // A system that takes 300 ms per request: at the warm-up's end every worker has one in flight.
    server = http.createServer((req, res) => {
      const arrived = Date.now();
      req.resume();
      req.on('end', () =>
        setTimeout(() => {
          res.end('{}');
          served.push({ arrived, ended: Date.now() });
        }, SERVICE_MS),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  }, 60_000);
  afterAll(async () => {
    server?.close();
    if (agent) await rm(agent.dir, { recursive: true, force: true });
  });

  it.each([
    ['fogbench-http', false],
    ['autocannon', true],
  ] as const)('%s: no warm-up request is still being served when the window opens', async (driver, keepAlive) => {
    served.length = 0;
    const spec: AgentSpec = {
      driver,
      warmupMs: 1_500,
      load: { url, workers: 4, durationMs: 1_000, keepAlive, timeoutMs: 5_000, headers: {} },
      bodies: { kind: 'fixed', file: path.join(agent.dir, 'body.json') },
    };
    const result = await agent.run(spec);
    const start = result.startEpochMs;
    const leaking = served.filter((r) => r.arrived < start && r.ended > start + 2);
    console.log(`${driver}: ${served.filter((r) => r.arrived < start).length} warm-up requests served, ${leaking.length} still running after the window opened; warm-up ${JSON.stringify(result.raw.warmup)}`);
    expect(leaking).toEqual([]);
    expect(result.raw.warmup).toMatchObject({ ms: 1_500, requests: expect.any(Number) });
    expect(result.raw.warmup!.requests).toBeGreaterThan(4);
    expect(result.raw.warmup!.drainMs).toBeGreaterThan(0);
    expect(result.raw.requests).toBeGreaterThan(0);
  }, 30_000);
});
