/**
 * `--driver hey`: hey itself, run by the agent, its per-request CSV read into the same recorder.
 * Checked against what the server saw: every response hey got is counted once (in the window or
 * cut off at its end), statuses land in their classes, and the requests that failed without a
 * response, which hey's CSV leaves out, are counted at least once each run of them.
 */
import http from 'node:http';
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../harness/load/agent-protocol.ts';
import { chooseDriver } from '../../harness/load/drivers.ts';
import { heyArgs } from '../../harness/load/hey-driver.ts';
import { decodeHistogram } from '../../harness/metrics/histogram.ts';
import { agentRunner, type AgentRunner } from './agent-runs.ts';

const haveHey = await promisify(execFile)('hey', ['-h']).then(
  () => true,
  (e: { stderr?: string }) => /Usage: hey/.test(e.stderr ?? ''),
);

describe('the hey driver', () => {
  it('builds the command line the paper ran, with the harness\'s headers and timeout', () => {
    const spec = { url: 'http://x/', workers: 10, durationMs: 30_000, keepAlive: false, timeoutMs: 20_000, headers: { 'content-type': 'application/json', authorization: 'Basic x' } };
    expect(heyArgs(spec, '/tmp/b')).toEqual(['-z', '30000ms', '-c', '10', '-m', 'POST', '-t', '20', '-D', '/tmp/b', '-o', 'csv', '-T', 'application/json', '-H', 'authorization: Basic x', '-disable-keepalive']);
    expect(() => chooseDriver('hey', { keepAlive: false, rate: 10 })).toThrow(/--rate needs the open-loop driver/);
    expect(chooseDriver('hey', { keepAlive: true })).toBe('hey');
  });

  describe.skipIf(!haveHey)('against a server that counts what it serves', () => {
    let agent: AgentRunner;
    let server: http.Server;
    let url: string;
    const seen = { answered: 0, status500: 0, held: 0 };

    beforeAll(async () => {
      agent = await agentRunner();
      await writeFile(path.join(agent.dir, 'body.json'), '{"readings":[]}');
      let n = 0;
      server = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          n++;
          if (n % 40 === 0) return void seen.held++; // never answered: hey times out, no CSV row
          const status = n % 7 === 0 ? 500 : 200;
          setTimeout(() => {
            res.writeHead(status).end('{}');
            seen.answered++;
            if (status === 500) seen.status500++;
          }, 5);
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    }, 60_000);
    afterAll(async () => {
      server?.closeAllConnections();
      server?.close();
      if (agent) await rm(agent.dir, { recursive: true, force: true });
    });

    it('counts every response hey got exactly once, by class, in the timeline, and the failures it leaves out', async () => {
      const spec: AgentSpec = {
        driver: 'hey',
        warmupMs: 0,
        load: { url, workers: 4, durationMs: 3_000, keepAlive: false, timeoutMs: 1_000, headers: { 'content-type': 'application/json' } },
        bodies: { kind: 'fixed', file: path.join(agent.dir, 'body.json') },
      };
      const { raw } = await agent.run(spec);
      console.log(`server: ${JSON.stringify(seen)}; hey driver: ${raw.requests} requests (${raw.ok} ok, ${raw.errors.http5xx} 5xx, ${raw.errors.other} failed without a row), ${raw.cutOff} cut off; ${raw.notes?.join(' | ')}`);
      const responses = raw.ok + raw.errors.http5xx;
      expect(responses + raw.cutOff).toBe(seen.answered);
      expect(raw.errors.http5xx).toBeGreaterThan(0);
      expect(Math.abs(raw.errors.http5xx - seen.status500)).toBeLessThanOrEqual(raw.cutOff);
      expect(raw.errors.other).toBeGreaterThan(0);
      expect(raw.errors.other).toBeLessThanOrEqual(seen.held);
      expect(raw.timeline.reduce((s, b) => s + b.completed, 0)).toBe(raw.requests);
      expect(decodeHistogram(raw.latencyAll).totalCount).toBe(responses);
      expect(raw.notes?.join(' ')).toMatch(/failed without a response/);
    }, 60_000);
  });
});
