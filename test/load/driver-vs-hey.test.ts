/**
 * Cross-check of our drivers against hey on the same system, with keep-alive on and off:
 * throughput within 10 %, mean latency within 15 % (or 0.2 ms, whichever is larger).
 *
 * Each round runs our agent (as the bench runs it: bundled, a process of its own, after a warm-up)
 * and hey at the same time against the same system, half the workers each, for the same window:
 * both see the same system in the same second, so the shared machine's drift (others' builds
 * and tests taking the CPUs for seconds at a time, which moved back-to-back rounds by up to 2x)
 * hits both alike and cancels in their ratio. What stays in the ratio is what each client adds
 * to each request: a client that is slower per request sends fewer in its closed loop and
 * measures more latency, exactly as when run alone. The median over the rounds is the figure.
 *
 * Entries: the p2p chain on loopback with its services on CPU 1 and both clients on CPU 0
 * (pinned: hey spends more CPU per request than autocannon, and on shared cores that
 * difference would show up as the system's throughput), the same chain unpinned, and the
 * OpenFaaS gateway on fog (the real gateway, provider and of-watchdog).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAgentMessage, type AgentSpec } from '../../harness/load/agent-protocol.ts';
import { chooseDriver } from '../../harness/load/drivers.ts';
import { bundleForNode } from '../../harness/dataflow/bundle.ts';
import { fileURLToPath } from 'node:url';
import { decodeHistogram } from '../../harness/metrics/histogram.ts';
import { deployChain } from '../helpers/deploy-chain.ts';
import { deployOpenFaaSOnFog } from '../helpers/openfaas-fog.ts';
import { fogUnavailableReason } from '../targets/local/fog-host.ts';

const run = promisify(execFile);
/** Workers of each client: together they load the system as 4 workers of one would. */
const WORKERS = 2;
const SECONDS = 2;
const ROUNDS = 9;
const CLIENT_CPU = '0';
const SYSTEM_CPUS = '1';

const output = (child: ChildProcess): Promise<string> =>
  new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (c: Buffer) => (text += c.toString()));
    child.once('error', reject);
    child.once('close', () => resolve(text));
  });

function readHey(stdout: string) {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const meanMs = Number(/Average:\s+([\d.]+) secs/.exec(stdout)?.[1]) * 1000;
  const ok = Number(/\[200\]\s+(\d+) responses/.exec(stdout)?.[1] ?? 0);
  return { rps, meanMs, ok };
}

/** One round: our agent, and hey started the moment our window opens, for the same length. */
async function round(url: string, bodyFile: string, keepAlive: boolean, pinned: boolean) {
  const prefix = (command: string, args: string[]): [string, string[]] => (pinned ? ['taskset', ['-c', CLIENT_CPU, command, ...args]] : [command, args]);
  const driver = chooseDriver('auto', { keepAlive });
  const spec: AgentSpec = {
    driver,
    // Our agent is a fresh Node process per round: let its JIT warm up (hey is compiled Go).
    warmupMs: 1_000,
    load: { url, workers: WORKERS, durationMs: SECONDS * 1000, keepAlive, timeoutMs: 10_000, headers: { 'content-type': 'application/json' } },
    bodies: { kind: 'fixed', file: bodyFile },
  };
  const specFile = `${bodyFile}.${driver}.json`;
  await writeFile(specFile, JSON.stringify(spec));
  const agent = spawn(...prefix(process.execPath, [agentBundle, specFile]), { stdio: ['ignore', 'pipe', 'inherit'] });
  let theirs: Promise<string> | undefined;
  createInterface({ input: agent.stdout! }).on('line', (line) => {
    if (theirs || parseAgentMessage(line)?.type !== 'start') return;
    const args = ['-z', `${SECONDS}s`, '-c', String(WORKERS), '-m', 'POST', '-T', 'application/json', '-D', bodyFile, ...(keepAlive ? [] : ['-disable-keepalive']), url];
    theirs = output(spawn(...prefix('hey', args), { stdio: ['ignore', 'pipe', 'inherit'] }));
  });
  const stdout = await output(agent);
  const result = stdout.split('\n').map(parseAgentMessage).find((m) => m?.type === 'result');
  if (result?.type !== 'result') throw new Error(`agent gave no result: ${stdout.slice(-500)}`);
  if (!theirs) throw new Error('the agent never opened its window, so hey never ran');
  const raw = result.raw;
  return {
    theirs: readHey(await theirs),
    mine: { name: driver, rps: raw.requests / (raw.durationMs / 1000), meanMs: decodeHistogram(raw.latencyAll).mean / 1000, ok: raw.ok, requests: raw.requests },
  };
}

