/**
 * The CLI's part of one profile, in a process of its own so that its memory can be read apart:
 * the real runProfile (the load agent started on the loopback target, its messages read, the
 * target observed) and the real buildProfileResult and its JSON, against a URL (the null
 * server). Prints one JSON line: the agent's and this process's peak RSS, and the requests.
 * Usage: cli-side.mjs <url> <durationMs> <agent bundle>
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runProfile } from '../bench/run-profile.ts';
import { createSpanSink } from '../bench/span-sink.ts';
import { buildProfileResult } from '../metrics/profile.ts';
import type { RunManifest } from '../results/schema.ts';
import { createLoopbackTarget } from '../targets/loopback/loopback-target.ts';
import type { Deployment } from '../targets/target.ts';

async function main(url: string, durationMs: number, agentBundle: string): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-cli-side-'));
  const target = createLoopbackTarget();
  try {
    const body = path.join(dir, 'body.json');
    await writeFile(body, '{"readings":[]}');
    const deployment: Deployment = { endpoints: new Map(), units: [], placement: new Map(), stop: async () => {} };
    const run = await runProfile({
      target,
      deployment,
      agentBundle,
      spec: {
        driver: 'fogbench-http',
        warmupMs: 0,
        load: { url, workers: 50, durationMs, keepAlive: false, timeoutMs: 20_000, headers: { 'content-type': 'application/json' } },
        bodies: { kind: 'fixed', file: body },
      },
      specFile: path.join(dir, 'spec.json'),
      spanSink: createSpanSink(),
      onProgress: () => {},
      signal: new AbortController().signal,
    });
    const manifest = { runId: 'perf-memory' } as RunManifest;
    const result = buildProfileResult({
      manifest, system: 'null', workers: 50, keepAlive: false, driver: 'fogbench-http', startedAt: new Date(run.startEpochMs).toISOString(),
      raw: run.raw, hops: [], events: run.events, resources: run.resources, costScope: { units: [], describe: 'none' }, interrupted: false, openLoop: null, repetition: 1,
    });
    const text = JSON.stringify(result);
    process.stdout.write(
      JSON.stringify({ agent: run.agentMaxRssBytes ?? null, cli: process.resourceUsage().maxRSS * 1024, requests: run.raw.requests, resultBytes: text.length }) + '\n',
    );
  } finally {
    await target.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

main(process.argv[2]!, Number(process.argv[3]), process.argv[4]!).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
