/**
 * `load-generator`: how much load the agent itself can make, and how much memory it needs.
 * - Peak requests per second against a null server (null-server-main.ts, on CPU 1), the agent
 *   on CPU 0 against wrk on CPU 0, with keep-alive (the agent's autocannon driver), and the
 *   agent's fogbench-http driver against hey with keep-alive off (the bench's default).
 * - Resident memory of the agent and of the process reading its results (the CLI's part of a
 *   profile: runProfile's message handling and the profile result) over a 10-minute profile at
 *   50 workers against a 1-minute one. Ten minutes at 50 workers against the p2p chain would take
 *   the chain's CPU too; against a null server on loopback that answers after 50 ms (1,000 req/s)
 *   it costs only the ten minutes, and the agent's memory depends on the requests and seconds it
 *   records, not on what answers.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleForNode } from '../dataflow/bundle.ts';
import type { Benchmark, PerfLine } from './benchmark.ts';
import { agentBundle, canPin, pinned, runAgent } from './agent-process.ts';

const run = promisify(execFile);
const NULL_SERVER = fileURLToPath(new URL('./null-server-main.ts', import.meta.url));
const SERVER_CPUS = '1';
const CLIENT_CPUS = '0';
const PEAK = { workers: 32, seconds: 5, rounds: 3 };
const BODY = JSON.stringify({ readings: [] });
const MEMORY_SERVER_DELAY_MS = 50;

export async function startNullServer(dir: string, cpus: string | undefined, delayMs = 0): Promise<{ url: string; child: ChildProcess }> {
  const bundle = path.join(dir, 'null-server.mjs');
  await bundleForNode({ entryFile: NULL_SERVER, outfile: bundle });
  const [command, args] = pinned(cpus, process.execPath, [bundle, String(delayMs)]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  return { url: `http://127.0.0.1:${port}/`, child };
}

async function haveTool(name: string, probe: string[]): Promise<boolean> {
  return run(name, probe).then(
    () => true,
    (e: { stderr?: string; stdout?: string; code?: unknown }) => typeof e.code === 'number' && /usage/i.test(`${e.stderr ?? ''}${e.stdout ?? ''}`),
  );
}

/** wrk's requests per second, POSTing the same body with keep-alive, `connections` on one thread. */
async function wrk(url: string, dir: string, cpus: string | undefined): Promise<number> {
  const script = path.join(dir, 'post.lua');
  await writeFile(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(BODY)}\nwrk.headers["Content-Type"] = "application/json"\n`);
  const [command, args] = pinned(cpus, 'wrk', ['-t', '1', '-c', String(PEAK.workers), '-d', `${PEAK.seconds}s`, '-s', script, url]);
  const { stdout } = await run(command, args);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  if (!Number.isFinite(rps)) throw new Error(`cannot read wrk's output: ${stdout.slice(-300)}`);
  return rps;
}