let agentBundle = '';

const haveHey = await run('hey', ['-h']).then(
  () => true,
  (e: { stderr?: string }) => /Usage: hey/.test(e.stderr ?? ''),
);

// Timing on a shared VM: a measurement gets three tries, each held to the full tolerance.
const TIMING = { retry: 2 };

interface Entry {
  url: string;
  close(): Promise<void>;
}

const ENTRIES: { name: string; skip: boolean; pinned: boolean; deploy: () => Promise<Entry> }[] = [
  { name: 'the p2p chain (loopback, pinned)', skip: !haveHey, pinned: true, deploy: () => deployChain('scenarios/temperature.ts', { cpus: SYSTEM_CPUS }) },
  { name: 'the p2p chain (loopback, unpinned)', skip: !haveHey, pinned: false, deploy: () => deployChain('scenarios/temperature.ts') },
  {
    name: 'the OpenFaaS gateway (fog)',
    skip: !haveHey || fogUnavailableReason() !== null,
    pinned: true,
    deploy: async () => {
      const f = await deployOpenFaaSOnFog('scenarios/temperature.ts', { runId: 'test-hey-gateway' });
      return { url: f.url, close: () => f.close() };
    },
  },
];

for (const entry of ENTRIES) describe.skipIf(entry.skip)(`load drivers agree with hey against ${entry.name}`, TIMING, () => {
  let chain: Entry;
  let bodyFile: string;
  let dir: string | undefined;
  beforeAll(async () => {
    chain = await entry.deploy();
    // The bench's own request: one default batch of the committed sample.
    dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-hey-'));
    bodyFile = path.join(dir, 'batch.json');
    // The agent as the bench runs it: bundled, started as plain node.
    agentBundle = path.join(dir, 'agent.mjs');
    await bundleForNode({ entryFile: fileURLToPath(new URL('../../harness/load/agent-main.ts', import.meta.url)), outfile: agentBundle });
    await writeFile(bodyFile, await readFile('datasets/sample-batch.json'));
  }, 180_000);
  afterAll(async () => {
    await chain?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const keepAlive of [false, true]) {
    it(`keep-alive ${keepAlive ? 'on' : 'off'}: throughput within 10 %, mean latency within 15 %`, async () => {
      await round(chain.url, bodyFile, keepAlive, entry.pinned); // warm-up: the services' JIT, the connection paths
      const runs: Awaited<ReturnType<typeof round>>[] = [];
      for (let i = 0; i < ROUNDS; i++) runs.push(await round(chain.url, bodyFile, keepAlive, entry.pinned));
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const rpsRatio = median(runs.map((r) => r.mine.rps / r.theirs.rps));
      const latencyGapMs = median(runs.map((r) => r.mine.meanMs - r.theirs.meanMs));
      const heyMeanMs = median(runs.map((r) => r.theirs.meanMs));
      for (const r of runs) {
        console.log(
          `${entry.name}, keep-alive ${keepAlive ? 'on' : 'off'}: hey ${r.theirs.rps.toFixed(1)} req/s mean ${r.theirs.meanMs.toFixed(2)} ms; ` +
            `${r.mine.name} ${r.mine.rps.toFixed(1)} req/s mean ${r.mine.meanMs.toFixed(2)} ms; ratio ${(r.mine.rps / r.theirs.rps).toFixed(3)}`,
        );
      }
      console.log(`${entry.name}, keep-alive ${keepAlive ? 'on' : 'off'}: median ratio of throughputs ${rpsRatio.toFixed(3)}, median latency gap ${latencyGapMs.toFixed(2)} ms`);
      for (const r of runs) {
        expect(r.theirs.ok).toBeGreaterThan(0);
        expect(r.mine.ok).toBe(r.mine.requests);
      }
      expect(Math.abs(rpsRatio - 1)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(latencyGapMs)).toBeLessThanOrEqual(Math.max(0.15 * heyMeanMs, 0.2));
    }, 240_000);
  }
});
