/**
 * Cross-check of our drivers against hey on the same local target, with keep-alive on and off:
 * throughput within 10 %, mean latency within 15 % (or 0.2 ms, whichever is larger).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAgentMessage, type AgentSpec } from '../../harness/load/agent-protocol.ts';
import { chooseDriver } from '../../harness/load/drivers.ts';
import { decodeHistogram } from '../../harness/metrics/histogram.ts';
import { deployChain, type DeployedChain } from '../helpers/deploy-chain.ts';

const run = promisify(execFile);
const WORKERS = 4;
const SECONDS = 5;

const BATCH = JSON.stringify(
  Array.from({ length: 20 }, (_, i) => ({
    sensor: `s${i % 3}`,
    variable: i % 2 ? 'Temperature' : 'Humidity',
    units: i % 2 ? '°C' : '%',
    timestamp: `2019-02-01 00:${String(i).padStart(2, '0')}:00`,
    value: 18 + i / 10,
  })),
);

async function hey(url: string, bodyFile: string, keepAlive: boolean) {
  const args = ['-z', `${SECONDS}s`, '-c', String(WORKERS), '-m', 'POST', '-T', 'application/json', '-D', bodyFile];
  if (!keepAlive) args.push('-disable-keepalive');
  const { stdout } = await run('hey', [...args, url], { maxBuffer: 16 * 1024 * 1024 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const meanMs = Number(/Average:\s+([\d.]+) secs/.exec(stdout)?.[1]) * 1000;
  const ok = Number(/\[200\]\s+(\d+) responses/.exec(stdout)?.[1] ?? 0);
  return { rps, meanMs, ok };
}

/** Our driver as the bench runs it: the load agent in a process of its own. */
async function ours(url: string, bodyFile: string, keepAlive: boolean) {
  const driver = chooseDriver('auto', { keepAlive });
  const spec: AgentSpec = {
    driver,
    load: { url, workers: WORKERS, durationMs: SECONDS * 1000, keepAlive, timeoutMs: 10_000, headers: { 'content-type': 'application/json' } },
    bodies: { kind: 'fixed', file: bodyFile },
  };
  const specFile = `${bodyFile}.${driver}.json`;
  await writeFile(specFile, JSON.stringify(spec));
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'harness/load/agent-main.ts', specFile], { maxBuffer: 64 * 1024 * 1024 });
  const result = stdout.split('\n').map(parseAgentMessage).find((m) => m?.type === 'result');
  if (result?.type !== 'result') throw new Error(`agent gave no result: ${stdout.slice(-500)}`);
  const raw = result.raw;
  return { name: driver, rps: raw.requests / (raw.durationMs / 1000), meanMs: decodeHistogram(raw.latencyAll).mean / 1000, ok: raw.ok, requests: raw.requests };
}

const haveHey = await run('hey', ['-h']).then(
  () => true,
  (e: { stderr?: string }) => /Usage: hey/.test(e.stderr ?? ''),
);

describe.skipIf(!haveHey)('load drivers agree with hey', () => {
  let chain: DeployedChain;
  let bodyFile: string;
  beforeAll(async () => {
    chain = await deployChain('scenarios/temperature.ts');
    bodyFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'fogbench-hey-')), 'batch.json');
    await writeFile(bodyFile, BATCH);
  });
  afterAll(async () => chain?.close());

  for (const keepAlive of [false, true]) {
    it(`keep-alive ${keepAlive ? 'on' : 'off'}: throughput within 10 %, mean latency within 15 %`, async () => {
      const theirs = await hey(chain.url, bodyFile, keepAlive);
      const mine = await ours(chain.url, bodyFile, keepAlive);
      console.log(`keep-alive ${keepAlive ? 'on' : 'off'}: hey ${theirs.rps.toFixed(1)} req/s mean ${theirs.meanMs.toFixed(2)} ms; ${mine.name} ${mine.rps.toFixed(1)} req/s mean ${mine.meanMs.toFixed(2)} ms`);
      expect(theirs.ok).toBeGreaterThan(0);
      expect(mine.ok).toBe(mine.requests);
      expect(Math.abs(mine.rps - theirs.rps) / theirs.rps).toBeLessThanOrEqual(0.1);
      expect(Math.abs(mine.meanMs - theirs.meanMs)).toBeLessThanOrEqual(Math.max(0.15 * theirs.meanMs, 0.2));
    }, 60_000);
  }
});