/** hey's requests per second with keep-alive off (the bench's default), `connections` workers. */
async function hey(url: string, dir: string, cpus: string | undefined): Promise<number> {
  const bodyFile = path.join(dir, 'body.json');
  await writeFile(bodyFile, BODY);
  const [command, args] = pinned(cpus, 'hey', ['-z', `${PEAK.seconds}s`, '-c', String(PEAK.workers), '-m', 'POST', '-T', 'application/json', '-D', bodyFile, '-disable-keepalive', url]);
  const { stdout } = await run(command, args, { maxBuffer: 64 * 1024 * 1024 });
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (bytes: number | null) => (bytes === null ? '?' : `${(bytes / 1024 / 1024).toFixed(0)} MiB`);

export const loadGeneratorBenchmark: Benchmark = {
  name: 'load-generator',
  description: "the agent's peak req/s against a null server vs wrk's (and hey's) on the same CPU; agent and CLI memory over 10 vs 1 minute at 50 workers",
  async run(log) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-perf-loadgen-'));
    const pin = await canPin();
    const serverCpus = pin ? SERVER_CPUS : undefined;
    const clientCpus = pin ? CLIENT_CPUS : undefined;
    let server: ChildProcess | undefined;
    try {
      const started = await startNullServer(dir, serverCpus);
      server = started.child;
      const url = started.url;
      log(pin ? `null server on CPU ${SERVER_CPUS}, load generators on CPU ${CLIENT_CPUS}` : 'not pinned: server and load generators share the CPUs');
      const lines: PerfLine[] = [];

      if (await haveTool('wrk', ['--version'])) {
        log(`peak, keep-alive on: ${PEAK.rounds} alternating rounds of ${PEAK.seconds} s, ${PEAK.workers} connections: the agent (autocannon driver) and wrk`);
        const agentRps: number[] = [];
        const ownRps: number[] = [];
        const wrkRps: number[] = [];
        for (let i = 0; i < PEAK.rounds; i++) {
          agentRps.push((await runAgent({ url, body: BODY, workers: PEAK.workers, seconds: PEAK.seconds, keepAlive: true, warmupSeconds: 1, cpus: clientCpus })).measured.rps);
          ownRps.push((await runAgent({ url, body: BODY, workers: PEAK.workers, seconds: PEAK.seconds, keepAlive: true, warmupSeconds: 1, cpus: clientCpus, driver: 'fogbench-http' })).measured.rps);
          wrkRps.push(await wrk(url, dir, clientCpus));
          log(`  round ${i + 1}: agent ${agentRps[i]!.toFixed(0)} req/s (autocannon), ${ownRps[i]!.toFixed(0)} req/s (fogbench-http), wrk ${wrkRps[i]!.toFixed(0)} req/s`);
        }
        lines.push({
          label: `the agent's peak against a null server vs wrk's, same CPU, keep-alive, ${PEAK.workers} connections (agent with its keep-alive driver, autocannon / wrk)`,
          figures: {
            agent: `${median(agentRps).toFixed(0)} req/s with autocannon (the default with keep-alive), ${median(ownRps).toFixed(0)} req/s with fogbench-http (medians of ${PEAK.rounds})`,
            wrk: `${median(wrkRps).toFixed(0)} req/s (1 thread; median of ${PEAK.rounds})`,
            'fogbench-http / wrk': (median(ownRps) / median(wrkRps)).toFixed(3),
          },
          ratio: median(agentRps) / median(wrkRps),
        });
      } else {
        lines.push({ label: 'the agent vs wrk: not run', figures: { wrk: 'not installed (Debian: apt-get install wrk)' } });
      }

      if (await haveTool('hey', ['-h'])) {
        log(`peak, keep-alive off: ${PEAK.rounds} alternating rounds: the agent (fogbench-http driver) and hey -disable-keepalive`);
        const agentRps: number[] = [];
        const heyRps: number[] = [];
        for (let i = 0; i < PEAK.rounds; i++) {
          agentRps.push((await runAgent({ url, body: BODY, workers: PEAK.workers, seconds: PEAK.seconds, keepAlive: false, warmupSeconds: 1, cpus: clientCpus })).measured.rps);
          heyRps.push(await hey(url, dir, clientCpus));
          log(`  round ${i + 1}: agent ${agentRps[i]!.toFixed(0)} req/s, hey ${heyRps[i]!.toFixed(0)} req/s`);
        }
        lines.push({
          label: `the agent's peak against a null server vs hey's, same CPU, keep-alive off, ${PEAK.workers} workers (agent / hey)`,
          figures: { agent: `${median(agentRps).toFixed(0)} req/s`, hey: `${median(heyRps).toFixed(0)} req/s` },
          ratio: median(agentRps) / median(heyRps),
        });
      }

      // Memory over time against a server that answers after 50 ms: 1,000 req/s at 50 workers, a
      // busier profile than the fog bench's, without taking a whole core for ten minutes.
      const slow = await startNullServer(dir, serverCpus, MEMORY_SERVER_DELAY_MS);
      try {
        lines.push(await memoryOverTime(slow.url, log));
      } finally {
        slow.child.kill('SIGTERM');
      }
      return lines;
    } finally {
      server?.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/** Minutes of the long profile (10, as the paper's protocol); FOGBENCH_PERF_LONG_MINUTES shortens it for a look. */
function longMinutes(): number {
  const m = Number(process.env.FOGBENCH_PERF_LONG_MINUTES);
  return Number.isFinite(m) && m > 0 ? m : 10;
}

/**
 * The agent at 50 workers for 1 minute, then for 10, against the null server (keep-alive off,
 * as the bench's default), each read by a child process that plays the CLI's part: it runs the
 * profile through runProfile-like message handling and builds the profile result. Peak RSS of
 * both, 10 minutes over 1 minute.
 */
async function memoryOverTime(url: string, log: (m: string) => void): Promise<PerfLine> {
  const minutes = longMinutes();
  const results: { minutes: number; agent: number | null; cli: number | null; requests: number }[] = [];
  for (const m of [1, minutes]) {
    log(`memory: a ${m}-minute profile at 50 workers against the null server (keep-alive off)`);
    results.push({ minutes: m, ...(await cliAndAgentMemory(url, m)) });
  }
  const [short, long] = results as [(typeof results)[0], (typeof results)[0]];
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : NaN);
  return {
    label: `memory over a ${minutes}-minute profile vs a 1-minute one, 50 workers, keep-alive off, against a null server on loopback answering after ${MEMORY_SERVER_DELAY_MS} ms (peak RSS, ${minutes} min / 1 min)`,
    figures: {
      agent: `${mb(short.agent)} at 1 min (${short.requests} requests), ${mb(long.agent)} at ${minutes} min (${long.requests} requests): ratio ${ratio(long.agent, short.agent).toFixed(2)}`,
      'CLI side (result reading and profile building)': `${mb(short.cli)} at 1 min, ${mb(long.cli)} at ${minutes} min: ratio ${ratio(long.cli, short.cli).toFixed(2)}`,
    },
    ratio: Math.max(ratio(long.agent, short.agent), ratio(long.cli, short.cli)),
    target: { op: '<=', value: 1.5 },
  };
}

const CLI_SIDE = fileURLToPath(new URL('./cli-side-main.ts', import.meta.url));

async function cliAndAgentMemory(url: string, minutes: number): Promise<{ agent: number | null; cli: number | null; requests: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-perf-mem-'));
  try {
    const bundle = path.join(dir, 'cli-side.mjs');
    await bundleForNode({ entryFile: CLI_SIDE, outfile: bundle });
    const { stdout } = await run(process.execPath, [bundle, url, String(minutes * 60_000), (await agentBundle()).bundle], { maxBuffer: 16 * 1024 * 1024, timeout: (minutes * 60 + 120) * 1000 });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as { agent: number | null; cli: number | null; requests: number };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
